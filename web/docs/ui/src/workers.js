// Tells Monaco, the editor inside GraphiQL, where its web workers are: files
// served by this server, started by URL, so that worker-src 'self' suffices.

/** @param {Record<string, string>} urls worker URLs by label: editor, json, graphql */
export function setupWorkers(urls) {
  globalThis.MonacoEnvironment = {
    getWorker(_id, label) {
      const url = urls[label] ?? urls.editor;
      return new Worker(url, { name: label });
    },
  };
}

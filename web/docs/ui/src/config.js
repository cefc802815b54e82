// The page's configuration, which the server renders into a JSON script tag
// (the Content-Security-Policy forbids inline scripts, not inline data).

/**
 * @typedef {{name: string, description: string}} Field
 * @typedef {{name: string, title: string, description: string, query: string,
 *   variables: string, response: string, note: string}} Example
 * @typedef {{title: string, description: string, path: string}} Export
 * @typedef {{key: string, name: string, summary: string, queries: Field[],
 *   mutations: Field[], types: string[], examples: Example[],
 *   exports: Export[]}} Area
 * @typedef {{endpoint: string, workers: Record<string, string>,
 *   defaultQuery: string, areas: Area[]}} Config
 */

/** @returns {Config} */
export function readConfig() {
  const el = document.getElementById('docs-config');
  if (!el) throw new Error('the page has no #docs-config');
  return JSON.parse(el.textContent);
}

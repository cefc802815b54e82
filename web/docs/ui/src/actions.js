// Hooks that let Engage's panels drive GraphiQL: load an operation into a
// new editor tab, and open the documentation explorer at a field or type.
import { useGraphiQL, useGraphiQLActions } from '@graphiql/react';
import { DOC_EXPLORER_PLUGIN, useDocExplorerActions } from '@graphiql/plugin-doc-explorer';

import { operationNameIn } from './operations.js';

/** Returns load(query, variables): opens them in a new tab, keeping the headers. */
export function useLoadOperation() {
  const queryEditor = useGraphiQL((s) => s.queryEditor);
  const variableEditor = useGraphiQL((s) => s.variableEditor);
  const headerEditor = useGraphiQL((s) => s.headerEditor);
  const { addTab, setOperationName } = useGraphiQLActions();
  return (query, variables) => {
    // A new tab starts with empty headers; a token typed there stays in use.
    const headers = headerEditor?.getValue() ?? '';
    addTab();
    queryEditor?.setValue(query);
    variableEditor?.setValue(variables || '');
    headerEditor?.setValue(headers);
    // GraphiQL learns the operation's name from the editor after a delay;
    // say it now, so that running at once does not send the previous one.
    const name = operationNameIn(query);
    if (name) setOperationName(name);
    queryEditor?.focus();
  };
}

/** Returns {openField, openType, schema} to show the doc explorer at a definition. */
export function useOpenDocs() {
  const schema = useGraphiQL((s) => s.schema);
  const { setVisiblePlugin } = useGraphiQLActions();
  const { push, reset } = useDocExplorerActions();
  const open = (items) => {
    setVisiblePlugin(DOC_EXPLORER_PLUGIN);
    reset();
    for (const item of items) push(item);
  };
  return {
    schema,
    /** @param {'query'|'mutation'} kind @param {string} name */
    openField(kind, name) {
      const root = kind === 'mutation' ? schema?.getMutationType() : schema?.getQueryType();
      const field = root?.getFields()[name];
      if (root && field) open([{ name: root.name, def: root }, { name, def: field }]);
    },
    /** @param {string} name */
    openType(name) {
      const type = schema?.getType(name);
      if (type) open([{ name, def: type }]);
    },
  };
}

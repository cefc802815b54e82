// Which operation of a document runs.
import { parse } from 'graphql';

/**
 * Returns the operation of query to run: name, when query has an operation
 * of that name, else its first operation's name (undefined for an
 * anonymous one, or a query that does not parse, whose error the API
 * reports). GraphiQL learns the operations of the editor's text only after
 * a pause in typing, so Run right after the text was replaced would name
 * an operation that is gone.
 * @param {string} query
 * @param {string | null | undefined} [name]
 * @returns {string | undefined}
 */
export function operationNameIn(query, name) {
  let names;
  try {
    names = parse(query)
      .definitions.filter((d) => d.kind === 'OperationDefinition')
      .map((d) => d.name?.value);
  } catch {
    return name ?? undefined;
  }
  return name && names.includes(name) ? name : names[0];
}

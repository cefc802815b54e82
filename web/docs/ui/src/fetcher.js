// The GraphiQL fetcher: a same-origin POST to the API. The login session's
// cookie goes along, so queries run as the signed-in user, unless the
// headers editor sets Authorization: Bearer <token>, which the API then
// prefers. Error responses (such as 401 for a revoked token) are shown as
// they are, since the API answers them in GraphQL's shape.
//
// It asks for application/json, with which the API answers a query it
// cannot run (a syntax error, an unknown field) with 200 and the errors,
// rather than 400: the browser then logs no failed request for a mistake
// in the editor.
import { operationNameIn } from './operations.js';

/** @param {string} url */
export function createFetcher(url) {
  return async (params, opts) => {
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        ...(opts?.headers ?? {}),
      },
      body: JSON.stringify({ ...params, operationName: operationNameIn(params.query, params.operationName) }),
    });
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${res.status}: ${text.slice(0, 500)}` }] };
    }
  };
}

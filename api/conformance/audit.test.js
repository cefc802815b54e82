// GraphQL over HTTP conformance: graphql-http's auditServer against a real
// server, with a token (every request to /graphql needs one). Every audit,
// MUST, SHOULD and MAY alike, must pass; the server must log no ERROR line,
// panic or superfluous WriteHeader while answering them; and its
// introspection must build a valid schema in graphql-js.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertValidSchema, buildClientSchema, getIntrospectionQuery } from 'graphql';
import { auditServer } from 'graphql-http';

import { engage, startServer } from '../../web/e2e/server.js';

// The binary built from this checkout on a fresh SQLite database, with an
// administrator and a token of theirs.
let server;
let endpoint;
before(async () => {
  server = await startServer({
    async prepare(bin, db) {
      const email = 'conformance@example.test';
      await engage(bin, ['user', 'create', '--database-url', db, '--email', email, '--name', 'Conformance', '--role', 'ADMIN']);
      const secret = await engage(bin, ['token', 'create', '--database-url', db, '--email', email, '--name', 'graphql-http audit']);
      return { token: secret.trim() };
    },
    serveArgs: ['--log-level', 'debug'],
  });
  endpoint = server.url + '/graphql';
});

// Stops the server first, so that every line it writes is in the logs.
after(async () => {
  await server?.stop();
  const bad = server.logs
    .join('')
    .split('\n')
    .filter((line) => /level=ERROR|panic|superfluous/i.test(line));
  assert.equal(bad.length, 0, `the server logged errors while it was audited:\n${bad.join('\n')}`);
});

/** fetch with the token's Authorization header added. */
function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${server.token}`);
  return fetch(input, { ...init, headers });
}

test('graphql-http auditServer: no MUST, SHOULD or MAY fails', async () => {
  const results = await auditServer({ url: endpoint, fetchFn: withToken });
  const failed = [];
  for (const r of results) {
    console.log(`${r.status === 'ok' ? 'ok  ' : 'FAIL'} ${r.id} ${r.name}${r.reason ? ` — ${r.reason}` : ''}`);
    if (r.status !== 'ok') {
      const body = r.response ? await r.response.text().catch(() => '(body already read)') : '';
      failed.push(`${r.id} ${r.name}: ${r.reason} (status ${r.response?.status}) ${body}`);
    }
  }
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  assert.deepEqual(failed, []);
});

test('introspection builds a valid client schema', async () => {
  const res = await withToken(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }) }),
  });
  assert.equal(res.status, 200);
  const result = await res.json();
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  const schema = buildClientSchema(result.data);
  assertValidSchema(schema);
  assert.ok(schema.getQueryType() && schema.getMutationType(), 'the schema has a query and a mutation type');
});

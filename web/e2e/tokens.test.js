// The browser test of issue 5: an administrator signs in, creates a token
// on /settings/api, uses it from the GraphiQL page /docs/api, revokes it, and
// sees the same query refused with 401. It drives Debian's chromium through
// playwright-core (no browser download), checks that the pages load nothing
// from other hosts and break no Content-Security-Policy rule, and saves a
// screenshot of each page in ../../screenshots (git-ignored) or $SCREENSHOTS.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

import { engage, root, startServer } from './server.js';

const shots = process.env.SCREENSHOTS || join(root, 'screenshots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// The query run with the token: who it acts for, and data it may see.
const query = 'query E2E { viewer { user { name } token { name readOnly } } projects(first: 5) { totalCount edges { node { title } } } }';

/** The administrator the test signs in as. */
const admin = { email: 'e2e-admin@example.test', name: 'Eve E2E', password: 'correct-horse-battery-e2e' };

let server;
let browser;

before(async () => {
  await mkdir(shots, { recursive: true });
  server = await startServer({
    // The demo data first: engage demo loads only into an empty database.
    async prepare(bin, db) {
      await engage(bin, ['demo', '--database-url', db]);
      const args = ['user', 'create', '--database-url', db, '--email', admin.email, '--name', admin.name, '--role', 'ADMIN', '--password-stdin'];
      await engage(bin, args, admin.password + '\n');
    },
    serveArgs: ['--demo'],
  });
  browser = await chromium.launch({ executablePath: chromiumPath, args: launchArgs });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A new page that records problems: CSP violations, script errors, requests to other hosts. */
async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    // Failed responses are checked by URL below; the console does not say which.
    if (/^Failed to load resource/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    const expected = r.status() === 401 && new URL(r.url()).pathname === '/graphql';
    if (r.status() >= 400 && !expected) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Offline: anything not served by this server is refused and reported.
  const origin = new URL(server.url).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + '/') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    problems.push(`request to another host: ${url}`);
    return route.abort();
  });
  return { page, problems };
}

async function shot(page, name) {
  await page.screenshot({ path: join(shots, name), fullPage: true });
}

// Waiting uses locators, not page.waitForFunction: the pages' CSP forbids
// eval, which waitForFunction needs.

/** Puts text into a Monaco editor of GraphiQL, replacing what it holds. */
async function setEditor(page, selector, text) {
  const editor = page.locator(selector.includes('data-uri') ? selector : `${selector} .monaco-editor`).first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // insertText does not type key by key, so Monaco's auto-closing of
  // brackets and quotes does not double them (on a single line).
  await page.keyboard.insertText(text);
}

/** Runs the query with the token in GraphiQL's headers editor; returns the API's response. */
async function runWithToken(page, secret) {
  await page.waitForSelector('.graphiql-query-editor .monaco-editor');
  await setEditor(page, '.graphiql-query-editor', query);
  await page.getByRole('button', { name: /^Prettify query/ }).click();
  await page.getByRole('button', { name: 'Headers' }).click();
  await setEditor(page, '.graphiql-editor-tool [data-uri*="headers"]', JSON.stringify({ Authorization: `Bearer ${secret}` }));
  const response = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('query E2E'));
  await page.locator('.graphiql-execute-button').click();
  const res = await response;
  assert.equal(res.request().headers()['authorization'], `Bearer ${secret}`, 'GraphiQL sent the token from the headers editor');
  return { status: res.status(), headers: res.headers(), body: await res.json() };
}

test('an administrator creates a token, uses it in /docs/api, revokes it, and it is refused', async () => {
  const { page, problems } = await newPage();

  // Signed out, the token page leads to the login page and back.
  await page.goto(server.url + '/settings/api');
  assert.match(page.url(), /\/login\?next=\/settings\/api$/);
  await shot(page, '1-login.png');
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(server.url + '/settings/api');
  assert.match(await page.locator('#signed-in-as').innerText(), new RegExp(admin.name));

  // Create a read-only token limited to one project.
  await page.getByLabel('Name').fill('E2E token');
  await page.getByLabel('Read only').check();
  await page.getByLabel('Downtown Bike Network').check();
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.waitForSelector('#secret');
  const secret = await page.locator('#secret').inputValue();
  assert.match(secret, /^eng_[0-9A-Za-z]{36,}$/, 'the page shows the secret');
  assert.match(await page.locator('.created').innerText(), /will not be shown again/);
  await page.getByRole('button', { name: 'Copy' }).click();
  await shot(page, '2-token-created.png');

  // The secret is shown once: a reload shows the token, not the secret.
  await page.goto(server.url + '/settings/api');
  assert.equal(await page.locator('#secret').count(), 0, 'the secret is gone after the first page');
  const row = page.locator('section[aria-labelledby="mine-title"] tr', { hasText: 'E2E token' });
  assert.match(await row.innerText(), /live/);

  // Use the token from GraphiQL.
  await page.goto(server.url + '/docs/api');
  await page.waitForSelector('.graphiql-container');
  const ok = await runWithToken(page, secret);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.errors, undefined, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.data.viewer.token, { name: 'E2E token', readOnly: true });
  assert.equal(ok.body.data.viewer.user.name, admin.name);
  assert.deepEqual(ok.body.data.projects.edges.map((e) => e.node.title), ['Downtown Bike Network'],
    'the token sees only its allowed project');
  await page.locator('.graphiql-response', { hasText: 'Downtown Bike Network' }).waitFor();
  await shot(page, '3-docs-query-with-token.png');

  // Revoke it, with the confirmation step.
  await page.goto(server.url + '/settings/api');
  await page.locator('section[aria-labelledby="mine-title"] tr', { hasText: 'E2E token' }).getByRole('link', { name: 'Revoke E2E token' }).click();
  await page.waitForURL(/\/settings\/api\/tokens\/tok_[0-9A-Za-z]+\/revoke$/);
  await shot(page, '4-revoke-confirm.png');
  await page.getByRole('button', { name: 'Revoke token' }).click();
  await page.waitForURL(/\/settings\/api\?revoked=tok_/);
  assert.match(await page.locator('.notice').innerText(), /E2E token.*revoked/);
  assert.match(await page.locator('section[aria-labelledby="mine-title"] tr', { hasText: 'E2E token' }).innerText(), /revoked/);
  await shot(page, '5-token-revoked.png');

  // The same query with the same token is now refused.
  await page.goto(server.url + '/docs/api');
  await page.waitForSelector('.graphiql-container');
  const refused = await runWithToken(page, secret);
  assert.equal(refused.status, 401);
  assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', JSON.stringify(refused.body));
  assert.match(refused.headers['www-authenticate'] ?? '', /invalid_token/);
  await page.locator('.graphiql-response', { hasText: 'UNAUTHENTICATED' }).waitFor();
  await shot(page, '6-docs-query-refused.png');

  // Without the header, the page runs queries with the login session.
  const session = await page.evaluate(async () => {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{ viewer { user { name } token { name } } }' }),
    });
    return res.json();
  });
  assert.deepEqual(session.data.viewer, { user: { name: admin.name }, token: null });

  assert.deepEqual(problems, [], 'no CSP violation, script error or request to another host');
});

test('the examples panel loads an example into the editor', async () => {
  const { page, problems } = await newPage();
  await page.goto(server.url + '/login?next=/docs/api');
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(server.url + '/docs/api');
  await page.waitForSelector('.graphiql-query-editor .monaco-editor');

  await page.getByRole('button', { name: 'Show Examples' }).click();
  const example = page.locator('[data-example="surveys/analyst-export"]');
  await example.getByRole('button', { name: 'Load into the editor' }).click();
  await page.locator('.graphiql-query-editor', { hasText: 'AnalystExport' }).waitFor();
  const response = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('AnalystExport'));
  await page.locator('.graphiql-execute-button').click();
  const res = await response;
  assert.equal(res.status(), 200);
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.equal(body.data.projects.edges[0].node.title, 'Downtown Bike Network');
  await page.locator('.graphiql-response', { hasText: 'Bike Lane Priorities' }).waitFor();
  await shot(page, '7-docs-example.png');

  // A name in "API by area" opens the documentation explorer there.
  await page.getByRole('button', { name: 'Show API by area' }).click();
  await page.getByRole('button', { name: 'Try projects', exact: true }).waitFor();
  await page.locator('.engage-area', { hasText: 'Surveys' }).locator('summary').click();
  // Surveys link to their exports on the demo data.
  const csvLink = page.locator('.engage-area', { hasText: 'Surveys' }).getByRole('link', { name: 'Responses as CSV' });
  assert.match(await csvLink.getAttribute('href'), /^\/exports\/surveys\/svy_\w+\/responses\.csv\?bom=1$/);
  await csvLink.scrollIntoViewIfNeeded();
  await shot(page, '8-docs-areas.png');
  await page.locator('.engage-area', { hasText: 'Surveys' }).getByRole('button', { name: 'responses', exact: true }).click();
  await page.locator('.graphiql-doc-explorer', { hasText: 'Lists the responses' }).waitFor();
  await shot(page, '9-docs-explorer.png');

  // "Try" starts a working operation with a root field.
  await page.getByRole('button', { name: 'Show API by area' }).click();
  await page.getByRole('button', { name: 'Try projects', exact: true }).click();
  await page.locator('.graphiql-query-editor', { hasText: 'query Projects(' }).waitFor();
  const tried = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('query Projects('));
  await page.locator('.graphiql-execute-button').click();
  const triedBody = await (await tried).json();
  assert.equal(triedBody.errors, undefined, JSON.stringify(triedBody.errors));
  assert.ok(triedBody.data.projects.totalCount > 0);

  // "Details" of an example shows it in the Examples panel.
  await page.locator('.engage-area', { hasText: 'Tokens' }).locator('summary').click();
  await page.getByRole('button', { name: 'Details of the example Create a token' }).click();
  await page.locator('[data-example="tokens/create-token"]').waitFor();
  await page.locator('[data-example="tokens/create-token"] summary', { hasText: 'Response on the demo data' }).click();
  await page.locator('[data-example="tokens/create-token"] pre', { hasText: '<secret>' }).waitFor();
  await shot(page, '10-docs-example-details.png');
  assert.deepEqual(problems, [], 'no CSP violation, script error or request to another host');
});

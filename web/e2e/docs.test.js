// The browser test of the documentation page, /docs/api, signed in as the
// demo administrator: a token created on the token page runs a query from
// the headers editor, and is refused once revoked; a query with an error
// shows its underline and breaks no Content-Security-Policy rule; Run right
// after the query was replaced sends that query's operation; the examples
// and "API by area" panels; the page at 1280 and 390 pixels (the welcome
// hint whole, a stacked layout on a phone, no horizontal overflow, no
// axe-core violation in the header and Engage's panels).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertNoProblems, checkPage, newPage, setEditor, signIn, useDemoServer, widths } from './browser.js';

const env = useDemoServer();

// The query run with the token: who it acts for, and data it may see.
const query = 'query E2E { viewer { user { name } token { name readOnly } } projects(first: 5) { totalCount edges { node { title } } } }';

/** What the docs page's checks cover: the header and Engage's own panels, not GraphiQL's. */
const ours = ['.site-header', '.engage-panel'];

/** Waits for the editor of the docs page. */
const editorReady = (page) => page.waitForSelector('.graphiql-query-editor .monaco-editor');

/**
 * Runs the editor's operation, with the Run button or else (as fast as
 * possible after typing) the keyboard, and returns the API's response to
 * the request that includes name.
 */
async function run(page, name, { byKeyboard = false } = {}) {
  const response = page.waitForResponse((r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes(name));
  if (byKeyboard) await page.keyboard.press('ControlOrMeta+Enter');
  else await page.locator('.graphiql-execute-button').click();
  const res = await response;
  return { status: res.status(), sent: JSON.parse(res.request().postData()), headers: res.request().headers(), body: await res.json() };
}

test('a token made on the token page runs a query from the headers editor, and is refused once revoked', async () => {
  const pg = await newPage(env, 1280, {
    // The revoked token's query: the API's 401, as expected.
    expected: (url, status) => status === 401 && url.pathname === '/graphql',
  });
  const { page } = pg;
  await signIn(page, env.server, '/settings/api');
  await page.getByLabel('Name', { exact: true }).fill('E2E token');
  await page.getByLabel('Read only').check();
  await page.getByLabel('Downtown Bike Network').check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = await page.locator('#secret').inputValue();

  const runWithToken = async () => {
    await page.goto(env.server.url + '/docs/api');
    await editorReady(page);
    await setEditor(page, '.graphiql-query-editor', query);
    await page.getByRole('button', { name: 'Headers' }).click();
    await setEditor(page, '.graphiql-editor-tool [data-uri*="headers"]', JSON.stringify({ Authorization: `Bearer ${secret}` }));
    const res = await run(page, 'query E2E');
    assert.equal(res.headers['authorization'], `Bearer ${secret}`, 'GraphiQL sent the token from the headers editor');
    return res;
  };
  const ok = await runWithToken();
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.data.viewer.token, { name: 'E2E token', readOnly: true });
  assert.equal(ok.body.data.viewer.user.name, env.server.admin.name);
  assert.deepEqual(ok.body.data.projects.edges.map((e) => e.node.title), ['Downtown Bike Network'], 'the token sees only its allowed project');
  await page.locator('.graphiql-response', { hasText: 'Downtown Bike Network' }).waitFor();
  await checkPage(pg, 'docs-query-with-token', ours);

  await page.goto(env.server.url + '/settings/api');
  await page.getByRole('link', { name: 'Revoke E2E token' }).click();
  await page.getByRole('button', { name: 'Revoke token' }).click();
  const refused = await runWithToken();
  assert.equal(refused.status, 401);
  assert.equal(refused.body.errors?.[0]?.extensions?.code, 'UNAUTHENTICATED', JSON.stringify(refused.body));
  await page.locator('.graphiql-response', { hasText: 'UNAUTHENTICATED' }).waitFor();
  await assertNoProblems(pg);
});

test('a query with an error shows its underline, breaks no CSP rule, and logs no error', async () => {
  const pg = await newPage(env);
  const { page } = pg;
  await signIn(page, env.server);
  await editorReady(page);
  for (const broken of ['query Unknown { noSuchField }', 'query Unclosed { viewer {', '{ projects(first: "ten") { totalCount } }']) {
    await setEditor(page, '.graphiql-query-editor', broken);
    const underline = page.locator('.graphiql-query-editor .squiggly-error').first();
    await underline.waitFor();
    const image = await underline.evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.match(image, /^url\("data:image\/svg\+xml/, `the underline of ${broken} is the editor's data: image`);
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response', { hasText: 'GRAPHQL_' }).waitFor();
  }
  await checkPage(pg, 'docs-query-error', ours);
  await assertNoProblems(pg);
});

test('Run right after the query was replaced sends the new operation', async () => {
  const pg = await newPage(env);
  const { page } = pg;
  await signIn(page, env.server);
  await editorReady(page);
  await page.locator('.graphiql-query-editor', { hasText: 'WhoAmI' }).waitFor();
  // Replaced and run at once, before GraphiQL reads the editor again.
  await setEditor(page, '.graphiql-query-editor', 'query Replaced { viewer { user { name } } }');
  const res = await run(page, 'Replaced', { byKeyboard: true });
  assert.equal(res.sent.operationName, 'Replaced');
  assert.equal(res.status, 200);
  assert.equal(res.body.errors, undefined, JSON.stringify(res.body));
  await setEditor(page, '.graphiql-query-editor', '{ viewer { user { email } } }');
  const anonymous = await run(page, 'email', { byKeyboard: true });
  assert.equal(anonymous.sent.operationName, undefined, 'an anonymous operation is sent without a name');
  assert.equal(anonymous.body.errors, undefined, JSON.stringify(anonymous.body));
  await assertNoProblems(pg);
});

test('the examples and "API by area" panels load operations and open the documentation', async () => {
  const pg = await newPage(env);
  const { page } = pg;
  await signIn(page, env.server);
  await editorReady(page);

  // "API by area", open at first: headings in order, and none skipped.
  const levels = await page
    .locator('.engage-panel')
    .evaluate((panel) => [...panel.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])));
  assert.equal(levels[0], 2, 'the panel starts with a second-level heading, under the page’s');
  assert.ok(levels.every((l, i) => i === 0 || l <= levels[i - 1] + 1), `no heading level skipped: ${levels}`);
  await checkPage(pg, 'docs-areas', ours);

  await page.getByRole('button', { name: 'Show Examples' }).click();
  await checkPage(pg, 'docs-examples', ours);
  const example = page.locator('[data-example="surveys/analyst-export"]');
  await example.getByRole('button', { name: 'Load into the editor' }).click();
  await page.locator('.graphiql-query-editor', { hasText: 'AnalystExport' }).waitFor();
  const exported = await run(page, 'AnalystExport');
  assert.equal(exported.body.errors, undefined, JSON.stringify(exported.body.errors));
  assert.equal(exported.body.data.projects.edges[0].node.title, 'Downtown Bike Network');
  await page.locator('.graphiql-response', { hasText: 'Bike Lane Priorities' }).waitFor();

  // A name opens the documentation explorer there; Try starts an operation.
  await page.getByRole('button', { name: 'Show API by area' }).click();
  await page.locator('.engage-area', { hasText: 'Surveys' }).locator('summary').click();
  // Surveys link to their exports on the demo data.
  const csvLink = page.locator('.engage-area', { hasText: 'Surveys' }).getByRole('link', { name: 'Responses as CSV' });
  assert.match(await csvLink.getAttribute('href'), /^\/exports\/surveys\/svy_\w+\/responses\.csv\?bom=1$/);
  await page.locator('.engage-area', { hasText: 'Surveys' }).getByRole('button', { name: 'responses', exact: true }).click();
  await page.locator('.graphiql-doc-explorer', { hasText: 'Lists the responses' }).waitFor();
  await page.getByRole('button', { name: 'Show API by area' }).click();
  await page.getByRole('button', { name: 'Try projects', exact: true }).click();
  await page.locator('.graphiql-query-editor', { hasText: 'query Projects(' }).waitFor();
  const tried = await run(page, 'query Projects(');
  assert.equal(tried.body.errors, undefined, JSON.stringify(tried.body.errors));
  assert.ok(tried.body.data.projects.totalCount > 0);

  // "Details" of an example shows it in the Examples panel.
  await page.locator('.engage-area', { hasText: 'Tokens' }).locator('summary').click();
  await page.getByRole('button', { name: 'Details of the example Create a token' }).click();
  await page.locator('[data-example="tokens/create-token"] summary', { hasText: 'Response on the demo data' }).click();
  await page.locator('[data-example="tokens/create-token"] pre', { hasText: '<secret>' }).waitFor();
  await assertNoProblems(pg);
});

test('the page fits a laptop and a phone: the welcome whole, a stacked layout, Run in reach', async () => {
  for (const width of widths) {
    const pg = await newPage(env, width);
    const { page } = pg;
    await signIn(page, env.server);
    await editorReady(page);
    await page.locator('.graphiql-query-editor', { hasText: 'Welcome to the Engage API' }).waitFor();
    const cut = await page.evaluate(() => {
      const right = document.querySelector('.graphiql-query-editor .monaco-editor').getBoundingClientRect().right;
      return [...document.querySelectorAll('.graphiql-query-editor .view-line > span')]
        .filter((line) => line.getBoundingClientRect().right > right)
        .map((line) => line.textContent);
    });
    assert.deepEqual(cut, [], `at ${width} px no line of the editor is cut off`);
    const runButton = await page.locator('.graphiql-execute-button').boundingBox();
    assert.ok(runButton.x + runButton.width <= width, `at ${width} px Run is within the window`);
    const res = await run(page, 'WhoAmI');
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body));
    const response = await page.locator('.graphiql-response').boundingBox();
    if (width < 768) {
      const editors = await page.locator('.graphiql-editors').boundingBox();
      assert.ok(response.y >= editors.y + editors.height, 'on a phone the response is below the editor');
      assert.ok(response.width >= width * 0.8, `on a phone the response is about as wide as the window, got ${response.width} px`);
    }
    await checkPage(pg, 'docs', ours);
    // A phone's window starts with no panel above the editor.
    const panel = page.locator('.engage-panel');
    assert.equal(await panel.isVisible(), width >= 768, `at ${width} px the panel is open at first on a laptop only`);
    if (width < 768) await page.getByRole('button', { name: 'Show API by area' }).click();
    await panel.waitFor();
    await checkPage(pg, 'docs-areas-panel', ours);
    await assertNoProblems(pg);
  }
});

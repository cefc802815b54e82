// The browser test of the token page, /settings/api, signed in as the demo
// administrator with the password `engage demo` printed: a token created
// once however the form is sent, its secret shown once and focused; the
// expiry presets; rename and regenerate; revoke; the account menu; a
// session that ends while the form is being filled. Every page is checked
// at 1280 and 390 pixels (no horizontal overflow, no axe-core violation,
// a screenshot in screenshots/), and no page may log an error, break its
// Content-Security-Policy or reach another host.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertNoProblems, checkPage, newPage, signIn, statusWithToken, useDemoServer, widths } from './browser.js';

const env = useDemoServer();

/** The rows of the page's "Your tokens" table named name. */
const rowsNamed = (page, name) =>
  page.locator('section[aria-labelledby="mine-title"] tbody tr', { has: page.locator('.token-name', { hasText: new RegExp(`^${name}$`) }) });

/** The number of tokens named name on a fresh token page. */
async function countTokens(page, name) {
  await page.goto(env.server.url + '/settings/api');
  return rowsNamed(page, name).count();
}

/**
 * The element that has the focus once the page has loaded and drawn
 * itself (autofocus applies then): its id, or its tag and text.
 */
async function focused(page) {
  await page.waitForLoadState('load');
  return page.evaluate(async () => {
    await new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn)));
    const el = document.activeElement;
    return el === document.body ? 'body' : el.id || `${el.tagName.toLowerCase()} ${el.textContent.trim()}`;
  });
}

test('a token is created once, however often its form is sent, and its secret shown once', async () => {
  const pg = await newPage(env, 1280, {
    // A form to correct answers 400, with the form and what to correct.
    expected: (url, status) => status === 400 && url.pathname === '/settings/api/tokens',
  });
  const { page } = pg;
  await signIn(page, env.server, '/settings/api');
  await checkPage(pg, 'tokens');

  // A double click on Create token.
  await page.getByLabel('Name', { exact: true }).fill('Double click');
  const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/settings/api/tokens'));
  await page.getByRole('button', { name: 'Create token' }).dblclick();
  const form = (await posted).postData();
  await page.locator('#secret').waitFor();
  const secret = await page.locator('#secret').inputValue();
  assert.match(secret, /^eng_[0-9A-Za-z]{36,}$/, 'the page shows the secret');
  assert.equal(await focused(page), 'secret', 'the focus is on the new secret');
  assert.match(await page.locator('.created').innerText(), /will not be shown again/);
  assert.equal(new URL(page.url()).pathname, '/settings/api', 'the secret is on the page after the redirect');
  await page.getByRole('button', { name: 'Copy' }).click();
  await checkPage(pg, 'tokens-created');
  assert.equal(await rowsNamed(page, 'Double click').count(), 1, 'a double click creates one token');

  // Reload, Back and Forward show the page again, never the secret, and
  // create nothing.
  await page.reload();
  assert.equal(await page.locator('#secret').count(), 0, 'a reload does not show the secret again');
  await page.goBack();
  await page.goForward();
  assert.equal(await page.locator('#secret').count(), 0, 'Back and Forward do not show the secret again');
  // The form sent again as it was, nonce and all, as a browser resends it.
  const resent = await page.request.post(env.server.url + '/settings/api/tokens', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
    data: form,
  });
  assert.equal(resent.status(), 200, 'the form sent again leads to the token page');
  assert.equal(await countTokens(page, 'Double click'), 1, 'after reload, Back and a resent form: still one token');
  assert.equal(await statusWithToken(env.server, secret), 200, 'the secret works');

  // The same name again is refused, with the form kept and the name focused.
  await page.getByLabel('Name', { exact: true }).fill('double CLICK');
  await page.getByLabel('Description').fill('kept as typed');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.locator('#form-error').waitFor();
  assert.match(await page.locator('#form-error').innerText(), /You have a live token named “double CLICK” already/);
  assert.equal(await focused(page), 'name', 'the focus is on the field to correct');
  assert.equal(await page.getByLabel('Description').inputValue(), 'kept as typed');
  await checkPage(pg, 'tokens-error');
  await assertNoProblems(pg);
});

test('the expiry presets, a date, and never with a warning', async () => {
  const pg = await newPage(env);
  const { page } = pg;
  await signIn(page, env.server, '/settings/api');
  const expiry = page.getByRole('group', { name: 'Expires' });
  for (const label of ['7 days', '30 days', '60 days', '90 days', 'On a date', 'Never']) {
    assert.ok(await expiry.getByLabel(label, { exact: false }).first().isVisible(), `the expiry offers ${label}`);
  }
  assert.ok(await page.getByLabel(/^30 days/).isChecked(), '30 days is the default');
  assert.match(await page.locator('#never-warning').innerText(), /Not recommended/);

  const day = (d) => d.toISOString().slice(0, 10);
  const in7 = new Date(Date.now() + 7 * 864e5);
  for (const { name, choose, expires } of [
    { name: 'Seven days', choose: () => page.getByLabel(/^7 days/).check(), expires: day(in7) },
    {
      name: 'On a date',
      choose: async () => {
        await page.getByLabel('On a date').check();
        await page.getByLabel('Expiry date').fill('2031-05-17');
      },
      expires: '2031-05-17',
    },
    { name: 'Forever', choose: () => page.getByLabel('Never').check(), expires: 'Never' },
  ]) {
    await page.getByLabel('Name', { exact: true }).fill(name);
    await choose();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('#secret').waitFor();
    const cell = rowsNamed(page, name).locator('td[data-label="Expires"]');
    const shown = expires === 'Never' ? await cell.innerText() : (await cell.locator('time').getAttribute('datetime')).slice(0, 10);
    assert.equal(shown, expires, `the expiry of “${name}”`);
  }
  await assertNoProblems(pg);
});

test('rename, regenerate and revoke a token, each on its own page', async () => {
  const pg = await newPage(env);
  const { page } = pg;
  await signIn(page, env.server, '/settings/api');
  await page.getByLabel('Name', { exact: true }).fill('Warehouse');
  await page.getByRole('button', { name: 'Create token' }).click();
  const oldSecret = await page.locator('#secret').inputValue();

  // Rename.
  await rowsNamed(page, 'Warehouse').getByRole('link', { name: 'Rename Warehouse' }).click();
  assert.equal(await focused(page), 'name', 'the rename page focuses the name');
  await checkPage(pg, 'token-rename');
  await page.getByLabel('New name').fill('Nightly warehouse');
  await page.getByLabel('Description').fill('Loads the data warehouse at night');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.waitForURL(env.server.url + '/settings/api');
  assert.match(await page.getByRole('status').innerText(), /“Warehouse” is now named “Nightly warehouse”/);
  assert.equal(await rowsNamed(page, 'Nightly warehouse').count(), 1);
  assert.match(await rowsNamed(page, 'Nightly warehouse').locator('.description').innerText(), /Loads the data warehouse at night/);

  // Regenerate: the confirmation focuses nothing; the new secret is shown
  // once and focused; the old one stops working.
  await rowsNamed(page, 'Nightly warehouse').getByRole('link', { name: 'Regenerate the secret of Nightly warehouse' }).click();
  assert.equal(await focused(page), 'body', 'the regenerate page focuses no button');
  await checkPage(pg, 'token-regenerate');
  await page.getByRole('button', { name: 'Regenerate the secret' }).dblclick();
  await page.locator('#secret').waitFor();
  const newSecret = await page.locator('#secret').inputValue();
  assert.notEqual(newSecret, oldSecret);
  assert.equal(await focused(page), 'secret', 'the focus is on the new secret');
  assert.match(await page.locator('.created').innerText(), /The old secret has stopped working/);
  assert.equal(await statusWithToken(env.server, oldSecret), 401, 'the old secret is refused');
  assert.equal(await statusWithToken(env.server, newSecret), 200, 'the new secret works, once regenerated however often clicked');

  // Revoke: the confirmation does not focus the destructive button.
  await rowsNamed(page, 'Nightly warehouse').getByRole('link', { name: 'Revoke Nightly warehouse' }).click();
  assert.equal(await focused(page), 'body', 'the revoke page focuses no button');
  await checkPage(pg, 'token-revoke');
  await page.getByRole('button', { name: 'Revoke token' }).click();
  await page.waitForURL(env.server.url + '/settings/api');
  assert.match(await page.getByRole('status').innerText(), /“Nightly warehouse” is revoked/);
  assert.match(await rowsNamed(page, 'Nightly warehouse').locator('.status').innerText(), /revoked/);
  assert.equal(await statusWithToken(env.server, newSecret), 401, 'a revoked token is refused');
  await assertNoProblems(pg);
});

test('the account menu leads to the token page and signs out, by keyboard', async () => {
  const pg = await newPage(env);
  const { page } = pg;
  await signIn(page, env.server, '/docs/api');
  const summary = page.locator('.user-menu summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: 'API', exact: true }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('.user-menu').getAttribute('open'), null, 'Escape closes the menu');
  assert.equal(await focused(page), 'summary Account menu of Ada Admin', 'the focus returns to the menu button');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(env.server.url + '/settings/api');
  await summary.click();
  await checkPage(pg, 'account-menu', ['.site-header']);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
  await checkPage(pg, 'login');
  await assertNoProblems(pg);
});

test('a session that ends while the form is filled returns, after signing in, to the form as typed', async () => {
  const pg = await newPage(env);
  const { page, context } = pg;
  await signIn(page, env.server, '/settings/api');
  await page.getByLabel('Name', { exact: true }).fill('Typed before lunch');
  await page.getByLabel('Description').fill('Half an hour of typing');
  await page.getByLabel(/^7 days/).check();
  await page.getByLabel('Read only').check();
  await page.getByLabel('Downtown Bike Network').check();

  // The session ends on the server: the browser's cookie names none.
  await context.addCookies([{ name: 'engage_session', value: 'a-session-that-ended', url: env.server.url }]);
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.waitForURL(/\/login\?next=\/settings\/api$/);
  await page.getByLabel('Email').fill(env.server.admin.email);
  await page.getByLabel('Password').fill(env.server.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(env.server.url + '/settings/api');

  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Typed before lunch');
  assert.equal(await page.getByLabel('Description').inputValue(), 'Half an hour of typing');
  assert.ok(await page.getByLabel(/^7 days/).isChecked());
  assert.ok(await page.getByLabel('Read only').isChecked());
  assert.ok(await page.getByLabel('Downtown Bike Network').isChecked());
  assert.equal(await rowsNamed(page, 'Typed before lunch').count(), 0, 'nothing was created while signed out');
  await page.getByRole('button', { name: 'Create token' }).click();
  await page.locator('#secret').waitFor();
  assert.equal(await rowsNamed(page, 'Typed before lunch').count(), 1);
  await assertNoProblems(pg);
});

test('the pages fit a phone and a laptop, with no axe-core violation', async () => {
  for (const width of widths) {
    const pg = await newPage(env, width);
    const { page } = pg;
    await page.goto(env.server.url + '/login');
    await checkPage(pg, 'login');
    await signIn(page, env.server, '/settings/api');
    await page.getByLabel('Name', { exact: true }).fill(`Fits ${width}`);
    await page.getByLabel('Description').fill('A description long enough to wrap on a phone, and then some more words.');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('#secret').waitFor();
    await checkPage(pg, 'tokens-created');
    // Every row's status is in sight, beside its name.
    for (const row of await page.locator('tbody tr').all()) {
      const box = await row.locator('.status').boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= width, `a status at ${width} px is within the window`);
    }
    const id = await rowsNamed(page, `Fits ${width}`).getAttribute('data-token-id');
    for (const action of ['rename', 'regenerate', 'revoke']) {
      await page.goto(`${env.server.url}/settings/api/tokens/${id}/${action}`);
      await checkPage(pg, `token-${action}`);
    }
    await assertNoProblems(pg);
  }
});

// What the browser tests share: a server with the demo data, Debian's
// chromium, pages that record every problem (console errors, failed
// requests, Content-Security-Policy violations, requests to other hosts),
// sign-in, and the checks every page passes: no horizontal overflow, no
// axe-core violation, a screenshot.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before } from 'node:test';
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

/** The widths every page is checked at: a laptop's and a phone's. */
export const widths = [1280, 390];

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Starts a server on a fresh database with the demo data, loaded by
 * `engage demo`, and returns it with the demo administrator's login, read
 * from the passwords the command prints.
 */
export async function startDemoServer() {
  await mkdir(shots, { recursive: true });
  return startServer({
    async prepare(bin, db) {
      const out = await engage(bin, ['demo', '--database-url', db]);
      const line = out.split('\n').find((l) => l.startsWith('admin '));
      const [, email, password] = line?.split(/\s+/) ?? [];
      assert.ok(email && password, `engage demo printed no admin login:\n${out}`);
      return { admin: { email, password, name: 'Ada Admin' } };
    },
  });
}

/**
 * Starts a demo server and the browser before the tests of the file that
 * calls it, and stops them after; returns {server, browser}, set once they
 * run.
 */
export function useDemoServer() {
  const env = {};
  before(async () => {
    env.server = await startDemoServer();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** Starts Debian's chromium; no browser is downloaded. */
export function launch() {
  return chromium.launch({ executablePath: chromiumPath, args: launchArgs });
}

/**
 * A new page of width in env's browser that records problems: console
 * errors, CSP violations, responses of 400 and more (but those of
 * expected), script errors, and requests to hosts other than env's server,
 * which it refuses.
 * @param {{expected?: (url: URL, status: number) => boolean}} [opts]
 */
export async function newPage({ browser, server }, width = 1280, opts = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  // Violations as the page sees them, besides the console's word.
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    // Failed responses are checked by URL below; the console does not say which.
    if (/^Failed to load resource/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !opts.expected?.(new URL(r.url()), r.status())) problems.push(`HTTP ${r.status()} for ${r.url()}`);
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
  return { page, context, problems, width };
}

/** Asserts that the page met no problem, CSP violations included. */
export async function assertNoProblems({ page, problems }) {
  const violations = await page.evaluate(() => window.__cspViolations ?? []);
  assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
  assert.deepEqual(problems, [], 'no console error, failed request or request to another host');
}

/** Signs in as server's demo administrator at the login page that path leads to, and waits for path. */
export async function signIn(page, server, path = '/docs/api') {
  const login = server.admin;
  await page.goto(server.url + path);
  assert.match(new URL(page.url()).pathname, /^\/login$/, `${path} signed out leads to the login page`);
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(server.url + path);
}

/**
 * Checks the page as it is: no horizontal overflow of the window or of its
 * main content, no axe-core violation within include (CSS selectors; the
 * whole page by default), and a screenshot named name-width.png.
 */
export async function checkPage({ page, width }, name, include = ['body']) {
  const overflow = await page.evaluate(() =>
    [document.documentElement, document.querySelector('main')]
      .filter(Boolean)
      .map((el) => ({ el: el.tagName, scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }))
      .filter((o) => o.scrollWidth > o.clientWidth),
  );
  assert.deepEqual(overflow, [], `${name} at ${width} px: no horizontal overflow`);
  await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  // Injected by the test through the DevTools protocol, which the page's
  // CSP (no inline script, no eval) does not govern.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(
    async (include) =>
      (await window.axe.run({ include: include.map((s) => [s]) })).violations.map(
        (v) => `${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
    include,
  );
  assert.deepEqual(violations, [], `${name} at ${width} px: no axe-core violation`);
}

/** Puts text into a Monaco editor of GraphiQL, replacing what it holds. */
export async function setEditor(page, selector, text) {
  const editor = page.locator(selector.includes('data-uri') ? selector : `${selector} .monaco-editor`).first();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // insertText does not type key by key, so Monaco's auto-closing of
  // brackets and quotes does not double them (on a single line).
  await page.keyboard.insertText(text);
}

/** Sends an API request with a bearer token from the test, not the page; returns the status. */
export async function statusWithToken(server, secret) {
  const res = await fetch(server.url + '/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: '{ viewer { user { name } } }' }),
  });
  await res.arrayBuffer();
  return res.status;
}

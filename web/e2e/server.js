// Starts a real Engage server for the tests that drive one from outside:
// the browser test (this folder) and the GraphQL-over-HTTP audit
// (api/conformance). It builds the binary from this checkout and serves a
// fresh SQLite database that the caller prepares.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The repository's root, where `go build .` builds the engage binary. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Runs the engage binary bin with args; input, when given, is its standard input. Returns its standard output. */
export async function engage(bin, args, input) {
  if (input === undefined) {
    const { stdout } = await execFileAsync(bin, args, { maxBuffer: 16 << 20 });
    return stdout;
  }
  return new Promise((ok, fail) => {
    const p = execFile(bin, args, { maxBuffer: 16 << 20 }, (err, stdout) => (err ? fail(err) : ok(stdout)));
    p.stdin.end(input);
  });
}

/** Returns a TCP port that is free on 127.0.0.1 now. */
async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Builds the binary, awaits prepare(bin, db) to fill the fresh database db,
 * and runs `engage serve` on it on a free port with serveArgs added. Returns
 * what prepare returned, with url (the server's root), logs (everything the
 * server wrote) and stop, which ends the server and waits for its last line.
 */
export async function startServer({ prepare, serveArgs = [] }) {
  const dir = await mkdtemp(join(tmpdir(), 'engage-test-'));
  const bin = join(dir, 'engage');
  const db = join(dir, 'test.db');
  await execFileAsync('go', ['build', '-o', bin, '.'], { cwd: root, maxBuffer: 16 << 20 });
  const prepared = await prepare(bin, db);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logs = [];
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--database-url', db, ...serveArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(String(d)));
  child.stderr.on('data', (d) => logs.push(String(d)));
  const exited = new Promise((ok) => child.on('exit', ok));

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url + '/readyz');
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the server did not start:\n${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    ...prepared,
    url,
    logs,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Starts a real Engage server for the audit: the binary built from this
// checkout on a fresh SQLite database, with an administrator and a token of
// theirs.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root, where `go build .` builds the engage binary. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

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
 * Builds the binary, creates an administrator and a token, and serves on a
 * free port. Returns {url, token, logs, stop}; logs holds everything the
 * server wrote, and stop ends the server and waits for its last line.
 */
export async function startServer() {
  const dir = await mkdtemp(join(tmpdir(), 'engage-conformance-'));
  const bin = join(dir, 'engage');
  const db = join(dir, 'conformance.db');
  await run('go', ['build', '-o', bin, '.'], { cwd: root, maxBuffer: 16 << 20 });
  const email = 'conformance@example.test';
  await run(bin, ['user', 'create', '--database-url', db, '--email', email, '--name', 'Conformance', '--role', 'ADMIN']);
  const { stdout } = await run(bin, ['token', 'create', '--database-url', db, '--email', email, '--name', 'graphql-http audit']);
  const token = stdout.trim();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  const logs = [];
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--database-url', db, '--log-level', 'debug'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(String(d)));
  child.stderr.on('data', (d) => logs.push(String(d)));
  const exited = new Promise((ok) => child.on('exit', ok));

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
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
    url,
    token,
    logs,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

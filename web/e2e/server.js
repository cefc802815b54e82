// Starts a real Engage server for the browser test: the binary built from
// this checkout, a fresh SQLite database with the demo data, and an
// administrator with a known password.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root, where `go build .` builds the engage binary. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The administrator the test signs in as. */
export const admin = { email: 'e2e-admin@example.test', name: 'Eve E2E', password: 'correct-horse-battery-e2e' };

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
 * Builds the binary, loads the demo data, creates the administrator and
 * serves on a free port. Returns {url, stop, logs}.
 */
export async function startServer() {
  const dir = await mkdtemp(join(tmpdir(), 'engage-e2e-'));
  const bin = join(dir, 'engage');
  const db = join(dir, 'e2e.db');
  await run('go', ['build', '-o', bin, '.'], { cwd: root, maxBuffer: 16 << 20 });
  // engage demo loads the demo data into the empty database; the user comes
  // after, since the demo loads only into an empty one.
  await run(bin, ['demo', '--database-url', db], { maxBuffer: 16 << 20 });
  await new Promise((ok, fail) => {
    const p = execFile(
      bin,
      ['user', 'create', '--database-url', db, '--email', admin.email, '--name', admin.name, '--role', 'ADMIN', '--password-stdin'],
      (err) => (err ? fail(err) : ok()),
    );
    p.stdin.end(admin.password + '\n');
  });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logs = [];
  const child = spawn(bin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--database-url', db], {
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
    url,
    logs,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

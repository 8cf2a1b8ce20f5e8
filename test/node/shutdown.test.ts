import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** `promise`, or a rejection naming `what` after `ms`: every wait below is on an event, bounded. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * The server as `npm start` runs it (the build in dist/server, which `npm test` makes first) on
 * 127.0.0.1, a random port and a fresh database; resolves with its address.
 */
async function start(db: string) {
  const entry = join(ROOT, 'dist/server/start.mjs');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build:server (npm test does)`);
  // node itself, not npm: the signal goes to the server, not through a relay.
  child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: ROOT,
    env: { ...process.env, KK_HOST: '127.0.0.1', PORT: '0', KK_DB: db, KK_AUTH: 'dev', KK_DEMO: '0', KK_DEV_SECRET: 'a-test-secret-of-some-length' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const seen: { re: RegExp; resolve: () => void }[] = [];
  const take = (d: Buffer) => {
    out += d;
    for (const w of seen.splice(0)) if (w.re.test(out)) w.resolve();
    else seen.push(w);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  /** Resolves once the server's output matches `re` (it may already have). */
  const printed = (re: RegExp, ms: number) =>
    within(
      ms,
      `output ${re}: ${out}`,
      new Promise<void>((resolve, reject) => {
        if (re.test(out)) return resolve();
        seen.push({ re, resolve });
        void exited.then((code) => reject(new Error(`server exited (${code}) before ${re}: ${out}`)));
      }),
    );
  await printed(/Kompetenskoll: (http:\S+)/, 20_000);
  const url = /Kompetenskoll: (http:\S+)/.exec(out)![1];
  return { url, exited, printed, output: () => out };
}

it('finishes the request in flight on SIGTERM, refuses new ones, exits 0 and leaves a checkpointed database', async () => {
  dir = mkdtempSync(join(tmpdir(), 'kk-stop-'));
  const db = join(dir, 'kk.db');
  const server = await start(db);
  const { token } = await (
    await fetch(`${server.url}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ employeeNumber: 'ADM1', roles: [{ role: 'admin' }] }) })
  ).json();

  // A slow client: the headers and part of the body now, the rest after SIGTERM. `Expect:
  // 100-continue` makes Node's server answer "100 Continue" as soon as it has parsed the headers:
  // the client's 'continue' event is the proof that the request is in the server's hands.
  const body = Buffer.from(JSON.stringify({ code: 'SLOW', title: 'Långsam kurs', kind: 'web' }));
  const req = request(`${server.url}/api/courses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}`, expect: '100-continue' },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
  });
  const inFlight = new Promise<void>((resolve) => req.once('continue', resolve));
  req.flushHeaders();
  await within(10_000, 'the server to take the request (100 Continue)', inFlight);
  req.write(body.subarray(0, 10));

  child!.kill('SIGTERM');
  // The shutdown line is written after server.close() has been called: it listens no more.
  await server.printed(/"event":"shutdown"/, 10_000);
  const late = await fetch(`${server.url}/api/health`).then(
    () => 'answered',
    () => 'refused',
  );
  expect(late).toBe('refused');
  // Still serving the request it holds.
  req.end(body.subarray(10));

  const res = await within(10_000, 'the answer to the request in flight', answer);
  expect(res.status, res.body).toBe(201);
  expect(await within(15_000, 'the server to exit', server.exited)).toBe(0);
  expect(server.output()).toContain('"event":"shutdown"');
  // The request log, written in batches once a turn, still reaches stdout.
  expect(server.output()).toMatch(/"method":"POST","route":"\/api\/courses","status":201/);

  // Closed cleanly: no write-ahead log left to replay, the course is in the file itself.
  expect(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0).toBe(true);
  const check = new BetterSqlite3(db, { readonly: true });
  try {
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.prepare('SELECT title_sv FROM course WHERE code = ?').get('SLOW')).toEqual({ title_sv: 'Långsam kurs' });
  } finally {
    check.close();
  }
});

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let child: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `tsx server/node.ts` on 127.0.0.1, a random port and a fresh database; resolves with its address. */
async function start(db: string) {
  child = spawn(TSX, ['server/node.ts'], {
    cwd: ROOT,
    env: { ...process.env, KK_HOST: '127.0.0.1', PORT: '0', KK_DB: db, KK_AUTH: 'dev', KK_DEMO: '0', KK_DEV_SECRET: 'a-test-secret-of-some-length' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  for (let i = 0; i < 300 && !/Kompetenskoll: (http:\S+)/.test(out); i++) await sleep(50);
  const url = /Kompetenskoll: (http:\S+)/.exec(out)?.[1];
  if (!url) throw new Error(`server did not start: ${out}`);
  return { url, exited, output: () => out };
}

it('finishes the request in flight on SIGTERM, refuses new ones, exits 0 and leaves a checkpointed database', async () => {
  dir = mkdtempSync(join(tmpdir(), 'kk-stop-'));
  const db = join(dir, 'kk.db');
  const server = await start(db);
  const { token } = await (
    await fetch(`${server.url}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ employeeNumber: 'ADM1', roles: [{ role: 'admin' }] }) })
  ).json();

  // A slow client: the headers and half the body now, the rest after SIGTERM.
  const body = Buffer.from(JSON.stringify({ code: 'SLOW', title: 'Långsam kurs', kind: 'web' }));
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${server.url}/api/courses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, authorization: `Bearer ${token}` },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.write(body.subarray(0, 10));
    setTimeout(() => {
      child!.kill('SIGTERM');
      setTimeout(async () => {
        // Stopped listening, but still serving the request it holds.
        const late = await fetch(`${server.url}/api/health`).then(
          () => 'answered',
          () => 'refused',
        );
        expect(late).toBe('refused');
        req.end(body.subarray(10));
      }, 400);
    }, 300);
  });

  const res = await answer;
  expect(res.status, res.body).toBe(201);
  expect(await server.exited).toBe(0);
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

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The real Node entry as its own process, on a random port and a database in a temporary folder. */
export interface ServerProcess {
  base: string;
  dbFile: string;
  child: ChildProcess;
  exited: Promise<void>;
  token(roles?: { role: string; unit?: string }[]): Promise<string>;
  stop(): void;
}

const root = new URL('../../', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'kk-proc-'));
  // A file of its own, or the one given (a restart on the database another server left).
  const dbFile = env.KK_DB ?? join(dir, 'kk.db');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // `node --import tsx` rather than the tsx wrapper: the wrapper runs the server in a child
  // process of its own, which a SIGKILL to the wrapper would leave running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/node.ts'], {
    cwd: root,
    env: { ...process.env, KK_AUTH: 'dev', KK_DEMO: '0', KK_DB: dbFile, PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    void exited.then(() => rmSync(dir, { recursive: true, force: true }));
  };
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300 || child.exitCode !== null) {
      stop();
      throw new Error('server did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    dbFile,
    child,
    exited,
    stop,
    async token(roles = [{ role: 'admin' }]) {
      const res = await fetch(`${base}/api/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ employeeNumber: 'ADMIN', roles }),
      });
      return ((await res.json()) as { token: string }).token;
    },
  };
}

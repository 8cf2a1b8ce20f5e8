import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './server.ts';

/** `npm run dev:worker` as its own process group (wrangler and workerd under it). */
export interface DevWorker {
  url: string;
  child: ChildProcess;
  /** The last of what it printed, for an error's message. */
  log(): string;
  /** Ends the whole group: SIGTERM, then SIGKILL if it has not gone within 10 s. */
  stop(): Promise<void>;
}

/**
 * The Worker under local `wrangler dev` on a free loopback port, with development sign-in, its
 * own local D1, R2 and queue under `stateDir`, and `vars` (`NAME:value`, `wrangler dev --var`);
 * resolves once it answers /api/health. Used by `npm run bench -- --workers` and the component
 * test against the Worker.
 */
export async function startDevWorker(stateDir: string, vars: string[], { env = {}, timeoutMs = 300_000 }: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<DevWorker> {
  const port = await freePort();
  const child = spawn('npm', ['run', 'dev:worker', '--', '--port', String(port), '--ip', '127.0.0.1', '--var', 'KK_AUTH:dev', ...vars.flatMap((v) => ['--var', v]), '--persist-to', stateDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...env },
  });
  let out = '';
  const take = (b: Buffer) => void (out = (out + b.toString()).slice(-40_000));
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!gone) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dev:worker exited:\n${out}`);
      try {
        if ((await fetch(`${url}/api/health`)).ok) break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`dev:worker did not answer within ${timeoutMs / 1000} s:\n${out}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, child, log: () => out, stop };
}

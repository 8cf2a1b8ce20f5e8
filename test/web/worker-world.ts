/**
 * A component test's world on Workers: `npm run dev:worker` (wrangler dev: workerd with local D1,
 * R2 and Queues, the built bundle in dist/web served as its static assets) on a free port with
 * its own emptied state, and Debian's Chromium on a page of that origin. As bench/workers.ts
 * starts it; its process group is ended by `close()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromePath } from './support.ts';

export interface WorkerWorld {
  url: string;
  browser: Browser;
  /** A page of the Worker's origin holding only the bundle (and axe), with a `<main>` to mount in. */
  page(width?: number): Promise<Page>;
  /** A bearer token from POST /api/dev/token. */
  token(employeeNumber: string, roles: { role: string; unit: string | null }[]): Promise<string>;
  /** What wrangler printed last, for a failure's message. */
  log(): string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// The Worker serves no page of this kind: the test writes one into a page of its origin, so that
// the bundle, its chunks and the API are all same-origin as on a real deployment.
const BLANK =
  '<!doctype html><html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test</title>' +
  '<script type="module" src="/kompetenskoll.js"></script></head><body><main id="main"></main></body></html>';

/** `vars` are `NAME:value` pairs for `wrangler dev --var`. */
export async function startWorkerWorld(vars: string[]): Promise<WorkerWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'kk-web-worker-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'npm',
    ['run', 'dev:worker', '--', '--port', String(port), '--ip', '127.0.0.1', '--var', 'KK_AUTH:dev', ...vars.flatMap((v) => ['--var', v]), '--persist-to', join(dir, 'state')],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', KK_WEB_BUILT: '1' } },
  );
  let out = '';
  const take = (b: Buffer) => void (out = (out + b.toString()).slice(-20_000));
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
    const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!killed) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  };
  const url = `http://127.0.0.1:${port}`;
  let browser: Browser | undefined;
  try {
    const deadline = Date.now() + 240_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dev:worker exited:\n${out}`);
      try {
        if ((await fetch(`${url}/api/health`)).ok) break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`dev:worker did not answer within 240 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    browser = await chromium.launch({
      executablePath: chromePath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  } catch (e) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const b = browser;
  return {
    url,
    browser: b,
    async page(width = 1280) {
      const page = await b.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
      page.on('pageerror', (e) => console.error('pageerror:', e.message));
      await page.goto(`${url}/accessibility`);
      await page.setContent(BLANK);
      await page.waitForFunction(() => !!customElements.get('kk-my-training'));
      // Not among the Worker's assets: put in the page for support.ts expectNoAxeViolations.
      await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
      return page;
    },
    async token(employeeNumber, roles) {
      const res = await fetch(`${url}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ employeeNumber, roles }) });
      if (!res.ok) throw new Error(`dev token: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    log: () => out,
    async close() {
      await b.close().catch(() => undefined);
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

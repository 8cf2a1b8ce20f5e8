/**
 * A component test's world on Workers: `npm run dev:worker` (wrangler dev: workerd with local D1,
 * R2 and Queues, the built bundle in dist/web served as its static assets) on a free port with
 * its own emptied state, and Debian's Chromium on a page of that origin. As bench/workers.ts
 * starts it; its process group is ended by `close()`.
 */
import { startDevWorker } from '../../bench/dev-worker.ts';
import { mkdtempSync, rmSync } from 'node:fs';
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

// The Worker serves no page of this kind: the test writes one into a page of its origin, so that
// the bundle, its chunks and the API are all same-origin as on a real deployment.
const BLANK =
  '<!doctype html><html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test</title>' +
  '<script type="module" src="/kompetenskoll.js"></script></head><body><main id="main"></main></body></html>';

/** `vars` are `NAME:value` pairs for `wrangler dev --var`. */
export async function startWorkerWorld(vars: string[]): Promise<WorkerWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'kk-web-worker-'));
  const worker = await startDevWorker(join(dir, 'state'), vars, { env: { KK_WEB_BUILT: '1' }, timeoutMs: 240_000 }).catch((e: Error) => {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const { url, stop } = worker;
  let browser: Browser | undefined;
  try {
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
    log: worker.log,
    async close() {
      await b.close().catch(() => undefined);
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The component tests' world: the real app on a temporary SQLite file seeded with the demo city,
 * the bundle built fresh into a temporary folder, both served on 127.0.0.1 (random port), and
 * Debian's Chromium driven by playwright-core. One browser per test file.
 */
import { serve, type ServerType } from '@hono/node-server';
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { seedDemo } from '../../server/demo/seed.ts';
import { en } from '../../web-components/strings/en.ts';
import { sv } from '../../web-components/strings/sv.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';

export const AS_OF = '2024-12-31';
export const COORDINATOR = { employeeNumber: '100007', roles: [{ role: 'coordinator' as const, unit: 'HAV' }, { role: 'admin' as const, unit: null }] };

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

export interface World {
  h: Harness;
  base: string;
  browser: Browser;
  /** A page at 1280 px showing only the bundle; `mount` puts an element in it. */
  page(width?: number): Promise<Page>;
  token(user?: { employeeNumber: string; roles: { role: 'admin' | 'coordinator' | 'auditor' | 'manager'; unit: string | null }[] }): Promise<string>;
  close(): Promise<void>;
}

export function chromePath(): string {
  const p = [process.env.CHROME_PATH, '/usr/bin/chromium'].find((x) => x && existsSync(x));
  if (!p) throw new Error('No Chromium: run `node scripts/ensure-chromium.mjs` or set CHROME_PATH.');
  return p;
}

/** `demo: false` starts on an empty database, for a test that loads its own small fixture. */
export async function startWorld(opts: { staff?: number; demo?: boolean } = {}): Promise<World> {
  const h = await nodeHarness();
  if (opts.demo !== false) await seedDemo(h.db, { staff: opts.staff ?? 600 });
  const dir = mkdtempSync(join(tmpdir(), 'kk-web-'));
  await build({
    entryPoints: { kompetenskoll: 'web-components/index.ts', demo: 'web-components/demo/demo.ts', report: 'web-components/demo/report.ts' },
    bundle: true,
    format: 'esm',
    // As the web build does: the coordinators' tools load as chunks where a page uses them.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'es2022',
    minify: true,
    outdir: dir,
    logLevel: 'error',
  });
  for (const f of ['index.html', 'report.html', 'demo.css', 'favicon.svg', 'tillganglighet.html', 'accessibility.html']) copyFileSync(`web-components/demo/${f}`, join(dir, f));
  // Served same-origin so that axe runs under the app's real CSP (script-src 'self').
  copyFileSync('node_modules/axe-core/axe.min.js', join(dir, 'axe.min.js'));
  // The API reference page's files, as the web build copies them.
  mkdirSync(join(dir, 'api-docs'));
  for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(`node_modules/swagger-ui-dist/${f}`, join(dir, 'api-docs', f));
  copyFileSync('web-components/api-docs/init.js', join(dir, 'api-docs', 'init.js'));
  writeFileSync(
    join(dir, 'blank.html'),
    '<!doctype html><html lang="sv"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Test</title>' +
      '<link rel="icon" href="favicon.svg"><script type="module" src="kompetenskoll.js"></script></head><body><main id="main"></main></body></html>',
  );
  const app = h.app;
  app.get('/*', (c) => {
    const rel = normalize(c.req.path === '/' ? '/index.html' : c.req.path).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, rel);
    if (!file.startsWith(dir) || !existsSync(file)) return c.notFound();
    return c.body(readFileSync(file), 200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: chromePath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return {
    h,
    base,
    browser,
    async page(width = 1280) {
      const page = await browser.newPage({ viewport: { width, height: 900 }, acceptDownloads: true });
      page.on('pageerror', (e) => console.error('pageerror:', e.message));
      await page.goto(`${base}/blank.html`);
      // The bundle has run: its first elements are defined (the tools load when mounted).
      await page.waitForFunction(() => !!customElements.get('kk-my-training'));
      return page;
    },
    token: (user = COORDINATOR) => h.token(user.employeeNumber, user.roles),
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Puts one element on the page with its attributes and token. */
export async function mount(page: Page, tag: string, attrs: Record<string, string>, token?: string) {
  await page.evaluate(
    ({ tag, attrs, token }) => {
      const main = document.querySelector('main')!;
      main.replaceChildren();
      const el = document.createElement(tag) as HTMLElement & { token?: string };
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      if (token) el.token = token;
      main.append(el);
      // A coordinator's tool is defined when first on the page (on-use.ts): wait until it is.
      return customElements.whenDefined(tag).then(() => undefined);
    },
    { tag, attrs, token },
  );
  return page.locator(tag);
}

/** axe-core on the page (shadow roots included) with the WCAG 2.0–2.2 A/AA tags (target size included); throws listing violations. */
export async function expectNoAxeViolations(page: Page, state: string) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: new URL('/axe.min.js', page.url()).href });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown; failureSummary?: string }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`) }));
  });
  if (violations.length) throw new Error(`axe (${state}): ${JSON.stringify(violations, null, 2)}`);
}

/** Screenshots of the element at 1280 and 360 px wide under test-output/screenshots/. */
export async function screenshots(page: Page, tag: string, name: string) {
  mkdirSync('test-output/screenshots', { recursive: true });
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(50);
    await page.locator(tag).screenshot({ path: `test-output/screenshots/${name}-${width}.png`, animations: 'disabled' });
    if (width === 360) {
      // Usable at 360 px: nothing pushes the page sideways (tables scroll inside their wrapper).
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) throw new Error(`${name}: the page scrolls sideways by ${overflow}px at 360 px`);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** The element, walked through its shadow root (Lit renders there). */
export function deepActive(page: Page) {
  return page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (!a) return null;
    return {
      tag: a.localName,
      id: a.id,
      text: (a.textContent ?? '').replace(/\s+/g, ' ').trim(),
      label: a.getAttribute('aria-label') ?? '',
      type: a.getAttribute('type') ?? '',
    };
  });
}

/** Presses Tab until the focused element matches (by visible text, label or id); fails after `max`. */
export async function tabTo(page: Page, match: (a: NonNullable<Awaited<ReturnType<typeof deepActive>>>) => boolean, max = 60, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    const a = await deepActive(page);
    if (a && match(a)) return a;
  }
  throw new Error(`tabTo: nothing matched after ${max} presses of ${key}`);
}

/** Every text node and aria-label in the element's shadow tree, trimmed. */
export function shownTexts(page: Page, tag: string): Promise<string[]> {
  return page.evaluate((tag) => {
    const out: string[] = [];
    const walk = (root: Node) => {
      const it = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let n: Node | null = it.currentNode; n; n = it.nextNode()) {
        if (n.nodeType === Node.TEXT_NODE) {
          const parent = n.parentElement;
          if (parent && (parent.localName === 'style' || parent.closest('style'))) continue;
          const v = (n.textContent ?? '').replace(/\s+/g, ' ').trim();
          if (v) out.push(v);
        } else if (n.nodeType === Node.ELEMENT_NODE) {
          const el = n as Element;
          for (const a of ['aria-label', 'title', 'placeholder']) {
            const v = el.getAttribute(a);
            if (v) out.push(v.trim());
          }
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      }
    };
    walk(document.querySelector(tag)!);
    return out;
  }, tag);
}

const SWEDISH = Object.entries(sv)
  .filter(([k, v]) => v !== en[k as keyof typeof en])
  .map(([k, v]) => ({ key: k, re: new RegExp(`^${v.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '.*')}$`, 'i') }));

/** The Swedish UI strings (from sv.ts) that are still shown. */
export async function swedishLeft(page: Page, tag: string): Promise<{ key: string; text: string }[]> {
  const texts = await shownTexts(page, tag);
  const left: { key: string; text: string }[] = [];
  for (const text of texts) {
    const hit = SWEDISH.find((s) => s.re.test(text));
    if (hit) left.push({ key: hit.key, text });
  }
  return left;
}

export function digits(s: string | null): number {
  return Number((s ?? '').replace(/[^\d-]/g, ''));
}

import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorld, type World } from './support.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld({ staff: 300 });
});
afterAll(async () => w?.close());

it('shows every operation of /api/openapi.json under the app’s CSP, from same-origin files only', async () => {
  const page = await w.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${w.base}/api/docs`);
  const document = await (await fetch(`${w.base}/api/openapi.json`)).json();
  const operations = Object.values(document.paths as Record<string, object>).reduce((n: number, item) => n + Object.keys(item).length, 0);
  expect(operations).toBeGreaterThan(25);
  await expect.poll(() => page.locator('.opblock').count(), { timeout: 20_000 }).toBe(operations);
  expect(await page.locator('.info .title').textContent()).toContain('Kompetenskoll API');
  for (const r of requests) expect(new URL(r).origin, r).toBe(w.base);
  // Source maps the bundle names are not served; anything else is a fault (a CSP refusal above all).
  expect(problems.filter((p) => !/\.map\b|404/.test(p))).toEqual([]);
  await page.close();
});

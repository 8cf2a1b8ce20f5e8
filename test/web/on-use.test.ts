import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mount, startWorld, type World } from './support.ts';

// The coordinators' tools are chunks loaded where a page uses them (web-components/on-use.ts):
// a staff member's page never downloads them; a coordinator's page gets them on first use.
let w: World;
beforeAll(async () => {
  w = await startWorld({ staff: 50 });
});
afterAll(async () => w?.close());

describe('elements defined on use', () => {
  it('loads a tool\'s chunk only when its tag is on the page, and then defines it', async () => {
    const page = await w.page();
    const chunks: string[] = [];
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith('/chunks/')) chunks.push(path);
    });
    const token = await w.token();
    await mount(page, 'kk-my-training', {}, token);
    expect(await page.evaluate(() => [!!customElements.get('kk-my-training'), !!customElements.get('kk-import')])).toEqual([true, false]);
    expect(chunks.filter((c) => c.includes('kk-import'))).toEqual([]);
    await mount(page, 'kk-import', { kind: 'completions' }, token);
    expect(await page.evaluate(() => !!customElements.get('kk-import'))).toBe(true);
    expect(chunks.filter((c) => /^\/chunks\/kk-import-[A-Z0-9]+\.js$/.test(c))).toHaveLength(1);
    // Upgraded with what was set before its code came: the token and attributes.
    await expect.poll(() => page.locator('kk-import #dry').count(), { timeout: 15_000 }).toBe(1);
    // A tag added inside other markup later is found too.
    await page.evaluate(() => {
      const div = document.createElement('div');
      div.innerHTML = '<kk-requirements></kk-requirements>';
      document.querySelector('main')!.append(div);
    });
    await page.waitForFunction(() => !!customElements.get('kk-requirements'));
    await page.close();
  });
});

import { expect, it } from 'vitest';
import { idPages } from '../../server/db/id-pages.ts';
import { nodeHarness } from '../support/harness.ts';
import { load } from '../support/fixtures.ts';

// Every person read once, in id order, whether the count is a multiple of the page or not, and
// with gaps in the ids (people deleted).
it('reads every row once, in id order, a page at a time, over gaps and at an exact multiple of the page', async () => {
  const h = await nodeHarness();
  try {
    await load(h.db, { people: Array.from({ length: 7 }, (_, i) => [`P${i + 1}`, `Person ${i + 1}`] as [string, string]) });
    await h.db.deleteFrom('person').where('employee_number', 'in', ['P3', 'P4']).execute();
    const read = (after: number, limit: number) => h.db.selectFrom('person').select(['id', 'employee_number']).where('id', '>', after).orderBy('id').limit(limit).execute();
    const pagesOf = async (limit: number) => {
      const out: string[][] = [];
      for await (const page of idPages(read, limit)) out.push(page.map((p) => p.employee_number));
      return out;
    };
    // 5 people left: P1 P2 P5 P6 P7.
    expect(await pagesOf(2)).toEqual([['P1', 'P2'], ['P5', 'P6'], ['P7']]);
    expect(await pagesOf(5)).toEqual([['P1', 'P2', 'P5', 'P6', 'P7']]);
    expect(await pagesOf(1)).toEqual([['P1'], ['P2'], ['P5'], ['P6'], ['P7']]);
  } finally {
    await h.close();
  }
});

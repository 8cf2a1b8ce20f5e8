import { afterEach, expect, it } from 'vitest';
import type { ImportContext } from '../../server/imports/batch.ts';
import { importFile } from '../../server/imports/run.ts';
import { course, load } from '../support/fixtures.ts';
import { nodeHarness, type NodeHarness } from '../support/harness.ts';
import { count, csvFile } from '../support/sheets.ts';

// A large completions CSV imported with a timer ticking beside it, as other requests would be
// served beside it: the ticks must come while the file is read and while its rows are checked,
// not only between phases. Reading (decoding, parsing) used to be one stretch, and the check
// paused only every 10 000 rows.

let h: NodeHarness | undefined;
afterEach(() => h?.close());

const PEOPLE = 20;
const DAYS = 3000;
const day = (d: number) => new Date(Date.UTC(2000, 0, 1 + d)).toISOString().slice(0, 10);
const number = (p: number) => `P${String(p).padStart(2, '0')}`;

it('lets a timer run while a 60 001-row completions CSV is read and checked', async () => {
  h = await nodeHarness();
  const people: [string, string][] = Array.from({ length: PEOPLE }, (_, p) => [number(p), `Person ${p}`]);
  // Two of the file's records are held already (entered by hand).
  await load(h.db, {
    people,
    courses: [course('VBE')],
    completions: [
      { p: 'P00', course: 'VBE', status: 'completed', at: day(0) },
      { p: 'P19', course: 'VBE', status: 'completed', at: day(DAYS - 1) },
    ],
  });
  const rows: string[][] = [['Anställningsnummer', 'Kurs', 'Status', 'Datum']];
  for (let p = 0; p < PEOPLE; p++) for (let d = 0; d < DAYS; d++) rows.push([number(p), 'VBE', 'Genomförd', day(d)]);
  // And one record twice in the file.
  rows.push([number(7), 'VBE', 'Genomförd', day(100)]);
  const bytes = csvFile(rows);

  const events: string[] = [];
  const ticking = setInterval(() => events.push('tick'), 1);
  const ctx: ImportContext = {
    db: h.db,
    atomic: h.atomic,
    actor: 'ADMIN',
    lang: 'sv',
    dryRun: false,
    fileName: 'stor.csv',
    fileSha256: null,
    reach: { all: true, units: new Set() },
    progress: (p) => events.push(`${p.phase}:${p.done}`),
  };
  const answer = await importFile(ctx, { kind: 'completions', bytes, asOf: '2026-01-01' }).finally(() => clearInterval(ticking));

  // 20 × 3000 rows and the repeat; all taken, but the repeat and the two held are not written again.
  expect(answer).toMatchObject({ rowsTotal: 60_001, rowsAccepted: 60_001, rowsRejected: 0, changes: { added: 59_998 } });
  expect(await count(h, 'completion')).toBe(60_000);

  const ticksBetween = (from: string, to: string) => {
    const a = events.indexOf(from);
    const b = events.indexOf(to);
    expect(a, from).toBeGreaterThanOrEqual(0);
    expect(b, to).toBeGreaterThan(a);
    return events.slice(a + 1, b).filter((e) => e === 'tick').length;
  };
  expect(ticksBetween('read:0', `read:${bytes.length}`)).toBeGreaterThan(0);
  expect(ticksBetween('check:0', 'check:10000')).toBeGreaterThan(0);
});

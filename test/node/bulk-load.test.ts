import { CompiledQuery } from 'kysely';
import { expect, it } from 'vitest';
import { runAtomic } from '../../server/db/atomic.ts';
import { BULK_LOAD_ROWS } from '../../server/db/bulk-load.ts';
import { RowsInsert } from '../../server/db/rows-insert.ts';
import { bulkInsert, lazyBulkInsert } from '../../server/imports/batch.ts';
import { nodeHarness, type NodeHarness } from '../support/harness.ts';

// Employments written the way a roster import writes them: person ids and dates as literals, unit
// codes and titles bound. The people first (an employment refers to its person).
const UNITS = ['U1', 'U2', 'U3'];
const people = (h: NodeHarness, n: number, from = 1) =>
  runAtomic(
    h.atomic,
    lazyBulkInsert('person', [{ name: 'id' }, { name: 'employee_number', bind: true }, { name: 'name', bind: true }], n, (i) => [from + i, `E${from + i}`, `Person ${from + i}`]),
  );
const employments = (n: number, from = 1, indexesAside = true) =>
  lazyBulkInsert(
    'employment',
    [{ name: 'person_id' }, { name: 'unit_code', bind: true }, { name: 'title', bind: true }, { name: 'start_date' }],
    n,
    (i) => [from + i, UNITS[(from + i) % 3], i % 2 ? 'Lärare' : null, '2024-01-01'],
    { indexesAside },
  );
// The same with the batch id an import's rows carry; `person(i)` the person of row i.
const inBatch = (batch: number | null, count: number, from = 1, person = (i: number) => from + i) =>
  lazyBulkInsert(
    'employment',
    [{ name: 'person_id' }, { name: 'unit_code', bind: true }, { name: 'start_date' }, { name: 'import_batch_id' }],
    count,
    (i) => [person(i), 'U1', '2024-01-01', batch],
    { indexesAside: true },
  );
const triggers = (h: NodeHarness) => h.handle.sqlite.prepare("select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'employment' order by name").all();
const indexes = (h: NodeHarness) => h.handle.sqlite.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'employment' order by name").all();
const dropped = (h: NodeHarness) => h.statements.filter((s) => /^drop index/i.test(s)).length;

it('a large insert runs without its table indexes and leaves them as they were, each row found through them', async () => {
  const h = await nodeHarness();
  try {
    const before = indexes(h);
    expect(before.length).toBeGreaterThan(0);
    const n = BULK_LOAD_ROWS + 2000; // 12 000: 4 000 in each unit
    await people(h, n);
    h.statements.length = 0;
    await runAtomic(h.atomic, employments(n));
    // Both of employment's indexes were set aside and built again.
    expect(dropped(h)).toBe(before.length);
    expect(indexes(h)).toEqual(before);
    expect(h.handle.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    // Through the unit index: (id % 3) → U1 for ids ≡ 1, U2 ≡ 2, U3 ≡ 0.
    const byUnit = h.handle.sqlite.prepare('select unit_code as u, count(*) as n from employment indexed by employment_unit_active group by unit_code order by unit_code').all();
    expect(byUnit).toEqual([
      { u: 'U1', n: 4000 },
      { u: 'U2', n: 4000 },
      { u: 'U3', n: 4000 },
    ]);
    // Through the person index: person 7 is in U2 (7 % 3 = 1 → U2), row 6 (i = 6: no title).
    expect(h.handle.sqlite.prepare('select unit_code, title from employment indexed by employment_person_active where person_id = 7').all()).toEqual([{ unit_code: 'U2', title: null }]);
  } finally {
    await h.close();
  }
});

it('a write that fails in a large insert puts the indexes and the trigger back with the rows gone', async () => {
  const h = await nodeHarness();
  try {
    const before = { indexes: indexes(h), triggers: triggers(h) };
    const n = BULK_LOAD_ROWS;
    await people(h, n);
    // The load's last row names a person there is not: it fails with the indexes and trigger aside.
    h.statements.length = 0;
    await expect(runAtomic(h.atomic, inBatch(3, n + 1, 1, (i) => (i === n ? 999_999 : 1 + i)))).rejects.toThrow(/FOREIGN KEY/);
    expect(h.statements.filter((s) => /^drop (index|trigger)/i.test(s))).toHaveLength(3);
    expect({ indexes: indexes(h), triggers: triggers(h) }).toEqual(before);
    expect(h.handle.sqlite.prepare('select count(*) as n from employment').get()).toEqual({ n: 0 });
  } finally {
    await h.close();
  }
});

it('keeps the indexes for a small insert, for one smaller than what the table holds, and where not asked', async () => {
  const h = await nodeHarness();
  try {
    await people(h, 3 * BULK_LOAD_ROWS + 1);
    h.statements.length = 0;
    await runAtomic(h.atomic, employments(BULK_LOAD_ROWS - 1));
    expect(dropped(h)).toBe(0);
    await runAtomic(h.atomic, employments(BULK_LOAD_ROWS + 1, BULK_LOAD_ROWS));
    // 10 001 rows into a table of 9 999: set aside (both indexes).
    expect(dropped(h)).toBe(2);
    // 10 000 more into a table of 20 000: kept, and the table's size asked for once, not for each
    // of the insert's statements.
    h.statements.length = 0;
    await runAtomic(h.atomic, employments(BULK_LOAD_ROWS, 1));
    expect(dropped(h)).toBe(0);
    expect(h.statements.filter((s) => /max\(rowid\)/i.test(s))).toHaveLength(1);
    expect(h.statements.filter((s) => /^insert into "employment"/i.test(s)).length).toBeGreaterThan(1);
    // 30 000 into 30 000, but not asked for: kept.
    await runAtomic(h.atomic, employments(3 * BULK_LOAD_ROWS, 1, false));
    expect(dropped(h)).toBe(0);
    expect(h.handle.sqlite.prepare('select count(*) as n from employment').get()).toEqual({ n: 6 * BULK_LOAD_ROWS });
  } finally {
    await h.close();
  }
});

it('sets aside the insert trigger that fires only without a batch while every row names one, and stamps a row without one', async () => {
  const h = await nodeHarness();
  try {
    const before = triggers(h);
    expect(before.map((t) => (t as { name: string }).name)).toEqual(['employment_changed_delete', 'employment_changed_insert', 'employment_changed_update']);
    const n = BULK_LOAD_ROWS + 10;
    await people(h, 3 * n);
    h.statements.length = 0;
    await runAtomic(h.atomic, inBatch(7, n));
    // The insert trigger dropped and made again; the update and delete triggers left alone.
    expect(h.statements.filter((s) => /^drop trigger/i.test(s))).toEqual(['drop trigger "employment_changed_insert"']);
    expect(triggers(h)).toEqual(before);
    expect(h.handle.sqlite.prepare('select count(*) as n from employment_changed').get()).toEqual({ n: 0 });
    // A load whose last statement holds a row without a batch: the trigger is back for that row.
    h.statements.length = 0;
    const mixed = [...(await collect(inBatch(8, n, 1))), ...(await collect(inBatch(null, 1, n + 1)))];
    await runAtomic(h.atomic, mixed);
    expect(h.statements.filter((s) => /^drop trigger/i.test(s))).toHaveLength(1);
    expect(triggers(h)).toEqual(before);
    // Only the row without a batch is stamped: person n + 1.
    expect(h.handle.sqlite.prepare('select person_id from employment_changed').all()).toEqual([{ person_id: n + 1 }]);
    // Without the batch column at all, nothing is set aside but the indexes, and every row is
    // stamped: people 1 – 3n, once each (n + 1 among them).
    h.statements.length = 0;
    await runAtomic(h.atomic, employments(3 * n, 1));
    expect(h.statements.filter((s) => /^drop trigger/i.test(s))).toHaveLength(0);
    expect(h.handle.sqlite.prepare('select count(*) as n from employment_changed').get()).toEqual({ n: 3 * n });
  } finally {
    await h.close();
  }
});

it('SQLite runs the rows; D1 gets the same insert as SQL of literals and bound words', async () => {
  const [q] = bulkInsert('employment', [{ name: 'person_id' }, { name: 'unit_code', bind: true }, { name: 'title', bind: true }, { name: 'start_date' }], [
    [1, 'U1', "O'Brien", '2024-01-01'],
    [2, 'U2', null, '2024-02-01'],
  ]);
  expect(q).toBeInstanceOf(RowsInsert);
  const rows = q as RowsInsert;
  expect(rows.rowSql).toBe('insert into "employment" ("person_id", "unit_code", "title", "start_date") values (?, ?, ?, ?)');
  expect(q.sql).toBe(`insert into "employment" ("person_id", "unit_code", "title", "start_date") values (1, ?, ?, '2024-01-01'), (2, ?, ?, '2024-02-01')`);
  expect(q.parameters).toEqual(['U1', "O'Brien", 'U2', null]);
});

async function collect(statements: AsyncIterable<CompiledQuery>): Promise<CompiledQuery[]> {
  const out: CompiledQuery[] = [];
  for await (const q of statements) out.push(q);
  return out;
}

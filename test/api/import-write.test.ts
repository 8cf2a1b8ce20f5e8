import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { D1_BATCH_STATEMENTS } from '../../server/db/atomic.ts';
import { writeImport, type ImportWrite } from '../../server/db/import-write.ts';
import { course, load } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// An import is committed whole or not at all, also when it is larger than one D1 batch.

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, {
    units: [['CITY', 'Staden', null, 'stad'], ['F1', 'Förvaltning ett', 'CITY', 'forvaltning']],
    people: [['P1', 'Ada']],
    employments: [{ p: 'P1', unit: 'F1', from: '2020-01-01' }],
    courses: [course('C1')],
  });
});
afterEach(() => h.close());

const N = D1_BATCH_STATEMENTS + 30;

/** A roster-and-completions-like import: a new person, P1's employment ended, N completions. */
function plan(failAtEnd: boolean): ImportWrite {
  const db = h.db;
  const personId = (n: string) => db.selectFrom('person').select('id').where('employee_number', '=', n);
  const courseId = db.selectFrom('course').select('id').where('code', '=', 'C1');
  const batchId = 1;
  return {
    id: batchId,
    batch: { kind: 'completions', mode: null, as_of: null, file_name: 'big.xlsx', file_sha256: null, started_by: 'ADMIN', started_at: '2024-01-01T00:00:00Z', rows_total: N, rows_accepted: N, rows_rejected: 0, changes_json: null },
    finishedAt: '2024-01-01T00:00:01Z',
    statements: [
      db.insertInto('person').values({ employee_number: 'NEW', name: 'Ny', email: null, anonymised_at: null }).compile(),
      db.updateTable('employment').set({ end_date: '2023-12-31' }).where('person_id', '=', personId('P1')).compile(),
      ...Array.from({ length: N }, (_, i) =>
        db
          .insertInto('completion')
          .values({
            person_id: personId(i % 2 ? 'P1' : 'NEW'),
            course_id: courseId,
            status: failAtEnd && i === N - 1 ? ('not-a-status' as never) : 'completed',
            occurred_at: `2023-${String((i % 12) + 1).padStart(2, '0')}-01T${String(i % 24).padStart(2, '0')}:00:00Z`,
            source: 'import',
            source_ref: `row ${i + 2}`,
            recorded_by: 'ADMIN',
            recorded_at: '2024-01-01T00:00:00Z',
            import_batch_id: batchId,
          })
          .compile(),
      ),
    ],
    undo: {
      restore: [db.updateTable('employment').set({ end_date: null }).where('person_id', '=', personId('P1')).compile()],
      created: [db.deleteFrom('person').where('employee_number', '=', 'NEW').compile()],
    },
  };
}

const state = async () => ({
  people: (await h.db.selectFrom('person').select('employee_number').orderBy('employee_number').execute()).map((p) => p.employee_number),
  ends: (await h.db.selectFrom('employment').select('end_date').execute()).map((e) => e.end_date),
  completions: Number((await h.db.selectFrom('completion').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  batches: await h.db.selectFrom('import_batch').select(['status', 'rows_accepted']).execute(),
});

describe('an import larger than one D1 batch', () => {
  it('leaves nothing behind when its last statement fails, not even the batch row', async () => {
    await expect(writeImport(h, plan(true))).rejects.toThrow();
    const s = await state();
    expect(s.people).toEqual(['P1']);
    expect(s.ends).toEqual([null]);
    expect(s.completions).toBe(0);
    expect(s.batches).toEqual([]);
  });

  it('commits every row and marks the batch committed when nothing fails', async () => {
    const id = await writeImport(h, plan(false));
    const s = await state();
    expect(s.people).toEqual(['NEW', 'P1']);
    expect(s.ends).toEqual(['2023-12-31']);
    expect(s.completions).toBe(N);
    expect(s.batches).toEqual([{ status: 'committed', rows_accepted: N }]);
    const owned = await h.db.selectFrom('completion').select('id').where('import_batch_id', '=', id).execute();
    expect(owned).toHaveLength(N);
  });
});

import { sql, type CompiledQuery } from 'kysely';
import type { AtomicRunner } from '../db/atomic.ts';
import { MAX_BOUND_PARAMS } from '../db/chunks.ts';
import type { Db } from '../db/schema.ts';
import { auditStatement } from './audit.ts';
import { addMonthsClamped } from './calendar.ts';

export const ANONYMISED_NAME = 'Anonymiserad';
export const RETENTION_ACTOR = 'system:retention';

/** People whose every employment has ended, the last one before `cutoff`, not yet anonymised. */
export async function dueForAnonymisation(db: Db, cutoff: string): Promise<{ id: number; employee_number: string }[]> {
  return db
    .selectFrom('person as p')
    .innerJoin('employment as e', 'e.person_id', 'p.id')
    .select(['p.id', 'p.employee_number'])
    .where('p.anonymised_at', 'is', null)
    .groupBy(['p.id', 'p.employee_number'])
    // An open employment (no end date) makes MAX NULL-free but is caught by the count.
    .having((eb) => eb.and([eb(eb.fn.count('e.id'), '=', eb.fn.count('e.end_date')), eb(eb.fn.max('e.end_date'), '<', cutoff)]))
    .orderBy('p.id')
    .execute();
}

/**
 * Anonymises everyone whose last employment ended more than `years` before `today`: name and
 * e-mail go, the employee number becomes the stable pseudonym ANON-<id>, and their role grants
 * end; rejected import rows older than the cutoff lose the values they were kept with. Rows keep
 * their ids, so every coverage figure ever reported stays the same.
 */
export async function anonymiseExpired(db: Db, atomic: AtomicRunner, today: string, years: number, now = new Date().toISOString()) {
  const cutoff = addMonthsClamped(today, -12 * years);
  const due = await dueForAnonymisation(db, cutoff);
  const oldRejects = await db
    .selectFrom('import_rejected_row as r')
    .innerJoin('import_batch as b', 'b.id', 'r.batch_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('b.started_at', '<', cutoff)
    .where('r.row_json', 'is not', null)
    .executeTakeFirstOrThrow();
  const rowsCleared = Number(oldRejects.n);
  if (!due.length && !rowsCleared) return { cutoff, anonymised: 0, rejectedRowsCleared: 0 };
  const statements: CompiledQuery[] = [];
  // A rejected row keeps the values it was rejected with (names, numbers, e-mails) so that it can
  // be corrected; past the retention time only its row number, column and reason stay.
  if (rowsCleared) {
    statements.push(
      db
        .updateTable('import_rejected_row')
        .set({ row_json: null })
        .where('batch_id', 'in', (eb) => eb.selectFrom('import_batch').select('id').where('started_at', '<', cutoff))
        .compile(),
    );
  }
  const size = MAX_BOUND_PARAMS - 5;
  for (let i = 0; i < due.length; i += size) {
    const part = due.slice(i, i + size);
    statements.push(
      db
        .deleteFrom('role_grant')
        .where('employee_number', 'in', part.map((p) => p.employee_number))
        .compile(),
      db
        .updateTable('person')
        .set({ name: ANONYMISED_NAME, email: null, employee_number: sql<string>`'ANON-' || id`, anonymised_at: now })
        .where('id', 'in', part.map((p) => p.id))
        .compile(),
      // An exemption's reason can say why someone was away (sick leave): it goes with the name.
      db
        .updateTable('exemption')
        .set({ reason: ANONYMISED_NAME })
        .where('person_id', 'in', part.map((p) => p.id))
        .compile(),
    );
  }
  // The log names the internal ids only: the employee numbers are what is being erased.
  statements.push(
    auditStatement(
      db,
      { actor: RETENTION_ACTOR, kind: 'person', action: 'anonymise', scope: null, detail: { count: due.length, cutoff, years, personIds: due.map((p) => p.id), rejectedRowsCleared: rowsCleared } },
      now,
    ),
  );
  await atomic(statements);
  return { cutoff, anonymised: due.length, rejectedRowsCleared: rowsCleared };
}

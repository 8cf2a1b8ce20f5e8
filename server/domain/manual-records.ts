import type { CompiledQuery, Insertable } from 'kysely';
import { z } from 'zod';
import type { AtomicRunner } from '../db/atomic.ts';
import { chunkRows, MAX_BOUND_PARAMS } from '../db/chunks.ts';
import type { CompletionTable, Db, ImportRejectedRowTable } from '../db/schema.ts';
import { message, type Lang, type MessageKey } from '../i18n/messages.ts';
import { auditStatement } from './audit.ts';
import { isIsoDate } from './calendar.ts';
import { DomainError } from './errors.ts';
import { expiresOn } from './expiry.ts';

/**
 * A seminar's attendance list, recorded by hand (DESIGN.md "Records by hand, and corrections"):
 * one course, status and date for a list of employee numbers. Each person is taken or rejected on
 * their own; what is taken is written all-or-nothing with its batch row and audit entry.
 */

export const recordsInput = z.strictObject({
  course: z.string().trim().min(1).max(64),
  status: z.enum(['completed', 'started', 'failed']),
  occurredAt: z.string().refine(isIsoDate, 'a date YYYY-MM-DD'),
  // A seminar's list; a whole förvaltning's would be an import.
  employeeNumbers: z.array(z.string().trim().min(1).max(64)).min(1).max(2000),
  note: z.string().trim().max(500).nullish(),
});
export type RecordsInput = z.infer<typeof recordsInput>;

export interface RecordRejection {
  employeeNumber: string;
  code: MessageKey;
  message: string;
}

export interface RecordsAnswer {
  /** Records written now. */
  recorded: number;
  /** People who already held the same record (same course, status and date): nothing written. */
  unchanged: number;
  rejected: RecordRejection[];
  /** The manual batch the records carry (GET /api/imports/:id), null when nothing was written. */
  batchId: number | null;
}

/** A person found by their employee number. */
export interface Found {
  employeeNumber: string;
  id: number;
}

/** People by employee number (anonymised people are no longer anyone's). */
export async function peopleByNumber(db: Db, numbers: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const unique = [...new Set(numbers)];
  for (let i = 0; i < unique.length; i += MAX_BOUND_PARAMS - 1) {
    const rows = await db
      .selectFrom('person')
      .select(['id', 'employee_number'])
      .where('employee_number', 'in', unique.slice(i, i + MAX_BOUND_PARAMS - 1))
      .where('anonymised_at', 'is', null)
      .execute();
    for (const r of rows) out.set(r.employee_number, r.id);
  }
  return out;
}

/**
 * Who already holds this record: the same person, course, status and occurred_at, not annulled.
 * An annulled one does not count: a coordinator who records again what was annulled means it
 * (imports, by contrast, compare with annulled records too, so a re-read LMS file cannot bring
 * back what a coordinator annulled).
 */
async function holding(db: Db, personIds: readonly number[], courseId: number, status: string, occurredAt: string): Promise<Set<number>> {
  const out = new Set<number>();
  for (let i = 0; i < personIds.length; i += MAX_BOUND_PARAMS - 4) {
    const rows = await db
      .selectFrom('completion')
      .select('person_id')
      .where('person_id', 'in', personIds.slice(i, i + MAX_BOUND_PARAMS - 4))
      .where('course_id', '=', courseId)
      .where('status', '=', status as CompletionTable['status'])
      .where('occurred_at', '=', occurredAt)
      .where('annulled_at', 'is', null)
      .execute();
    for (const r of rows) out.add(r.person_id);
  }
  return out;
}

export interface RecordPlan {
  courseId: number;
  /** Rule 4's expiry of what is recorded (`expiry.ts`), stored with it like every writer does. */
  expiresOn: string | null;
  rejected: { employeeNumber: string; key: MessageKey; params: Record<string, string> }[];
  /** In the order given, each person once. */
  toRecord: Found[];
  unchanged: number;
}

/**
 * Which of the list can be recorded: known people, in the caller's reach (`inReach` answers for
 * a set of found people), not already holding the record. Each employee number is looked at once.
 */
export async function planRecords(
  db: Db,
  input: RecordsInput,
  today: string,
  inReach: (people: Found[]) => Promise<Set<number>>,
): Promise<RecordPlan> {
  const course = await db.selectFrom('course').select(['id', 'validity_months']).where('code', '=', input.course).executeTakeFirst();
  if (!course) throw new DomainError('unprocessable', 'course.unknown', { code: input.course });
  if (input.occurredAt > today) throw new DomainError('unprocessable', 'record.future', { date: input.occurredAt, today });
  const numbers = [...new Set(input.employeeNumbers)];
  const ids = await peopleByNumber(db, numbers);
  const rejected: RecordPlan['rejected'] = [];
  const found: Found[] = [];
  for (const n of numbers) {
    const id = ids.get(n);
    if (id === undefined) rejected.push({ employeeNumber: n, key: 'record.unknownPerson', params: { employeeNumber: n } });
    else found.push({ employeeNumber: n, id });
  }
  const reach = await inReach(found);
  const reachable: Found[] = [];
  for (const f of found) {
    if (reach.has(f.id)) reachable.push(f);
    else rejected.push({ employeeNumber: f.employeeNumber, key: 'record.personOutOfScope', params: { employeeNumber: f.employeeNumber, date: input.occurredAt, today } });
  }
  const held = await holding(db, reachable.map((f) => f.id), course.id, input.status, input.occurredAt);
  // Rejections in the order the list gave them.
  const order = new Map(numbers.map((n, i) => [n, i]));
  rejected.sort((a, b) => order.get(a.employeeNumber)! - order.get(b.employeeNumber)!);
  return { courseId: course.id, expiresOn: expiresOn(input.status, input.occurredAt, course.validity_months), rejected, toRecord: reachable.filter((f) => !held.has(f.id)), unchanged: reachable.length - reachable.filter((f) => !held.has(f.id)).length };
}

const RETRIES = 3;
const isConflict = (e: unknown) => /UNIQUE constraint|PRIMARY KEY/i.test(String((e as Error)?.message ?? e));

/**
 * Records the attendance list: a batch row of kind 'manual' (so the Metod sheet can say when a
 * list was last recorded, and GET /api/imports/:id shows it with its rejections), the records,
 * the rejected numbers and the audit entry, in one all-or-nothing write. The batch id is taken as
 * max + 1; a batch committed meanwhile makes the write collide on it, and it is taken again.
 */
export async function recordAttendance(
  deps: { db: Db; atomic: AtomicRunner },
  input: RecordsInput,
  actor: string,
  lang: Lang,
  plan: RecordPlan,
  now = new Date().toISOString(),
): Promise<RecordsAnswer> {
  const { db } = deps;
  const rejected = plan.rejected.map((r) => ({ employeeNumber: r.employeeNumber, code: r.key, message: message(lang, r.key, r.params) }));
  if (!plan.toRecord.length) return { recorded: 0, unchanged: plan.unchanged, rejected, batchId: null };
  const note = input.note?.trim() || null;
  for (let attempt = 1; ; attempt++) {
    const last = await db.selectFrom('import_batch').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const batchId = Number(last?.id ?? 0) + 1;
    const rows: Insertable<CompletionTable>[] = plan.toRecord.map((f) => ({
      person_id: f.id,
      course_id: plan.courseId,
      status: input.status,
      occurred_at: input.occurredAt,
      source: 'manual',
      source_ref: note,
      recorded_by: actor,
      recorded_at: now,
      import_batch_id: batchId,
      expires_on: plan.expiresOn,
    }));
    const rejectedRows: Insertable<ImportRejectedRowTable>[] = plan.rejected.map((r) => ({
      batch_id: batchId,
      row_number: input.employeeNumbers.indexOf(r.employeeNumber) + 1,
      column_name: 'employeeNumber',
      message_sv: message('sv', r.key, r.params),
      message_en: message('en', r.key, r.params),
      row_json: JSON.stringify({ employeeNumber: r.employeeNumber }),
    }));
    const statements: CompiledQuery[] = [
      db
        .insertInto('import_batch')
        .values({
          id: batchId,
          kind: 'manual',
          mode: null,
          as_of: input.occurredAt,
          file_name: note,
          file_sha256: null,
          started_by: actor,
          started_at: now,
          finished_at: now,
          status: 'committed',
          rows_total: new Set(input.employeeNumbers).size,
          rows_accepted: plan.toRecord.length + plan.unchanged,
          rows_rejected: plan.rejected.length,
          changes_json: JSON.stringify({ added: plan.toRecord.length, unchanged: plan.unchanged }),
        })
        .compile(),
      ...chunkRows(rows).map((chunk) => db.insertInto('completion').values(chunk).compile()),
      ...chunkRows(rejectedRows).map((chunk) => db.insertInto('import_rejected_row').values(chunk).compile()),
      auditStatement(
        db,
        {
          actor,
          kind: 'record',
          action: 'create',
          scope: input.course,
          detail: {
            batchId,
            course: input.course,
            status: input.status,
            occurredAt: input.occurredAt,
            note,
            employeeNumbers: plan.toRecord.map((f) => f.employeeNumber),
            unchanged: plan.unchanged,
            rejected: plan.rejected.length,
          },
        },
        now,
      ),
    ];
    try {
      await deps.atomic(statements);
      return { recorded: plan.toRecord.length, unchanged: plan.unchanged, rejected, batchId };
    } catch (e) {
      if (!isConflict(e) || attempt >= RETRIES) throw e;
    }
  }
}

import { z } from 'zod';
import type { AtomicRunner } from '../db/atomic.ts';
import type { CompletionSource, Db, RecordStatus } from '../db/schema.ts';
import { auditStatement } from './audit.ts';
import { DomainError } from './errors.ts';

/**
 * One person's training records as held, annulled ones included, and the annulment of one
 * (DESIGN.md "Records by hand, and corrections"). An annulment never deletes: the row stays, with
 * who annulled it, when and why, and the coverage rules pass it by on every date.
 */

export interface RecordView {
  id: number;
  course: { code: string; title: string };
  status: RecordStatus;
  /** The calendar date (YYYY-MM-DD) the record is dated. */
  occurredAt: string;
  source: CompletionSource;
  /** Where it came from: an import's row, an xAPI statement id, a seminar's note. */
  sourceRef: string | null;
  recordedAt: string;
  recordedBy: string | null;
  annulment: { at: string; by: string; reason: string } | null;
}

export interface KnownPerson {
  id: number;
  employeeNumber: string;
  name: string;
}

/** The person by employee number (anonymised people are no longer anyone's), else 404. */
export async function requirePerson(db: Db, employeeNumber: string): Promise<KnownPerson> {
  const p = await db
    .selectFrom('person')
    .select(['id', 'employee_number', 'name'])
    .where('employee_number', '=', employeeNumber)
    .where('anonymised_at', 'is', null)
    .executeTakeFirst();
  if (!p) throw new DomainError('not_found', 'person.unknown', { employeeNumber });
  return { id: p.id, employeeNumber: p.employee_number, name: p.name };
}

/**
 * The dates on which the person's place of work decides who may see their records: today, and,
 * for someone no longer employed, their last day (their coordinator can still correct them).
 */
export async function recordReachDates(db: Db, personId: number, today: string): Promise<string[]> {
  const last = await db
    .selectFrom('employment')
    .select((eb) => eb.fn.max('end_date').as('last'))
    .where('person_id', '=', personId)
    .where('end_date', '<', today)
    .executeTakeFirst();
  return last?.last ? [today, last.last] : [today];
}

export async function personRecords(db: Db, personId: number, lang: 'sv' | 'en'): Promise<RecordView[]> {
  const rows = await db
    .selectFrom('completion as c')
    .innerJoin('course as k', 'k.id', 'c.course_id')
    .select([
      'c.id',
      'k.code',
      'k.title_sv',
      'k.title_en',
      'c.status',
      'c.occurred_at',
      'c.source',
      'c.source_ref',
      'c.recorded_at',
      'c.recorded_by',
      'c.annulled_at',
      'c.annulled_by',
      'c.annul_reason',
    ])
    .where('c.person_id', '=', personId)
    .orderBy('c.occurred_at', 'desc')
    .orderBy('c.id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    course: { code: r.code, title: (lang === 'en' && r.title_en) || r.title_sv },
    status: r.status,
    occurredAt: r.occurred_at.slice(0, 10),
    source: r.source,
    sourceRef: r.source_ref,
    recordedAt: r.recorded_at,
    recordedBy: r.recorded_by,
    annulment: r.annulled_at ? { at: r.annulled_at, by: r.annulled_by ?? '', reason: r.annul_reason ?? '' } : null,
  }));
}

export const annulInput = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

export interface HeldRecord {
  id: number;
  personId: number;
  employeeNumber: string;
  occurredAt: string;
  annulledAt: string | null;
  annulledBy: string | null;
}

export async function requireRecord(db: Db, id: number): Promise<HeldRecord> {
  const r = Number.isSafeInteger(id) && id > 0
    ? await db
        .selectFrom('completion as c')
        .innerJoin('person as p', 'p.id', 'c.person_id')
        .select(['c.id', 'c.person_id', 'p.employee_number', 'c.occurred_at', 'c.annulled_at', 'c.annulled_by'])
        .where('c.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!r) throw new DomainError('not_found', 'record.unknown', { id: String(id) });
  return { id: r.id, personId: r.person_id, employeeNumber: r.employee_number, occurredAt: r.occurred_at.slice(0, 10), annulledAt: r.annulled_at, annulledBy: r.annulled_by };
}

/**
 * Annuls a record: marks the row (never deletes it) and writes the audit entry, both or neither.
 * The update only touches a record not yet annulled, so two annulments at once leave the first's
 * who, when and why.
 */
export async function annulRecord(deps: { db: Db; atomic: AtomicRunner }, record: HeldRecord, reason: string, actor: string, now = new Date().toISOString()): Promise<void> {
  const { db } = deps;
  if (record.annulledAt) throw new DomainError('conflict', 'record.alreadyAnnulled', { id: String(record.id), at: record.annulledAt, by: record.annulledBy ?? '' });
  await deps.atomic([
    db
      .updateTable('completion')
      .set({ annulled_at: now, annulled_by: actor, annul_reason: reason })
      .where('id', '=', record.id)
      .where('annulled_at', 'is', null)
      .compile(),
    auditStatement(db, { actor, kind: 'record', action: 'annul', scope: record.employeeNumber, detail: { id: record.id, employeeNumber: record.employeeNumber, reason } }, now),
  ]);
}

import { sql } from 'kysely';
import { z } from 'zod';
import type { AtomicRunner } from '../db/atomic.ts';
import type { Db } from '../db/schema.ts';
import { auditStatement } from './audit.ts';
import { isIsoDate } from './calendar.ts';
import { DomainError } from './errors.ts';
import type { KnownPerson } from './person-records.ts';

/**
 * Exemptions (undantag, DESIGN.md "Exemptions"): a person is not berörd for a requirement on the
 * days from ≤ D ≤ to (no `to`: from `from` on), e.g. parental leave or long sick leave. One
 * person has at most one exemption from a requirement on any day, so the lists never show two
 * for the same days. Ending one gives it a last day; nothing is deleted.
 */

const isoDate = z.string().refine(isIsoDate, 'a date YYYY-MM-DD');

export const exemptionInput = z
  .strictObject({
    employeeNumber: z.string().trim().min(1).max(64),
    requirement: z.string().trim().min(1).max(64),
    from: isoDate,
    to: isoDate.nullish(),
    reason: z.string().trim().min(1).max(500),
  })
  .refine((x) => !x.to || x.to >= x.from, { path: ['to'], message: 'to before from' });
export type ExemptionInput = z.infer<typeof exemptionInput>;

export const endInput = z.strictObject({ to: isoDate });

export interface ExemptionView {
  id: number;
  employeeNumber: string;
  name: string;
  /** Where the person works on the day asked about (their first unit there by code), when listed by unit. */
  unit: { code: string; name: string } | null;
  requirement: { code: string; title: string };
  from: string;
  to: string | null;
  reason: string;
  createdBy: string;
  createdAt: string;
  endedBy: string | null;
  endedAt: string | null;
}

interface Row {
  id: number;
  person_id: number;
  employee_number: string;
  name: string;
  requirement_code: string;
  requirement_title: string;
  from_date: string;
  to_date: string | null;
  reason: string;
  created_by: string;
  created_at: string;
  ended_by: string | null;
  ended_at: string | null;
  unit_code?: string | null;
  unit_name?: string | null;
}

function view(r: Row): ExemptionView {
  return {
    id: r.id,
    employeeNumber: r.employee_number,
    name: r.name,
    unit: r.unit_code ? { code: r.unit_code, name: r.unit_name ?? r.unit_code } : null,
    requirement: { code: r.requirement_code, title: r.requirement_title },
    from: r.from_date,
    to: r.to_date,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    endedBy: r.ended_by,
    endedAt: r.ended_at,
  };
}

const held = (db: Db) =>
  db
    .selectFrom('exemption as x')
    .innerJoin('person as p', 'p.id', 'x.person_id')
    .innerJoin('requirement as r', 'r.id', 'x.requirement_id')
    .select([
      'x.id',
      'x.person_id',
      'p.employee_number',
      'p.name',
      'r.code as requirement_code',
      'r.title as requirement_title',
      'x.from_date',
      'x.to_date',
      'x.reason',
      'x.created_by',
      'x.created_at',
      'x.ended_by',
      'x.ended_at',
    ]);

export async function requireExemption(db: Db, id: number): Promise<ExemptionView & { personId: number }> {
  const r = Number.isSafeInteger(id) && id > 0 ? await held(db).where('x.id', '=', id).executeTakeFirst() : undefined;
  if (!r) throw new DomainError('not_found', 'exemption.unknown', { id: String(id) });
  return { ...view(r), personId: r.person_id };
}

/** An exemption of the same person from the same requirement sharing a day with from…to. */
async function overlapping(db: Db, personId: number, requirementId: number, from: string, to: string | null, except?: number) {
  let q = held(db)
    .where('x.person_id', '=', personId)
    .where('x.requirement_id', '=', requirementId)
    .where((eb) => eb.or([eb('x.to_date', 'is', null), eb('x.to_date', '>=', from)]));
  if (to !== null) q = q.where('x.from_date', '<=', to);
  if (except !== undefined) q = q.where('x.id', '<>', except);
  return q.orderBy('x.from_date').executeTakeFirst();
}

/** Adds an exemption and its audit entry, both or neither; 409 when it would share a day with another. */
export async function createExemption(
  deps: { db: Db; atomic: AtomicRunner },
  person: KnownPerson,
  input: ExemptionInput,
  actor: string,
  now = new Date().toISOString(),
): Promise<ExemptionView> {
  const { db } = deps;
  const requirement = await db.selectFrom('requirement').select('id').where('code', '=', input.requirement).executeTakeFirst();
  if (!requirement) throw new DomainError('unprocessable', 'requirement.unknown', { code: input.requirement });
  const to = input.to ?? null;
  const clash = await overlapping(db, person.id, requirement.id, input.from, to);
  if (clash) {
    throw new DomainError('conflict', 'exemption.overlap', {
      employeeNumber: person.employeeNumber,
      requirement: input.requirement,
      id: String(clash.id),
      from: clash.from_date,
      to: clash.to_date ?? '…',
    });
  }
  await deps.atomic([
    db
      .insertInto('exemption')
      .values({ person_id: person.id, requirement_id: requirement.id, from_date: input.from, to_date: to, reason: input.reason, created_by: actor, created_at: now, ended_by: null, ended_at: null })
      .compile(),
    auditStatement(
      db,
      { actor, kind: 'exemption', action: 'create', scope: input.requirement, detail: { employeeNumber: person.employeeNumber, requirement: input.requirement, from: input.from, to, reason: input.reason } },
      now,
    ),
  ]);
  const row = await held(db).where('x.person_id', '=', person.id).where('x.requirement_id', '=', requirement.id).where('x.from_date', '=', input.from).executeTakeFirstOrThrow();
  return view(row);
}

/**
 * Ends an exemption on `to` (its last day), with who ended it and when, both or neither with the
 * audit entry. An exemption is ended once; `to` may bring its last day forward, never past it.
 */
export async function endExemption(
  deps: { db: Db; atomic: AtomicRunner },
  x: ExemptionView,
  to: string,
  actor: string,
  now = new Date().toISOString(),
): Promise<ExemptionView> {
  const { db } = deps;
  if (x.endedAt) throw new DomainError('conflict', 'exemption.alreadyEnded', { id: String(x.id), at: x.endedAt, by: x.endedBy ?? '' });
  if (to < x.from) throw new DomainError('unprocessable', 'exemption.endBeforeFrom', { id: String(x.id), to, from: x.from });
  if (x.to !== null && to > x.to) throw new DomainError('unprocessable', 'exemption.endAfterTo', { id: String(x.id), to, last: x.to });
  await deps.atomic([
    db.updateTable('exemption').set({ to_date: to, ended_by: actor, ended_at: now }).where('id', '=', x.id).where('ended_at', 'is', null).compile(),
    auditStatement(
      db,
      { actor, kind: 'exemption', action: 'end', scope: x.requirement.code, detail: { id: x.id, employeeNumber: x.employeeNumber, requirement: x.requirement.code, from: x.from, to, before: x.to } },
      now,
    ),
  ]);
  return view(await held(db).where('x.id', '=', x.id).executeTakeFirstOrThrow());
}

export interface ExemptionQuery {
  unit: string;
  requirement?: string;
  /** The day asked about: exemptions in effect then, for people employed in the unit then. */
  asOf?: string;
  today: string;
}

/**
 * The exemptions of the people employed in the unit's subtree (the tree as it stands on the day
 * asked about): with `asOf`, those in effect on that day; without, those in effect today or
 * later (current and planned), for the people employed there today.
 */
export async function listExemptions(db: Db, q: ExemptionQuery): Promise<ExemptionView[]> {
  const D = q.asOf ?? q.today;
  const inEffect = q.asOf
    ? sql`x.from_date <= ${D} AND (x.to_date IS NULL OR x.to_date >= ${D})`
    : sql`(x.to_date IS NULL OR x.to_date >= ${D})`;
  const { rows } = await sql<Row>`WITH RECURSIVE
      down(code) AS (
        SELECT code FROM org_unit WHERE code = ${q.unit} AND valid_from <= ${D} AND (valid_to IS NULL OR valid_to >= ${D})
        UNION
        SELECT c.code FROM org_unit c JOIN down ON c.parent_code = down.code
        WHERE c.valid_from <= ${D} AND (c.valid_to IS NULL OR c.valid_to >= ${D})
      ),
      staff(person_id, unit_code) AS (
        SELECT e.person_id, MIN(e.unit_code) FROM employment e
        WHERE e.unit_code IN (SELECT code FROM down) AND e.start_date <= ${D} AND (e.end_date IS NULL OR e.end_date >= ${D})
        GROUP BY e.person_id
      )
    SELECT x.id, x.person_id, p.employee_number, p.name, r.code AS requirement_code, r.title AS requirement_title,
      x.from_date, x.to_date, x.reason, x.created_by, x.created_at, x.ended_by, x.ended_at,
      s.unit_code, o.name AS unit_name
    FROM exemption x
    JOIN staff s ON s.person_id = x.person_id
    JOIN person p ON p.id = x.person_id
    JOIN requirement r ON r.id = x.requirement_id
    LEFT JOIN org_unit o ON o.code = s.unit_code AND o.valid_from <= ${D} AND (o.valid_to IS NULL OR o.valid_to >= ${D})
    WHERE ${inEffect} ${q.requirement ? sql`AND r.code = ${q.requirement}` : sql``}
    ORDER BY p.name, p.employee_number, r.code, x.from_date`.execute(db);
  return rows.map(view);
}

/** The dates on which an exemption's person must be in the caller's scope: its first day, or today. */
export const exemptionReachDates = (from: string, today: string) => [from, today];

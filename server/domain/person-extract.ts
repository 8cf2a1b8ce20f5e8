import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';
import { DomainError } from './errors.ts';

/**
 * A register extract (GDPR art. 15): everything Kompetenskoll holds about one person — the person,
 * their employments, their training records, the roles granted to them, and what they did
 * themselves as recorded in the audit log.
 */
export async function personExtract(db: Db, employeeNumber: string) {
  const person = await db.selectFrom('person').selectAll().where('employee_number', '=', employeeNumber).executeTakeFirst();
  const [employments, completions, grants, acted, rejected, exemptions] = await Promise.all([
    person
      ? db.selectFrom('employment').selectAll().where('person_id', '=', person.id).orderBy('start_date').orderBy('id').execute()
      : Promise.resolve([]),
    person
      ? db
          .selectFrom('completion as c')
          .innerJoin('course as k', 'k.id', 'c.course_id')
          .select(['c.id', 'k.code as course', 'c.status', 'c.occurred_at', 'c.source', 'c.source_ref', 'c.recorded_by', 'c.recorded_at', 'c.import_batch_id', 'c.annulled_at', 'c.annulled_by', 'c.annul_reason'])
          .where('c.person_id', '=', person.id)
          .orderBy('c.occurred_at')
          .orderBy('c.id')
          .execute()
      : Promise.resolve([]),
    db.selectFrom('role_grant').selectAll().where('employee_number', '=', employeeNumber).orderBy('id').execute(),
    db.selectFrom('audit_log').selectAll().where('actor', '=', employeeNumber).orderBy('at').orderBy('id').execute(),
    rejectedRowsAbout(db, employeeNumber, person?.email ?? null),
    person
      ? db
          .selectFrom('exemption as x')
          .innerJoin('requirement as r', 'r.id', 'x.requirement_id')
          .select(['r.code', 'x.from_date', 'x.to_date', 'x.reason', 'x.created_by', 'x.created_at', 'x.ended_by', 'x.ended_at'])
          .where('x.person_id', '=', person.id)
          .orderBy('x.from_date')
          .orderBy('x.id')
          .execute()
      : Promise.resolve([]),
  ]);
  if (!person && !grants.length && !acted.length && !rejected.length) throw new DomainError('not_found', 'person.unknown', { employeeNumber });
  return {
    employeeNumber,
    person: person ? { employeeNumber: person.employee_number, name: person.name, email: person.email, anonymisedAt: person.anonymised_at } : null,
    employments: employments.map((e) => ({
      unitCode: e.unit_code,
      title: e.title,
      employmentType: e.employment_type,
      manager: e.is_manager === 1,
      startDate: e.start_date,
      endDate: e.end_date,
      importBatchId: e.import_batch_id,
    })),
    completions: completions.map((c) => ({
      course: c.course,
      status: c.status,
      occurredAt: c.occurred_at,
      source: c.source,
      sourceRef: c.source_ref,
      recordedBy: c.recorded_by,
      recordedAt: c.recorded_at,
      importBatchId: c.import_batch_id,
      annulment: c.annulled_at ? { at: c.annulled_at, by: c.annulled_by, reason: c.annul_reason } : null,
    })),
    exemptions: exemptions.map((x) => ({
      requirement: x.code,
      from: x.from_date,
      to: x.to_date,
      reason: x.reason,
      createdBy: x.created_by,
      createdAt: x.created_at,
      endedBy: x.ended_by,
      endedAt: x.ended_at,
    })),
    roleGrants: grants.map((g) => ({ role: g.role, unit: g.unit_code, grantedBy: g.granted_by, grantedAt: g.granted_at })),
    rejectedImportRows: rejected.map((r) => ({ batchId: r.batch_id, row: r.row_number, column: r.column_name, message: r.message_sv, values: r.row_json ? JSON.parse(r.row_json) : null })),
    auditEntries: acted.map((a) => ({ at: a.at, kind: a.kind, action: a.action, scope: a.scope, detail: a.detail_json ? JSON.parse(a.detail_json) : null })),
  };
}

/** Rejected import rows kept with their values that name the person (a cell equal to their number or e-mail). */
async function rejectedRowsAbout(db: Db, employeeNumber: string, email: string | null) {
  const quoted = (v: string) => `%${JSON.stringify(v).replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return db
    .selectFrom('import_rejected_row')
    .select(['batch_id', 'row_number', 'column_name', 'message_sv', 'row_json'])
    .where((eb) =>
      eb.or([
        eb(sql`row_json`, 'like', sql`${quoted(employeeNumber)} ESCAPE '\\'`),
        ...(email ? [eb(sql`lower(row_json)`, 'like', sql`${quoted(email.toLowerCase())} ESCAPE '\\'`)] : []),
      ]),
    )
    .orderBy('batch_id')
    .orderBy('row_number')
    .execute();
}

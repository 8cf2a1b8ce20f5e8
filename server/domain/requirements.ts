import type { CompiledQuery } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/sqlite';
import { z } from 'zod';
import { chunkRows, MAX_BOUND_PARAMS } from '../db/chunks.ts';
import type { Db, EmploymentType } from '../db/schema.ts';
import { isIsoDate } from './calendar.ts';
import { DomainError } from './errors.ts';
import { normaliseRate } from './exact.ts';
import { parseReminders, reminderSchedule, type ReminderSchedule } from './reminder-schedule.ts';
import { custom } from '../i18n/zod-messages.ts';

const isoDate = z.string().refine(isIsoDate, custom('date'));
const code = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, custom('code'));

export const requirementInput = z
  .strictObject({
    code,
    title: z.string().trim().min(1).max(300),
    titleEn: z.string().trim().max(300).nullish(),
    courses: z.array(code).min(1).max(20),
    scope: z.array(z.string().trim().min(1).max(64)).min(1).max(200),
    employmentTypes: z.array(z.enum(['tillsvidare', 'visstid', 'timavlonad'])).max(3).nullish(),
    titles: z.array(z.string().trim().min(1).max(200)).max(200).nullish(),
    effectiveFrom: isoDate,
    effectiveTo: isoDate.nullish(),
    dueDate: isoDate.nullish(),
    graceDays: z.int().min(0).max(3650).nullish(),
    targetRate: z
      .union([z.number(), z.string()])
      .refine((v) => normaliseRate(v) !== null, custom('rate'))
      .nullish(),
    source: z.string().trim().min(1).max(1000),
    responsible: z.string().trim().max(300).nullish(),
    followUp: z.string().trim().max(300).nullish(),
    reminders: reminderSchedule.nullish(),
  })
  .refine((r) => !r.effectiveTo || r.effectiveTo >= r.effectiveFrom, {
    path: ['effectiveTo'],
    message: custom('effectiveOrder'),
  });
export type RequirementInput = z.infer<typeof requirementInput>;

export interface RequirementCourse {
  id: number;
  code: string;
  titleSv: string;
  titleEn: string | null;
  url: string | null;
  validityMonths: number | null;
}

/** A requirement with everything the coverage rules read. */
export interface RequirementSpec {
  id: number;
  code: string;
  title: string;
  titleEn: string | null;
  courses: RequirementCourse[];
  scope: string[];
  employmentTypes: EmploymentType[];
  titles: string[];
  effectiveFrom: string;
  effectiveTo: string | null;
  dueDate: string | null;
  graceDays: number | null;
  targetRate: string;
  source: string;
  responsible: string | null;
  followUp: string | null;
  /** DESIGN.md "Reminders"; null: no messages. */
  reminders: ReminderSchedule | null;
}

export function isEffective(r: RequirementSpec, date: string): boolean {
  return r.effectiveFrom <= date && (r.effectiveTo === null || r.effectiveTo >= date);
}

/** The API's view of a requirement (the field names the API contract fixes). */
export function requirementView(r: RequirementSpec) {
  return {
    code: r.code,
    title: r.title,
    titleEn: r.titleEn,
    courses: r.courses.map((c) => c.code),
    scope: r.scope,
    employmentTypes: r.employmentTypes,
    titles: r.titles,
    effectiveFrom: r.effectiveFrom,
    effectiveTo: r.effectiveTo,
    dueDate: r.dueDate,
    graceDays: r.graceDays,
    targetRate: Number(r.targetRate),
    source: r.source,
    responsible: r.responsible,
    followUp: r.followUp,
    reminders: r.reminders,
  };
}

/** Loads requirements with their courses, scope and filters in one query. */
export async function loadRequirements(db: Db, codes?: string[]): Promise<RequirementSpec[]> {
  let q = db
    .selectFrom('requirement as r')
    .selectAll('r')
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('requirement_course as rc')
          .innerJoin('course as c', 'c.id', 'rc.course_id')
          .whereRef('rc.requirement_id', '=', 'r.id')
          .select(['c.id', 'c.code', 'c.title_sv', 'c.title_en', 'c.url', 'c.validity_months'])
          .orderBy('rc.position'),
      ).as('courses'),
      jsonArrayFrom(
        eb.selectFrom('requirement_scope as s').whereRef('s.requirement_id', '=', 'r.id').select('s.unit_code').orderBy('s.unit_code'),
      ).as('scope'),
      jsonArrayFrom(
        eb
          .selectFrom('requirement_employment_type as t')
          .whereRef('t.requirement_id', '=', 'r.id')
          .select('t.employment_type')
          .orderBy('t.employment_type'),
      ).as('types'),
      jsonArrayFrom(
        eb.selectFrom('requirement_title as ti').whereRef('ti.requirement_id', '=', 'r.id').select('ti.title').orderBy('ti.title'),
      ).as('titles'),
    ])
    .orderBy('r.code');
  if (codes) q = q.where('r.code', 'in', codes.length ? codes : ['']);
  const rows = (await q.execute()).map((r) => ({
    ...r,
    // The dialects hand json_group_array back as text unless a plugin parses it; read both.
    courses: jsonRows(r.courses),
    scope: jsonRows(r.scope),
    types: jsonRows(r.types),
    titles: jsonRows(r.titles),
  }));
  return rows.map((r) => ({
    id: r.id,
    code: r.code,
    title: r.title,
    titleEn: r.title_en,
    courses: r.courses.map((c) => ({
      id: c.id,
      code: c.code,
      titleSv: c.title_sv,
      titleEn: c.title_en,
      url: c.url,
      validityMonths: c.validity_months,
    })),
    scope: r.scope.map((s) => s.unit_code),
    employmentTypes: r.types.map((t) => t.employment_type),
    titles: r.titles.map((t) => t.title),
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
    dueDate: r.due_date,
    graceDays: r.grace_days,
    targetRate: r.target_rate,
    source: r.source,
    responsible: r.responsible,
    followUp: r.follow_up,
    reminders: parseReminders(r.reminders),
  }));
}

function jsonRows<T>(value: T[] | string): T[] {
  return typeof value === 'string' ? (JSON.parse(value) as T[]) : value;
}

export async function loadRequirement(db: Db, code: string): Promise<RequirementSpec | undefined> {
  return (await loadRequirements(db, [code]))[0];
}

/** Course codes of the input that name no course. */
export async function unknownCourses(db: Db, codes: string[]): Promise<string[]> {
  const found = await db.selectFrom('course').select('code').where('code', 'in', codes).execute();
  const known = new Set(found.map((c) => c.code));
  return codes.filter((c) => !known.has(c));
}

/**
 * The statements that write a requirement and its relations (replacing them on update), for
 * `deps.atomic`: nothing is returned between them, so each relation finds the requirement's id
 * (and each course its id) with a subquery on its code. Multi-row inserts stay within D1's
 * bound-parameter limit (chunkRows counts one parameter per column, subqueries included).
 */
export function requirementStatements(db: Db, input: RequirementInput, now: string, exists: boolean): CompiledQuery[] {
  const columns = {
    title: input.title,
    title_en: input.titleEn || null,
    effective_from: input.effectiveFrom,
    effective_to: input.effectiveTo ?? null,
    due_date: input.dueDate ?? null,
    grace_days: input.graceDays ?? null,
    target_rate: input.targetRate == null ? '1' : (normaliseRate(input.targetRate) as string),
    source: input.source,
    responsible: input.responsible ?? null,
    follow_up: input.followUp ?? null,
    updated_at: now,
  };
  // A PUT without `reminders` (an older client, a form that does not show them) keeps the
  // schedule; `reminders: null` removes it.
  const reminders = input.reminders === undefined ? {} : { reminders: input.reminders ? JSON.stringify(input.reminders) : null };
  const requirementId = () => db.selectFrom('requirement').select('id').where('code', '=', input.code);
  const out: CompiledQuery[] = [];
  if (exists) {
    out.push(db.updateTable('requirement').set({ ...columns, ...reminders }).where('code', '=', input.code).compile());
    for (const t of ['requirement_course', 'requirement_scope', 'requirement_employment_type', 'requirement_title'] as const) {
      out.push(db.deleteFrom(t).where('requirement_id', '=', requirementId()).compile());
    }
  } else {
    out.push(db.insertInto('requirement').values({ code: input.code, ...columns, ...reminders, created_at: now }).compile());
  }
  const unique = <T>(xs: T[]) => [...new Set(xs)];
  const rows = {
    requirement_course: unique(input.courses).map((c, position) => ({
      requirement_id: requirementId(),
      course_id: db.selectFrom('course').select('id').where('code', '=', c),
      position,
    })),
    requirement_scope: unique(input.scope).map((unit_code) => ({ requirement_id: requirementId(), unit_code })),
    requirement_employment_type: unique(input.employmentTypes ?? []).map((employment_type) => ({ requirement_id: requirementId(), employment_type })),
    requirement_title: unique(input.titles ?? []).map((title) => ({ requirement_id: requirementId(), title })),
  };
  for (const [table, values] of Object.entries(rows) as [keyof typeof rows, object[]][]) {
    for (const chunk of chunkRows(values)) out.push(db.insertInto(table).values(chunk as never).compile());
  }
  return out;
}

/**
 * Writes a requirement and its relations outside a request (fixtures, the demo city): the same
 * statements, run one by one (wrap in a transaction where the engine has one); returns the id.
 */
export async function saveRequirement(db: Db, input: RequirementInput, now: string): Promise<number> {
  const exists = !!(await db.selectFrom('requirement').select('id').where('code', '=', input.code).executeTakeFirst());
  for (const q of requirementStatements(db, input, now, exists)) await db.executeQuery(q);
  const row = await db.selectFrom('requirement').select('id').where('code', '=', input.code).executeTakeFirstOrThrow();
  return row.id;
}

/** 422 naming the courses and units of the input that do not exist. */
export async function checkReferences(db: Db, input: RequirementInput) {
  const missingCourses = await unknownCourses(db, input.courses);
  if (missingCourses.length) throw new DomainError('unprocessable', 'requirement.unknownCourses', { codes: missingCourses.join(', ') });
  const known = new Set<string>();
  // A scope may name 200 units; D1 binds at most 100 parameters per statement.
  for (let i = 0; i < input.scope.length; i += MAX_BOUND_PARAMS) {
    const found = await db.selectFrom('org_unit').select('code').distinct().where('code', 'in', input.scope.slice(i, i + MAX_BOUND_PARAMS)).execute();
    for (const u of found) known.add(u.code);
  }
  const missingUnits = input.scope.filter((u) => !known.has(u));
  if (missingUnits.length) throw new DomainError('unprocessable', 'requirement.unknownUnits', { codes: missingUnits.join(', ') });
}

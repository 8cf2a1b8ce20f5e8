import { sql, type CompiledQuery } from 'kysely';
import { MAX_BOUND_PARAMS } from '../db/chunks.ts';
import { z } from 'zod';
import type { Course, Db } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { custom } from '../i18n/zod-messages.ts';
import { expiresOn } from './expiry.ts';

const code = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, custom('code'));
const title = z.union([
  z.string().trim().min(1).max(300),
  z.object({ sv: z.string().trim().min(1).max(300), en: z.string().trim().min(1).max(300).optional() }),
]);

export const courseInput = z.strictObject({
  code,
  title,
  /** The English title, also accepted as `title: {sv, en}`; this one wins when both are given. */
  titleEn: z.string().trim().max(300).nullish(),
  kind: z.enum(['web', 'seminar', 'acknowledgement']),
  url: z.url({ protocol: /^https?$/ }).max(2000).nullish(),
  validityMonths: z.int().min(1).max(600).nullish(),
  xapiActivityId: z.url().max(2000).nullish(),
  versionNotes: z.string().max(4000).nullish(),
});
export type CourseInput = z.infer<typeof courseInput>;

export interface CourseView {
  code: string;
  title: { sv: string; en: string | null };
  titleEn: string | null;
  kind: Course['kind'];
  url: string | null;
  validityMonths: number | null;
  xapiActivityId: string | null;
  versionNotes: string | null;
}

export function courseView(c: Course): CourseView {
  return {
    code: c.code,
    title: { sv: c.title_sv, en: c.title_en },
    titleEn: c.title_en,
    kind: c.kind,
    url: c.url,
    validityMonths: c.validity_months,
    xapiActivityId: c.xapi_activity_id,
    versionNotes: c.version_notes,
  };
}

function columns(input: CourseInput) {
  const t = typeof input.title === 'string' ? { sv: input.title, en: undefined } : input.title;
  return {
    title_sv: t.sv,
    title_en: (input.titleEn === undefined ? t.en : input.titleEn) || null,
    kind: input.kind,
    url: input.url ?? null,
    validity_months: input.validityMonths ?? null,
    xapi_activity_id: input.xapiActivityId ?? null,
    version_notes: input.versionNotes ?? null,
  };
}

export async function listCourses(db: Db): Promise<Course[]> {
  return db.selectFrom('course').selectAll().orderBy('code').execute();
}

export async function findCourse(db: Db, code: string): Promise<Course | undefined> {
  return db.selectFrom('course').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function createCourse(db: Db, input: CourseInput, now: string): Promise<Course> {
  return db
    .insertInto('course')
    .values({ code: input.code, ...columns(input), created_at: now, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The insert (new) or update (existing) of a course as one statement, for an atomic write. */
export function courseStatement(db: Db, input: CourseInput, now: string, exists: boolean): CompiledQuery {
  return exists
    ? db.updateTable('course').set({ ...columns(input), updated_at: now }).where('code', '=', input.code).compile()
    : db.insertInto('course').values({ code: input.code, ...columns(input), created_at: now, updated_at: now }).compile();
}

/** 409 when the xAPI activity id already belongs to another course (statements map by it). */
export async function checkXapiActivityFree(db: Db, id: string | null | undefined, code: string): Promise<void> {
  if (!id) return;
  const owner = await db.selectFrom('course').select('code').where('xapi_activity_id', '=', id).executeTakeFirst();
  if (owner && owner.code !== code) throw new DomainError('conflict', 'course.xapiTaken', { id });
}

/**
 * The statements that give every completion of the course the expiry its new validity gives
 * (`expiresOn`), for the same atomic write as the course itself; none when the validity is
 * unchanged. The expiry depends only on the record's date, so it is written per distinct date,
 * each statement a table of up to 49 (date, expiry) pairs within D1's 100 bound parameters.
 */
export async function expiryRewrite(db: Db, course: Pick<Course, 'id' | 'validity_months'>, validityMonths: number | null): Promise<CompiledQuery[]> {
  if (course.validity_months === validityMonths) return [];
  if (validityMonths === null) {
    return [db.updateTable('completion').set({ expires_on: null }).where('course_id', '=', course.id).where('status', '=', 'completed').compile()];
  }
  const days = await db
    .selectFrom('completion')
    .select(sql<string>`substr(occurred_at, 1, 10)`.as('day'))
    .distinct()
    .where('course_id', '=', course.id)
    .where('status', '=', 'completed')
    .execute();
  const per = Math.floor((MAX_BOUND_PARAMS - 1) / 2);
  const out: CompiledQuery[] = [];
  for (let i = 0; i < days.length; i += per) {
    const pairs = days.slice(i, i + per).map(({ day }) => sql`(${day}, ${expiresOn('completed', day, validityMonths)})`);
    out.push(
      sql`WITH x(day, expires) AS (VALUES ${sql.join(pairs)})
        UPDATE completion SET expires_on = (SELECT x.expires FROM x WHERE x.day = substr(completion.occurred_at, 1, 10))
        WHERE course_id = ${course.id} AND status = 'completed' AND substr(occurred_at, 1, 10) IN (SELECT day FROM x)`.compile(db),
    );
  }
  return out;
}

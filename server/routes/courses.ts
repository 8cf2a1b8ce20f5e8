import { Hono } from 'hono';
import { authorize } from '../auth/permissions.ts';
import { auditStatement, type AuditEntry } from '../domain/audit.ts';
import { checkXapiActivityFree, courseInput, courseStatement, courseView, expiryRewrite, findCourse, listCourses, type CourseInput } from '../domain/courses.ts';
import type { Course } from '../db/schema.ts';
import { DomainError } from '../domain/errors.ts';
import type { AppDeps, AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';
import { jsonBody } from '../http/validate.ts';
import { rematchXapi } from '../xapi/store.ts';

/**
 * The course, its completions' expiries when its validity changes, and its audit entry, written
 * together; then statements waiting for it count.
 */
async function save(deps: AppDeps, input: CourseInput, old: Course | undefined, entry: AuditEntry) {
  const now = new Date().toISOString();
  const expiries = old ? await expiryRewrite(deps.db, old, input.validityMonths ?? null) : [];
  await deps.atomic([courseStatement(deps.db, input, now, old !== undefined), ...expiries, auditStatement(deps.db, entry, now)]);
  const course = (await findCourse(deps.db, input.code))!;
  if (course.xapi_activity_id) await rematchXapi(deps.db, deps.atomic);
  return course;
}

const tags = ['catalog'];

/** Mounted at /api/courses. */
export const courses = new Hono<AppEnv>()
  .get('/', doc({ tags, summary: 'The courses' }), async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    return c.json({ courses: (await listCourses(c.get('deps').db)).map(courseView) });
  })
  .get('/:code', doc({ tags, summary: 'One course' }), async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    const course = await findCourse(c.get('deps').db, c.req.param('code'));
    if (!course) throw new DomainError('not_found', 'course.unknown', { code: c.req.param('code') });
    return c.json(courseView(course));
  })
  .post('/', doc({ tags, summary: 'Add a course (audited)', responses: { 201: { description: 'The course' } } }), jsonBody(courseInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'course.write');
    const input = c.req.valid('json');
    const { db } = c.get('deps');
    if (await findCourse(db, input.code)) throw new DomainError('conflict', 'course.exists', { code: input.code });
    await checkXapiActivityFree(db, input.xapiActivityId, input.code);
    const course = await save(c.get('deps'), input, undefined, { actor: principal.employeeNumber, kind: 'course', action: 'create', scope: input.code, detail: { ...input } });
    return c.json(courseView(course), 201);
  })
  .put('/:code', doc({ tags, summary: 'Change a course (audited)' }), jsonBody(courseInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'course.write');
    const input = c.req.valid('json');
    const code = c.req.param('code');
    if (input.code !== code) throw new DomainError('bad_request', 'code.mismatch', { path: code, body: input.code });
    const { db } = c.get('deps');
    const old = await findCourse(db, code);
    if (!old) throw new DomainError('not_found', 'course.unknown', { code });
    await checkXapiActivityFree(db, input.xapiActivityId, code);
    const course = await save(c.get('deps'), input, old, { actor: principal.employeeNumber, kind: 'course', action: 'update', scope: code, detail: { ...input } });
    return c.json(courseView(course));
  });

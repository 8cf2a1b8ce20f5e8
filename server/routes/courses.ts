import { Hono } from 'hono';
import { authorize } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { checkXapiActivityFree, courseInput, courseView, createCourse, findCourse, listCourses, updateCourse } from '../domain/courses.ts';
import { DomainError } from '../domain/errors.ts';
import type { AppEnv } from '../http/env.ts';
import { jsonBody } from '../http/validate.ts';
import { rematchXapi } from '../xapi/store.ts';

export const courses = new Hono<AppEnv>()
  .get('/api/courses', async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    return c.json({ courses: (await listCourses(c.get('deps').db)).map(courseView) });
  })
  .get('/api/courses/:code', async (c) => {
    authorize(c.get('principal'), 'catalog.read');
    const course = await findCourse(c.get('deps').db, c.req.param('code'));
    if (!course) throw new DomainError('not_found', 'course.unknown', { code: c.req.param('code') });
    return c.json(courseView(course));
  })
  .post('/api/courses', jsonBody(courseInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'course.write');
    const input = c.req.valid('json');
    const { db } = c.get('deps');
    if (await findCourse(db, input.code)) throw new DomainError('conflict', 'course.exists', { code: input.code });
    await checkXapiActivityFree(db, input.xapiActivityId, input.code);
    const course = await createCourse(db, input, new Date().toISOString());
    // Statements that arrived before their course now count.
    if (course.xapi_activity_id) await rematchXapi(db, c.get('deps').atomic);
    await audit(db, { actor: principal.employeeNumber, kind: 'course', action: 'create', scope: input.code, detail: { ...input } });
    return c.json(courseView(course), 201);
  })
  .put('/api/courses/:code', jsonBody(courseInput), async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'course.write');
    const input = c.req.valid('json');
    const code = c.req.param('code');
    if (input.code !== code) throw new DomainError('bad_request', 'code.mismatch', { path: code, body: input.code });
    const { db } = c.get('deps');
    if (!(await findCourse(db, code))) throw new DomainError('not_found', 'course.unknown', { code });
    await checkXapiActivityFree(db, input.xapiActivityId, code);
    const course = (await updateCourse(db, input, new Date().toISOString()))!;
    if (course.xapi_activity_id) await rematchXapi(db, c.get('deps').atomic);
    await audit(db, { actor: principal.employeeNumber, kind: 'course', action: 'update', scope: code, detail: { ...input } });
    return c.json(courseView(course));
  });

import { Hono } from 'hono';
import { authorize } from '../auth/permissions.ts';
import { audit } from '../domain/audit.ts';
import { personExtract } from '../domain/person-extract.ts';
import type { AppEnv } from '../http/env.ts';
import { doc } from '../http/openapi.ts';

/** GDPR register extract for one person, by those with person.extract; every extract is audited. Mounted at /api/people. */
export const personExtractRoutes = new Hono<AppEnv>().get(
  '/:employeeNumber/extract',
  doc({ tags: ['people'], summary: 'GDPR register extract of one person (audited)' }),
  async (c) => {
    const principal = c.get('principal');
    authorize(principal, 'person.extract');
    const { db } = c.get('deps');
    const employeeNumber = c.req.param('employeeNumber').slice(0, 64);
    const extract = await personExtract(db, employeeNumber);
    await audit(db, { actor: principal.employeeNumber, kind: 'person.extract', action: 'read', scope: null, detail: { employeeNumber } });
    c.header('cache-control', 'no-store');
    return c.json(extract);
  },
);

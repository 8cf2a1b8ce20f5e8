/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { env } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RETRY_CRON } from '../../server/cron.ts';
import { scheduledReminders } from '../../server/worker.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// The Cron Trigger in workerd on D1: the same decision as the run, kept in the outbox when no
// mail is configured. Ada (F1, e-mail) and R1 due 2025-03-15, reminded 30 and 7 days before.

const DB = (env as unknown as { DB: D1Database }).DB;
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, {
    units: [['CITY', 'Staden', null, 'stad']],
    people: [['P1', 'Ada Andersson', 'ada@example.se']],
    employments: [{ p: 'P1', unit: 'CITY', from: '2020-01-01' }],
    courses: [course('VBE')],
    requirements: [requirement({ code: 'R1', courses: ['VBE'], scope: ['CITY'], dueDate: '2025-03-15', reminders: { beforeDue: [30, 7] } })],
  });
});
afterEach(() => h.close());

describe('scheduled()', () => {
  it('decides today\'s messages (Stockholm date) into the outbox once', async () => {
    // 23:30 UTC on the 12th is already the 13th in Stockholm: 30 days before the due date.
    const a = await scheduledReminders({ DB, KK_AUTH: 'dev' }, '0 5 * * *', new Date('2025-02-12T23:30:00Z'));
    expect(a).toMatchObject({ asOf: '2025-02-13', sent: 0, failed: 0 });
    expect((a as unknown as { messages: unknown[] }).messages).toEqual([{ kind: 'due_soon', to: 'ada@example.se', employeeNumber: 'P1', requirement: 'R1', dueDate: '2025-03-15' }]);
    const again = await scheduledReminders({ DB, KK_AUTH: 'dev' }, '0 6 * * *', new Date('2025-02-13T06:00:00Z'));
    expect((again as unknown as { messages: unknown[] }).messages).toEqual([]);
    const rows = await h.db.selectFrom('reminder_outbox').select(['key', 'status', 'created_by']).execute();
    expect(rows).toEqual([{ key: 'due_soon|P1|R1|2025-03-15|30', status: 'pending', created_by: 'system' }]);
    // The retry cron only delivers: without mail, nothing.
    expect(await scheduledReminders({ DB, KK_AUTH: 'dev' }, RETRY_CRON, new Date('2025-02-13T06:15:00Z'))).toEqual({ sent: 0, failed: 0 });
  });
});

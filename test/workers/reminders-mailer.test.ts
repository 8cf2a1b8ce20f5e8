/// <reference types="@cloudflare/vitest-pool-workers/types" />
import { env } from 'cloudflare:test';
import type { D1Database } from '@cloudflare/workers-types';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { scheduledReminders } from '../../server/worker.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { makeHarness, type Harness } from '../support/harness.ts';

// The Workers delivery path for real: the Cron Trigger's run in workerd on D1 sends with
// worker-mailer over `cloudflare:sockets` to a real smtp-server (started by the project's
// globalSetup in the Node process running vitest; signed in with the user and password of
// KK_SMTP_URL), which received it. Ada (e-mail) and R1 due
// 2025-03-15, reminded 30 days before: one message on 2025-02-13.

const DB = (env as unknown as { DB: D1Database }).DB;
const smtp = inject('smtp');
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await load(h.db, {
    units: [['CITY', 'Staden', null, 'stad']],
    people: [['P1', 'Ada Andersson', 'ada.workers@example.se']],
    employments: [{ p: 'P1', unit: 'CITY', from: '2020-01-01' }],
    courses: [course('VBE', { title: 'Våld i nära relationer', url: 'https://lar.example.se/vbe' })],
    requirements: [requirement({ code: 'R1', title: 'Grundutbildning VBE', courses: ['VBE'], scope: ['CITY'], dueDate: '2025-03-15', reminders: { beforeDue: [30] } })],
  });
});
afterEach(() => h.close());

const received = async (to: string) => ((await (await fetch(`${smtp.mailsUrl}?to=${encodeURIComponent(to)}`)).json()) as { mails: { from: string; to: string[]; subject: string; text: string; html: string }[] }).mails;

describe('worker-mailer', () => {
  it('delivers the Cron Trigger\'s message over SMTP from workerd, Swedish first, text and HTML, and marks it sent', async () => {
    expect(await received('ada.workers@example.se')).toEqual([]);
    const vars = { DB, KK_AUTH: 'dev', KK_SMTP_URL: `smtp://${smtp.user}:${encodeURIComponent(smtp.pass)}@127.0.0.1:${smtp.port}`, KK_MAIL_FROM: 'kk@example.se' };
    const answer = await scheduledReminders(vars, '0 5 * * *', new Date('2025-02-13T05:00:00Z'));
    // On failure, the outbox's SMTP error says why.
    const errors = await h.db.selectFrom('reminder_outbox').select(['last_error']).execute();
    expect(answer, JSON.stringify(errors)).toMatchObject({ asOf: '2025-02-13', sent: 1, failed: 0 });
    const mails = await received('ada.workers@example.se');
    expect(mails).toHaveLength(1);
    expect(mails[0].from).toBe('kk@example.se');
    expect(mails[0].subject).toBe('Påminnelse: Grundutbildning VBE senast 15 mars 2025 / Reminder: due 15 March 2025');
    expect(mails[0].text.indexOf('Hej Ada Andersson')).toBeGreaterThanOrEqual(0);
    expect(mails[0].text.indexOf('Hej Ada Andersson')).toBeLessThan(mails[0].text.indexOf('Hello Ada Andersson'));
    expect(mails[0].text).toContain('15 mars 2025');
    expect(mails[0].html).toContain('<a href="https://lar.example.se/vbe">Våld i nära relationer</a>');
    const rows = await h.db.selectFrom('reminder_outbox').select(['key', 'status', 'attempts', 'last_error']).execute();
    expect(rows).toEqual([{ key: 'due_soon|P1|R1|2025-03-15|30', status: 'sent', attempts: 1, last_error: null }]);
  });
});

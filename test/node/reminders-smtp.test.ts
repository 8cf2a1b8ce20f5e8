import { afterEach, describe, expect, it } from 'vitest';
import { course, load, requirement } from '../support/fixtures.ts';
import { makeHarness, type NodeHarness } from '../support/harness.ts';
import { startSmtp, type SmtpSink } from '../support/smtp.ts';

// Reminders over real SMTP (nodemailer → smtp-server in this process). The world: Ada (F1) and
// Bo (F1, no e-mail); R1 (VBE, due 2025-03-15) reminds 30 days before.

let h: NodeHarness | undefined;
let smtp: SmtpSink | undefined;
afterEach(async () => {
  await h?.close();
  await smtp?.close();
  h = smtp = undefined;
});

async function world(smtpUrl: string) {
  const harness = await makeHarness({ KK_SMTP_URL: smtpUrl, KK_MAIL_FROM: 'Kompetenskoll <kk@example.se>' });
  await load(harness.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
    ],
    people: [['P1', 'Ada Andersson', 'ada@example.se'], ['P2', 'Bo Berg']],
    employments: [
      { p: 'P1', unit: 'F1', from: '2020-01-01' },
      { p: 'P2', unit: 'F1', from: '2020-01-01' },
    ],
    courses: [course('VBE', { title: 'Våld i nära relationer', url: 'https://lar.example.se/vbe' })],
    requirements: [requirement({ code: 'R1', title: 'Grundutbildning VBE', courses: ['VBE'], scope: ['CITY'], dueDate: '2025-03-15', source: 'Stadsrevisionen rek. 1', reminders: { beforeDue: [30] } })],
  });
  return harness;
}

const run = async (asOf: string) => {
  const token = await h!.token('ADM1', [{ role: 'admin' }]);
  const res = await h!.request(`/api/reminders/run?asOf=${asOf}`, { token, method: 'POST' });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
};
const outbox = () => h!.db.selectFrom('reminder_outbox').selectAll().orderBy('id').execute();

describe('reminders over SMTP', () => {
  it('sends each decided message once, Swedish first then English, as text and HTML', async () => {
    smtp = await startSmtp();
    h = await world(smtp.url);
    const a = await run('2025-02-13');
    expect(a).toMatchObject({ sent: 1, failed: 0, withoutEmail: 1 });
    expect(a.messages).toEqual([{ kind: 'due_soon', to: 'ada@example.se', employeeNumber: 'P1', requirement: 'R1', dueDate: '2025-03-15' }]);
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail.to).toEqual(['ada@example.se']);
    expect(mail.from).toBe('kk@example.se');
    expect(mail.subject).toBe('Påminnelse: Grundutbildning VBE senast 15 mars 2025 / Reminder: due 15 March 2025');
    expect(mail.text.indexOf('Du behöver gå utbildningen "Grundutbildning VBE" senast 15 mars 2025.')).toBeGreaterThan(-1);
    expect(mail.text.indexOf('15 mars 2025')).toBeLessThan(mail.text.indexOf('Please complete the training "Grundutbildning VBE" by 15 March 2025.'));
    expect(mail.text).toContain('Våld i nära relationer: https://lar.example.se/vbe');
    expect(mail.text).toContain('Kravet bygger på: Stadsrevisionen rek. 1');
    expect(mail.html).toContain('<a href="https://lar.example.se/vbe">Våld i nära relationer</a>');
    expect(mail.html).toContain('<div lang="sv">');
    expect(mail.text).not.toContain('Bo Berg');
    expect((await outbox()).map((r) => [r.status, r.attempts, r.last_error])).toEqual([['sent', 1, null]]);

    // The same day again: nothing decided, nothing sent.
    expect(await run('2025-02-13')).toMatchObject({ messages: [], sent: 0, failed: 0 });
    expect(smtp.mails).toHaveLength(1);
  });

  it('a server that is down leaves the message failed with the error; a later run delivers it', async () => {
    // A port with nobody listening: take one, then close it.
    const probe = await startSmtp();
    const port = probe.port;
    await probe.close();
    h = await world(`smtp://127.0.0.1:${port}`);
    const a = await run('2025-02-13');
    expect(a).toMatchObject({ sent: 0, failed: 1 });
    let [row] = await outbox();
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(row.next_attempt_at! > new Date().toISOString()).toBe(true); // backoff
    const admin = await h.token('ADM1', [{ role: 'admin' }]);
    expect((await h.json('/api/reminders/outbox?status=failed', admin)).messages[0]).toMatchObject({ status: 'failed', attempts: 1 });

    smtp = await startSmtp(port);
    // The next run decides nothing new but sends at once what could not be delivered.
    const b = await run('2025-02-14');
    expect(b).toMatchObject({ messages: [], sent: 1, failed: 0 });
    expect(smtp.mails.map((m) => m.to[0])).toEqual(['ada@example.se']);
    [row] = await outbox();
    expect([row.status, row.attempts, row.last_error]).toEqual(['sent', 2, null]);
  });

  it('a message left "sending" by a killed process is sent again only once its claim is stale', async () => {
    smtp = await startSmtp();
    h = await world(smtp.url);
    // Decided without delivery, then marked as claimed by a process that died.
    const { storeDecided } = await import('../../server/domain/reminder-outbox.ts');
    const { decideReminders } = await import('../../server/domain/reminder-decision.ts');
    const { loadRequirements } = await import('../../server/domain/requirements.ts');
    const world1 = h;
    await decideReminders(world1.db, await loadRequirements(world1.db), '2025-02-13', (messages) => storeDecided(world1.db, world1.atomic, messages, '2025-02-13', 'ADM1', new Date().toISOString()));
    await h.db.updateTable('reminder_outbox').set({ status: 'sending', claimed_at: new Date().toISOString(), attempts: 1 }).execute();
    expect(await run('2025-02-13')).toMatchObject({ sent: 0 }); // in flight elsewhere, perhaps
    await h.db.updateTable('reminder_outbox').set({ claimed_at: new Date(Date.now() - 11 * 60_000).toISOString() }).execute();
    expect(await run('2025-02-13')).toMatchObject({ sent: 1 });
    expect(smtp.mails).toHaveLength(1);
  });
});

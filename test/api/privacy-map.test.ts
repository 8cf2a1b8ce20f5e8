import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRIVACY_MAP, type Field, type Link, type TableName, type Use } from '../../server/domain/privacy-map.ts';
import { anonymiseExpired } from '../../server/domain/retention.ts';
import { course, load, requirement } from '../support/fixtures.ts';
import { nodeHarness, type Harness } from '../support/harness.ts';
import { csvFile, imported } from '../support/sheets.ts';

// Personal data mapped once (server/domain/privacy-map.ts): the map covers the schema, retention
// leaves nothing of a leaver anywhere, and the register extract finds what retention finds.

let h: Harness;
beforeEach(async () => {
  h = await nodeHarness({ KK_XAPI_CREDENTIALS: 'portal:s3cret' });
});
afterEach(() => h.close());

/** The tables of the migrated database (D1's own _cf_ tables and SQLite's aside). */
async function schemaTables(): Promise<string[]> {
  const r = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name`.execute(h.db);
  return r.rows.map((x) => x.name);
}

async function columnsOf(table: string): Promise<{ name: string; type: string }[]> {
  return (await sql<{ name: string; type: string }>`SELECT name, type FROM pragma_table_info(${table})`.execute(h.db)).rows;
}

describe('the privacy map', () => {
  it('declares every table of the migrated schema, and no other', async () => {
    expect(Object.keys(PRIVACY_MAP).sort()).toEqual(await schemaTables());
  });

  it('names only columns the tables have, and says why where a table holds nothing personal', async () => {
    for (const table of Object.keys(PRIVACY_MAP) as TableName[]) {
      const have = new Set((await columnsOf(table)).map((c) => c.name));
      const t = PRIVACY_MAP[table];
      const uses = t.uses as Use<TableName>[];
      const named: string[] = [...t.personal];
      for (const u of uses) {
        named.push(...u.order, ...u.links.flatMap((l: Link<TableName>) => ('column' in l ? [l.column] : [])));
        named.push(...Object.values(u.fields).map((f: Field<TableName>) => (typeof f === 'string' ? f : f.column)));
        if ('set' in u.retention) named.push(...Object.keys(u.retention.set));
        // A pseudonym is worked out from the one link that says whose row it is.
        if ('set' in u.retention && Object.values(u.retention.set).includes('pseudonym')) {
          expect(u.links, `${table}.${u.section}`).toHaveLength(1);
          expect(['self', 'person_id', 'employee_number'], `${table}.${u.section}`).toContain(u.links[0].kind);
        }
      }
      if (t.expiry) named.push(t.expiry.pending.column, ...Object.keys(t.expiry.set), ...(t.expiry.unlinked ? [t.expiry.unlinked] : []));
      for (const c of named) expect(have.has(c), `${table}.${c}`).toBe(true);
      // Columns of other tables the map reads: lookups in the extract, the age of an expiry.
      const elsewhere = uses.flatMap((u) => Object.values(u.fields).flatMap((f: Field<TableName>) => (typeof f !== 'string' && 'lookup' in f ? [[f.lookup.table, f.lookup.column, 'id']] : [])));
      if (t.expiry && 'via' in t.expiry.age) {
        expect(have.has(t.expiry.age.via), `${table}.${t.expiry.age.via}`).toBe(true);
        elsewhere.push([t.expiry.age.table, t.expiry.age.key, t.expiry.age.column]);
      }
      for (const [other, ...cols] of elsewhere) {
        const there = new Set((await columnsOf(other)).map((c) => c.name));
        for (const c of cols) expect(there.has(c), `${other}.${c} (from ${table})`).toBe(true);
      }
      if (!t.personal.length) expect(uses, table).toEqual([]);
      else expect(uses.length, table).toBeGreaterThan(0);
      expect(t.note.length, table).toBeGreaterThan(5);
    }
    const sections = (Object.values(PRIVACY_MAP) as { uses: Use<TableName>[] }[]).flatMap((t) => t.uses.map((u) => u.section));
    expect(new Set(sections).size).toBe(sections.length);
  });
});

// Retention "today" = 2026-06-01, 5 years: P1 (Ada Ett, left 2020-12-31) is anonymised, P2 (Bo Två, still employed) stays.
const TODAY = '2026-06-01';
const BASIC = `Basic ${btoa('portal:s3cret')}`;
const ACT = 'https://utbildning.stockholm.se/xapi/vbe';
const verb = (v: string) => ({ id: `http://adlnet.gov/expapi/verbs/${v}`, display: { 'en-US': v } });
const ADA = { objectType: 'Agent', name: 'Ada Ett', mbox: 'mailto:Ada@Example.se' };
const BO = { objectType: 'Agent', name: 'Bo Två', mbox: 'mailto:bo@example.se' };
const S = {
  matched: '11111111-1111-4111-8111-111111111111',
  byAccount: '22222222-2222-4222-8222-222222222222',
  ignored: '33333333-3333-4333-8333-333333333333',
  bo: '44444444-4444-4444-8444-444444444444',
  stranger: '55555555-5555-4555-8555-555555555555',
};
const statements = [
  { id: S.matched, actor: ADA, verb: verb('completed'), object: { objectType: 'Activity', id: ACT }, timestamp: '2019-03-01T09:00:00Z', result: { response: 'Ada Ett svarade' } },
  // Known person by account, unknown course: stays unmatched (no person_id) but is hers.
  { id: S.byAccount, actor: { objectType: 'Agent', name: 'Ada Ett', account: { homePage: 'https://hr.stockholm.se', name: 'P1' } }, verb: verb('attempted'), object: { objectType: 'Activity', id: `${ACT}/okand` }, timestamp: '2019-04-01T09:00:00Z' },
  // A verb that never counts: ignored, but it still names her.
  { id: S.ignored, actor: ADA, verb: verb('experienced'), object: { objectType: 'Activity', id: ACT }, timestamp: '2019-05-01T09:00:00Z' },
  { id: S.bo, actor: BO, verb: verb('completed'), object: { objectType: 'Activity', id: ACT }, timestamp: '2019-06-01T09:00:00Z' },
  { id: S.stranger, actor: { objectType: 'Agent', name: 'Okänd Person', mbox: 'mailto:stranger@example.se' }, verb: verb('completed'), object: { objectType: 'Activity', id: ACT }, timestamp: '2019-07-01T09:00:00Z' },
];
const xapi = (path: string, method = 'GET', body?: unknown) =>
  h.request(path, {
    method,
    headers: { 'X-Experience-API-Version': '1.0.3', authorization: BASIC, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

let admin: string;
/** A city where P1 left long ago after doing and being a bit of everything; P2 is still there. */
async function world() {
  await load(h.db, {
    units: [
      ['CITY', 'Staden', null, 'stad'],
      ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
    ],
    people: [
      ['P1', 'Ada Ett', 'ada@example.se'],
      ['P2', 'Bo Två', 'bo@example.se'],
    ],
    employments: [
      { p: 'P1', unit: 'F1', from: '2015-01-01', to: '2020-12-31' },
      { p: 'P2', unit: 'F1', from: '2015-01-01' },
    ],
    courses: [course('C', { xapiActivityId: ACT })],
    requirements: [requirement({ code: 'R', courses: ['C'], scope: ['F1'] })],
  });
  admin = await h.token('ADM1', [{ role: 'admin' }]);
  const p1 = await h.token('P1', [{ role: 'admin' }]);
  const post = (token: string, path: string, body: unknown) => h.request(path, { token, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // Granted a role (the log names her), and granting one herself.
  expect((await post(admin, '/api/roles', { employeeNumber: 'P1', role: 'coordinator', unit: 'F1' })).status).toBe(201);
  expect((await post(p1, '/api/roles', { employeeNumber: 'P2', role: 'manager', unit: 'F1' })).status).toBe(201);
  // An import she ran: Bo's record is recorded by her; the rejected row carries her own address.
  const file = csvFile([
    ['Anställningsnummer', 'E-post', 'Kurs', 'Status', 'Datum'],
    ['P2', '', 'C', 'Genomförd', '2019-01-10'],
    ['', 'ADA@example.se', 'XYZ', 'Genomförd', '2019-01-11'],
  ]);
  expect(await imported(h, '/api/imports/completions', p1, file, 'lms.csv')).toMatchObject({ rowsAccepted: 1, rowsRejected: 1 });
  const stored = await xapi('/xapi/statements', 'POST', statements);
  expect(stored.status).toBe(200);
  // Her register extract was taken once (the log names her again).
  await h.json('/api/people/P1/extract', admin);
  // Reminders of 2019 (written as a run and a nudge write them): one to her; Bo's manager digest
  // naming her; one she asked for as Bo's coordinator.
  const mail = (key: string, kind: 'due_soon' | 'digest' | 'nudge', who: [string, string], body: string, createdBy: string) => ({
    key, kind, employee_number: who[0], to_address: who[1], requirement: 'R', due_date: '2019-03-01', decided_for: '2019-02-01',
    subject: 'Påminnelse / Reminder', body_text: body, body_html: `<p>${body}</p>`, status: 'sent' as const, attempts: 1,
    next_attempt_at: null, last_error: null, created_at: '2019-02-01T06:00:00.000Z', created_by: createdBy, claimed_at: null, sent_at: '2019-02-01T06:00:01.000Z',
  });
  await h.db.insertInto('reminder_outbox').values([
    mail('due_soon|P1|R|2019-03-01|30', 'due_soon', ['P1', 'ada@example.se'], 'Hej Ada Ett! Du behöver gå utbildningen.', 'system'),
    mail('digest|P2|2019-02', 'digest', ['P2', 'bo@example.se'], 'Hej Bo Två! Ada Ett (P1), Förvaltning ett: R', 'system'),
    mail('nudge|P2|R|2019-W05', 'nudge', ['P2', 'bo@example.se'], 'Hej Bo Två! Din chef påminner dig.', 'P1'),
  ]).execute();
}

/** Every text cell of every table that holds `needle` (case-insensitive), or equals / JSON-quotes the employee number. */
async function cellsNaming(needle: string, exact = false): Promise<string[]> {
  const hits: string[] = [];
  for (const table of await schemaTables()) {
    for (const c of await columnsOf(table)) {
      if (c.type.toUpperCase() !== 'TEXT' && c.type !== '' && c.type.toUpperCase() !== 'TIMESTAMP') continue;
      const col = sql.ref(c.name);
      const where = exact ? sql`${col} = ${needle} OR ${col} LIKE ${`%"${needle}"%`}` : sql`instr(lower(${col}), ${needle.toLowerCase()}) > 0`;
      const n = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE ${where}`.execute(h.db);
      if (Number(n.rows[0].n)) hits.push(`${table}.${c.name}`);
    }
  }
  return hits.sort();
}

describe('retention of a leaver', () => {
  it('leaves her address, name and employee number nowhere in the database, and everyone else as they were', async () => {
    await world();
    // The fixture really put her everywhere the map says she can be.
    expect(await cellsNaming('ada@example.se')).toEqual(['import_rejected_row.row_json', 'person.email', 'reminder_outbox.to_address', 'xapi_statement.actor_email', 'xapi_statement.statement_json']);
    expect(await cellsNaming('Ada Ett')).toEqual(['person.name', 'reminder_outbox.body_html', 'reminder_outbox.body_text', 'xapi_statement.statement_json']);
    expect(await cellsNaming('P1', true)).toEqual([
      'audit_log.actor',
      'audit_log.detail_json',
      'completion.recorded_by',
      'import_batch.started_by',
      'person.employee_number',
      'reminder_outbox.created_by',
      'reminder_outbox.employee_number',
      'role_grant.employee_number',
      'role_grant.granted_by',
      'xapi_statement.actor_account',
      'xapi_statement.statement_json',
    ]);
    const before = await h.json('/api/coverage?unit=F1&requirement=R&asOf=2019-12-31', admin);
    const bo = await (await xapi(`/xapi/statements?statementId=${S.bo}`)).json();

    const r = await anonymiseExpired(h.db, h.atomic, TODAY, 5, '2026-06-01T02:00:00.000Z');
    // The reminders of 2019 lose their bodies (Bo's digest named her); hers go with her.
    expect(r).toEqual({ cutoff: '2021-06-01', anonymised: 1, expired: { import_rejected_row: 0, reminder_outbox: 3, xapi_statement: 0 } });
    expect(await h.db.selectFrom('reminder_outbox').select(['key', 'employee_number', 'created_by', 'body_text', 'body_html', 'subject']).orderBy('id').execute()).toEqual([
      { key: 'digest|P2|2019-02', employee_number: 'P2', created_by: 'system', body_text: null, body_html: null, subject: 'Påminnelse / Reminder' },
      { key: 'nudge|P2|R|2019-W05', employee_number: 'P2', created_by: expect.stringMatching(/^ANON-\d+$/), body_text: null, body_html: null, subject: 'Påminnelse / Reminder' },
    ]);

    expect(await cellsNaming('ada@example.se')).toEqual([]);
    expect(await cellsNaming('Ada Ett')).toEqual([]);
    expect(await cellsNaming('P1', true)).toEqual([]);
    // Bo, still employed, and the stranger nobody knows yet, are untouched.
    expect(await cellsNaming('bo@example.se')).toEqual(['person.email', 'reminder_outbox.to_address', 'xapi_statement.actor_email', 'xapi_statement.statement_json']);
    expect(await (await xapi(`/xapi/statements?statementId=${S.bo}`)).json()).toEqual(bo);
    expect(await cellsNaming('stranger@example.se')).toEqual(['xapi_statement.actor_email', 'xapi_statement.statement_json']);
    // Every figure stays: her xAPI completion still counts, under the pseudonym.
    expect(await h.json('/api/coverage?unit=F1&requirement=R&asOf=2019-12-31', admin)).toEqual(before);
    expect(before.total).toMatchObject({ population: 2, completed: 2 });

    const id = (await h.db.selectFrom('person').select('id').where('name', '=', 'Anonymiserad').executeTakeFirstOrThrow()).id;
    const anon = { objectType: 'Agent', account: { homePage: 'urn:kompetenskoll:anonymised', name: `ANON-${id}` } };
    const s = await (await xapi(`/xapi/statements?statementId=${S.matched}`)).json();
    expect(s.actor).toEqual(anon);
    expect(s.result).toEqual({ response: 'Anonymiserad svarade' });
    expect(s.authority).toMatchObject({ account: { name: 'portal' } });
    expect((await (await xapi(`/xapi/statements?statementId=${S.byAccount}`)).json()).actor).toEqual(anon);
    // The portal sending them again changes nothing: same id, same content is a no-op, not new data.
    expect((await xapi('/xapi/statements', 'POST', statements)).status).toBe(200);
    expect(await cellsNaming('ada@example.se')).toEqual([]);
    // The log and the grants she gave keep their shape, with the pseudonym.
    const grants = await h.db.selectFrom('role_grant').select(['employee_number', 'granted_by']).orderBy('id').execute();
    expect(grants).toEqual([{ employee_number: 'P2', granted_by: `ANON-${id}` }]);
    const extracts = (await h.json('/api/audit?kind=person.extract', admin)).entries;
    expect(extracts.map((e: any) => e.detail)).toEqual([{ employeeNumber: `ANON-${id}` }]);
    // And what is left of her is what the extract of her pseudonym shows.
    const x = await h.json(`/api/people/ANON-${id}/extract`, admin);
    expect(x.person).toEqual({ employeeNumber: `ANON-${id}`, name: 'Anonymiserad', email: null, anonymisedAt: '2026-06-01T02:00:00.000Z' });
    expect(x.xapiStatements.map((t: any) => t.id)).toEqual([S.matched]);
    expect(x.rejectedImportRows).toEqual([]);
    expect(x.roleGrantsGiven).toEqual([{ role: 'manager', unit: 'F1', grantedAt: expect.any(String) }]);
    expect((await h.request('/api/people/P1/extract', { token: admin })).status).toBe(404);

    // A second run finds nobody and nothing.
    expect(await anonymiseExpired(h.db, h.atomic, TODAY, 5)).toEqual({ cutoff: '2021-06-01', anonymised: 0, expired: { import_rejected_row: 0, reminder_outbox: 0, xapi_statement: 0 } });
  });

  it('anonymises statements that never matched anybody once they are older than the retention time', async () => {
    await world();
    // Stored "now": five years on they are past the cutoff. Ada is long gone by then (anonymised too),
    // Bo is still employed; only statements linked to nobody expire by age.
    const later = '2032-06-01';
    const r = await anonymiseExpired(h.db, h.atomic, later, 5, '2032-06-01T02:00:00.000Z');
    // Unlinked: her account statement (unknown course), her ignored one, and the stranger's.
    expect(r).toEqual({ cutoff: '2027-06-01', anonymised: 1, expired: { import_rejected_row: 1, reminder_outbox: 3, xapi_statement: 3 } });
    expect(await cellsNaming('stranger@example.se')).toEqual([]);
    expect(await cellsNaming('Okänd Person')).toEqual([]);
    const s = await (await xapi(`/xapi/statements?statementId=${S.stranger}`)).json();
    expect(s.actor).toEqual({ objectType: 'Agent', account: { homePage: 'urn:kompetenskoll:anonymised', name: 'anonymised' } });
    expect(await cellsNaming('bo@example.se')).toEqual(['person.email', 'reminder_outbox.to_address', 'xapi_statement.actor_email', 'xapi_statement.statement_json']);
    expect((await anonymiseExpired(h.db, h.atomic, later, 5)).expired).toEqual({ import_rejected_row: 0, reminder_outbox: 0, xapi_statement: 0 });
  });
});

describe('the register extract', () => {
  it('shows the reminders sent to the person without their bodies, and the nudges they asked for without whom', async () => {
    await world();
    const x = await h.json('/api/people/P1/extract', admin);
    expect(x.reminders).toEqual([
      { kind: 'due_soon', to: 'ada@example.se', requirement: 'R', dueDate: '2019-03-01', decidedFor: '2019-02-01', subject: 'Påminnelse / Reminder', status: 'sent', attempts: 1, createdAt: '2019-02-01T06:00:00.000Z', sentAt: '2019-02-01T06:00:01.000Z' },
    ]);
    expect(x.remindersNudged).toEqual([{ kind: 'nudge', requirement: 'R', createdAt: '2019-02-01T06:00:00.000Z' }]);
    expect(JSON.stringify(x)).not.toContain('Bo Två');
  });

  it('includes the xAPI statements of the person, matched or not, and no one else’s', async () => {
    await world();
    const x = await h.json('/api/people/P1/extract', admin);
    expect(x.xapiStatements).toEqual([
      { id: S.matched, storedAt: expect.any(String), verb: verb('completed').id, activityId: ACT, status: 'completed', occurredAt: '2019-03-01T10:00:00', outcome: 'matched', statement: expect.objectContaining({ actor: ADA }) },
      { id: S.byAccount, storedAt: expect.any(String), verb: verb('attempted').id, activityId: `${ACT}/okand`, status: 'started', occurredAt: '2019-04-01T11:00:00', outcome: 'unmatched', statement: expect.objectContaining({ id: S.byAccount }) },
      { id: S.ignored, storedAt: expect.any(String), verb: verb('experienced').id, activityId: ACT, status: null, occurredAt: '2019-05-01T11:00:00', outcome: 'ignored', statement: expect.objectContaining({ id: S.ignored }) },
    ]);
    expect(x.completions).toMatchObject([{ course: 'C', status: 'completed', occurredAt: '2019-03-01T10:00:00', source: 'xapi', sourceRef: S.matched }]);
    // What she did: the import she ran, the record it wrote for Bo (not naming him), the role she gave.
    expect(x.importBatches).toMatchObject([{ kind: 'completions', fileName: 'lms.csv', status: 'committed', rowsTotal: 2 }]);
    expect(x.completionsRecorded).toEqual([{ course: 'C', status: 'completed', occurredAt: '2019-01-10', source: 'import', recordedAt: expect.any(String) }]);
    expect(x.roleGrants).toMatchObject([{ role: 'coordinator', unit: 'F1', grantedBy: 'ADM1' }]);
    expect(x.roleGrantsGiven).toMatchObject([{ role: 'manager', unit: 'F1' }]);
    expect(x.rejectedImportRows).toMatchObject([{ row: 3, column: 'Kurs', values: { 'E-post': 'ADA@example.se' } }]);
    // Who did what about her: the grant, and the extract taken in world().
    expect(x.auditEntriesAbout.map((e: any) => [e.actor, e.kind, e.action])).toEqual([
      ['ADM1', 'role', 'grant'],
      ['ADM1', 'person.extract', 'read'],
    ]);

    const y = await h.json('/api/people/P2/extract', admin);
    expect(y.xapiStatements.map((t: any) => t.id)).toEqual([S.bo]);
    expect(y.rejectedImportRows).toEqual([]);
  });
});

describe('corrections in the map (exemptions, annulments)', () => {
  it('shows what she exempted, ended and annulled in her extract, and retention leaves her number and her exemption’s reason nowhere', async () => {
    await world();
    const p1 = await h.token('P1', [{ role: 'admin' }]);
    const post = async (token: string, path: string, body: unknown, status: number) => {
      const res = await h.request(path, { token, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, path).toBe(status);
      return res.json();
    };
    // She exempted Bo and ended it, and annulled the record her import wrote for him.
    const x = await post(p1, '/api/exemptions', { employeeNumber: 'P2', requirement: 'R', from: '2020-01-01', reason: 'Föräldraledig' }, 201);
    await post(p1, `/api/exemptions/${x.id}/end`, { to: '2020-06-30' }, 200);
    const bos = await h.db.selectFrom('completion as c').innerJoin('person as p', 'p.id', 'c.person_id').select('c.id').where('p.employee_number', '=', 'P2').execute();
    expect(bos).toHaveLength(2);
    const imported = await h.db.selectFrom('completion').select('id').where('recorded_by', '=', 'P1').executeTakeFirstOrThrow();
    await post(p1, `/api/records/${imported.id}/annul`, { reason: 'Fel person' }, 200);
    // An admin exempted her while she was on sick leave.
    await post(admin, '/api/exemptions', { employeeNumber: 'P1', requirement: 'R', from: '2020-01-01', to: '2020-06-30', reason: 'Långtidssjukskriven' }, 201);

    const mine = await h.json('/api/people/P1/extract', admin);
    expect(mine.exemptions).toEqual([{ requirement: 'R', from: '2020-01-01', to: '2020-06-30', reason: 'Långtidssjukskriven', createdBy: 'ADM1', createdAt: expect.any(String), endedBy: null, endedAt: null }]);
    expect(mine.exemptionsMade).toEqual([{ requirement: 'R', from: '2020-01-01', to: '2020-06-30', createdAt: expect.any(String) }]);
    expect(mine.exemptionsEnded).toEqual([{ requirement: 'R', from: '2020-01-01', to: '2020-06-30', endedAt: expect.any(String) }]);
    expect(mine.completionsAnnulled).toEqual([{ course: 'C', status: 'completed', occurredAt: '2019-01-10', annulledAt: expect.any(String) }]);
    const his = await h.json('/api/people/P2/extract', admin);
    expect(his.completions.find((c: any) => c.source === 'import')).toMatchObject({ annulledBy: 'P1', annulReason: 'Fel person', annulledAt: expect.any(String) });
    expect(his.exemptions).toMatchObject([{ reason: 'Föräldraledig', createdBy: 'P1', endedBy: 'P1' }]);

    expect(await cellsNaming('P1', true)).toEqual(expect.arrayContaining(['completion.annulled_by', 'exemption.created_by', 'exemption.ended_by']));
    expect((await anonymiseExpired(h.db, h.atomic, TODAY, 5, '2026-06-01T02:00:00.000Z')).anonymised).toBe(1);
    expect(await cellsNaming('P1', true)).toEqual([]);
    const id = (await h.db.selectFrom('person').select('id').where('name', '=', 'Anonymiserad').executeTakeFirstOrThrow()).id;
    const rows = await h.db.selectFrom('exemption').select(['reason', 'created_by', 'ended_by']).orderBy('id').execute();
    // Bo's reason stays (he is still employed); hers went with her name.
    expect(rows).toEqual([
      { reason: 'Föräldraledig', created_by: `ANON-${id}`, ended_by: `ANON-${id}` },
      { reason: 'Anonymiserad', created_by: 'ADM1', ended_by: null },
    ]);
    expect(await h.db.selectFrom('completion').select(['annulled_by', 'annul_reason']).where('id', '=', imported.id).executeTakeFirstOrThrow()).toEqual({ annulled_by: `ANON-${id}`, annul_reason: 'Fel person' });
  });
});

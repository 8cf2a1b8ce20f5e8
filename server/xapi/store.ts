import { auditStatement } from '../domain/audit.ts';
import type { CompiledQuery, Insertable } from 'kysely';
import type { AtomicRunner } from '../db/atomic.ts';
import { chunkRows, MAX_BOUND_PARAMS } from '../db/chunks.ts';
import type { CompletionTable, Db, XapiStatementTable } from '../db/schema.ts';
import { DomainError } from '../domain/errors.ts';
import { expiresOn } from '../domain/expiry.ts';
import { comparisonForm, interpret, occurredAt, sha256Hex, toStored, type UnmatchedReason } from './mapping.ts';

type Obj = Record<string, unknown>;

/** Who sent a batch: the credential's key, and the authority written into what it sent. */
export interface XapiClient {
  key: string;
  authority: Obj;
}

interface Planned {
  id: string;
  statement: Obj;
  hash: string;
}

/**
 * Stores statements that have passed validation, all or nothing: an id already held with the same
 * content is a no-op, with other content a 409 for the whole batch; new statements are written
 * with their mapping and, where person and course are known, their completion row — in one atomic
 * run of compiled statements (a SQLite transaction on Node, D1 batches on Workers). Returns the ids
 * in the order given.
 */
export async function storeStatements(db: Db, atomic: AtomicRunner, statements: Obj[], client: XapiClient, now = new Date()): Promise<string[]> {
  const planned: Planned[] = [];
  const seen = new Set<string>();
  for (const s of statements) {
    const id = typeof s.id === 'string' ? s.id.toLowerCase() : crypto.randomUUID();
    if (seen.has(id)) throw new DomainError('bad_request', 'xapi.batch.duplicateId', { id });
    seen.add(id);
    planned.push({ id, statement: s, hash: await sha256Hex(comparisonForm(s)) });
  }

  const fresh = await unseen(db, planned);
  if (fresh.length) {
    try {
      await atomic(await insertQueries(db, fresh, client, now));
    } catch (e) {
      // A concurrent request may have stored the same ids first: same content is still a no-op.
      if ((await unseen(db, fresh)).length) throw e;
    }
  }
  return planned.map((p) => p.id);
}

/** The statements not yet held; a 409 when one is held with other content. */
async function unseen(db: Db, planned: Planned[]): Promise<Planned[]> {
  const held = new Map<string, string>();
  for (let i = 0; i < planned.length; i += MAX_BOUND_PARAMS) {
    const ids = planned.slice(i, i + MAX_BOUND_PARAMS).map((p) => p.id);
    for (const r of await db.selectFrom('xapi_statement').select(['id', 'compare_sha256']).where('id', 'in', ids).execute()) held.set(r.id, r.compare_sha256);
  }
  for (const p of planned) {
    const hash = held.get(p.id);
    if (hash !== undefined && hash !== p.hash) throw new DomainError('conflict', 'xapi.conflict', { id: p.id });
  }
  return planned.filter((p) => !held.has(p.id));
}

async function insertQueries(db: Db, planned: Planned[], client: XapiClient, now: Date): Promise<CompiledQuery[]> {
  const rows: XapiStatementTable[] = planned.map((p) => {
    const m = interpret(p.statement);
    return {
      id: p.id,
      statement_json: JSON.stringify(toStored(p.statement, p.id, now, client.authority)),
      compare_sha256: p.hash,
      stored_at: now.toISOString(),
      client_key: client.key,
      verb_id: m.verbId,
      activity_id: m.activityId,
      actor_email: m.actorEmail,
      actor_account: m.actorAccount,
      status: m.status,
      occurred_at: occurredAt(p.statement, now),
      outcome: m.ignored ? 'ignored' : 'unmatched',
      reason: m.ignored,
      person_id: null,
      course_id: null,
      anonymised_at: null,
    };
  });
  const matches = await resolve(db, rows);
  const completions: Insertable<CompletionTable>[] = [];
  for (const r of rows) {
    if (r.outcome === 'ignored') continue;
    const m = matches(r);
    if (m.personId !== null && m.courseId !== null) {
      Object.assign(r, { outcome: 'matched', reason: null, person_id: m.personId, course_id: m.courseId });
      completions.push(completionRow(r.id, m, r.status!, r.occurred_at, client.key, now));
    } else {
      r.reason = m.reason;
    }
  }
  const outcomes = { matched: 0, unmatched: 0, ignored: 0 };
  for (const r of rows) outcomes[r.outcome]++;
  return [
    ...chunkRows(rows).map((chunk) => db.insertInto('xapi_statement').values(chunk).compile()),
    ...chunkRows(completions).map((chunk) => db.insertInto('completion').values(chunk).compile()),
    // The client's key, never the people in the statements.
    auditQuery(db, `xapi:${client.key}`, 'store', { statements: rows.length, ...outcomes }, now),
  ];
}

// The xAPI client (or the re-match) is the actor; the entry goes into the same atomic write.
const auditQuery = (db: Db, actor: string, action: string, detail: Record<string, unknown>, now: Date): CompiledQuery =>
  auditStatement(db, { actor, kind: 'xapi', action, detail }, now.toISOString());

function completionRow(id: string, m: Match, status: CompletionTable['status'], at: string, clientKey: string, now: Date): Insertable<CompletionTable> {
  return {
    person_id: m.personId!,
    course_id: m.courseId!,
    status,
    occurred_at: at,
    source: 'xapi',
    source_ref: id,
    recorded_by: `xapi:${clientKey}`,
    recorded_at: now.toISOString(),
    import_batch_id: null,
    expires_on: expiresOn(status, at, m.validityMonths),
  };
}

type Identity = Pick<XapiStatementTable, 'actor_email' | 'actor_account' | 'activity_id'>;
interface Match {
  personId: number | null;
  courseId: number | null;
  /** The course's validity, for the completion's expiry. */
  validityMonths: number | null;
  reason: UnmatchedReason | null;
}

/**
 * Looks the statements' people (mbox e-mail case-insensitively against person.email, or
 * account.name as employee number) and courses (object id = course.xapi_activity_id) up in a
 * few chunked queries, and answers for each statement.
 */
async function resolve(db: Db, rows: Identity[]): Promise<(r: Identity) => Match> {
  const emails = [...new Set(rows.map((r) => r.actor_email).filter((x): x is string => !!x))];
  const accounts = [...new Set(rows.map((r) => r.actor_account).filter((x): x is string => !!x))];
  const activities = [...new Set(rows.map((r) => r.activity_id).filter((x): x is string => !!x))];
  const byEmail = new Map<string, number[]>();
  const byAccount = new Map<string, number>();
  const byActivity = new Map<string, { id: number; validityMonths: number | null }>();
  for (const chunk of slices(emails)) {
    const found = await db
      .selectFrom('person')
      .select(['id', 'email'])
      .where((eb) => eb(eb.fn('lower', ['email']), 'in', chunk))
      .execute();
    for (const p of found) {
      const k = p.email!.toLowerCase();
      byEmail.set(k, [...(byEmail.get(k) ?? []), p.id]);
    }
  }
  for (const chunk of slices(accounts)) {
    for (const p of await db.selectFrom('person').select(['id', 'employee_number']).where('employee_number', 'in', chunk).execute()) byAccount.set(p.employee_number, p.id);
  }
  for (const chunk of slices(activities)) {
    for (const c of await db.selectFrom('course').select(['id', 'xapi_activity_id', 'validity_months']).where('xapi_activity_id', 'in', chunk).execute()) {
      byActivity.set(c.xapi_activity_id!, { id: c.id, validityMonths: c.validity_months });
    }
  }
  return (r) => {
    // Two people sharing an e-mail address cannot tell whose statement it is: wait for the roster to.
    const email = r.actor_email ? byEmail.get(r.actor_email) : undefined;
    const personId = r.actor_account ? (byAccount.get(r.actor_account) ?? null) : email?.length === 1 ? email[0] : null;
    const course = r.activity_id ? byActivity.get(r.activity_id) : undefined;
    const courseId = course?.id ?? null;
    const reason: UnmatchedReason | null = personId === null ? (courseId === null ? 'person_course' : 'person') : courseId === null ? 'course' : null;
    return { personId, courseId, validityMonths: course?.validityMonths ?? null, reason };
  };
}

function slices<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += MAX_BOUND_PARAMS) out.push(xs.slice(i, i + MAX_BOUND_PARAMS));
  return out;
}

/**
 * Matches the statements still waiting for their person or course. Call it after people or
 * courses are created or changed (roster import, course create/update): the completion rows it
 * writes are what coverage reads, so nothing runs per statement later.
 *
 * With an atomic runner everything it writes lands together. Without one it is still safe to
 * stop half-way: each completion is written before its statement is marked matched, and the
 * unique (source 'xapi', source_ref) index makes writing it again a no-op.
 */
export async function rematchXapi(db: Db, atomic?: AtomicRunner, now = new Date()): Promise<{ matched: number; unmatched: number }> {
  const waiting = await db
    .selectFrom('xapi_statement')
    .select(['id', 'actor_email', 'actor_account', 'activity_id', 'status', 'occurred_at', 'reason', 'client_key'])
    .where('outcome', '=', 'unmatched')
    .execute();
  if (!waiting.length) return { matched: 0, unmatched: 0 };
  const matches = await resolve(db, waiting);
  const completions: CompiledQuery[] = [];
  const updates: CompiledQuery[] = [];
  let matched = 0;
  for (const w of waiting) {
    const m = matches(w);
    if (m.personId !== null && m.courseId !== null) {
      matched++;
      completions.push(db.insertInto('completion').orIgnore().values(completionRow(w.id, m, w.status!, w.occurred_at, w.client_key, now)).compile());
      updates.push(
        db.updateTable('xapi_statement').set({ outcome: 'matched', reason: null, person_id: m.personId, course_id: m.courseId }).where('id', '=', w.id).compile(),
      );
    } else if (m.reason !== w.reason) {
      updates.push(db.updateTable('xapi_statement').set({ reason: m.reason }).where('id', '=', w.id).compile());
    }
  }
  const queries = [...completions, ...updates];
  if (matched) queries.push(auditQuery(db, 'system', 'rematch', { matched, unmatched: waiting.length - matched }, now));
  if (atomic) await atomic(queries);
  else for (const q of queries) await db.executeQuery(q);
  return { matched, unmatched: waiting.length - matched };
}

/** A stored statement as the LRS returns it, or undefined. */
export async function findStatement(db: Db, id: string): Promise<Obj | undefined> {
  const row = await db.selectFrom('xapi_statement').select('statement_json').where('id', '=', id.toLowerCase()).executeTakeFirst();
  return row ? (JSON.parse(row.statement_json) as Obj) : undefined;
}

export interface UnmatchedSummary {
  counts: { matched: number; unmatched: number; ignored: number };
  unmatched: { total: number; byReason: Record<UnmatchedReason, number> };
  statements: { id: string; verb: string; activityId: string | null; reason: string | null; storedAt: string }[];
  truncated: boolean;
}

/**
 * What coordinators need to chase statements that count for nothing yet: how many, why, and
 * which (ids, verbs, activities) — no names or addresses; the statement id finds the rest.
 */
export async function unmatchedSummary(db: Db, limit = 200): Promise<UnmatchedSummary> {
  const groups = await db
    .selectFrom('xapi_statement')
    .select(['outcome', 'reason', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['outcome', 'reason'])
    .execute();
  const counts = { matched: 0, unmatched: 0, ignored: 0 };
  const byReason: Record<UnmatchedReason, number> = { person: 0, course: 0, person_course: 0 };
  for (const g of groups) {
    counts[g.outcome] += Number(g.n);
    if (g.outcome === 'unmatched' && g.reason && g.reason in byReason) byReason[g.reason as UnmatchedReason] += Number(g.n);
  }
  const rows = await db
    .selectFrom('xapi_statement')
    .select(['id', 'verb_id', 'activity_id', 'reason', 'stored_at'])
    .where('outcome', '=', 'unmatched')
    .orderBy('stored_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return {
    counts,
    unmatched: { total: counts.unmatched, byReason },
    statements: rows.map((r) => ({ id: r.id, verb: r.verb_id, activityId: r.activity_id, reason: r.reason, storedAt: r.stored_at })),
    truncated: counts.unmatched > rows.length,
  };
}

/** When the portal last sent a statement (for the export's list of sources), or null. */
export async function lastXapiStoredAt(db: Db): Promise<string | null> {
  const r = await db.selectFrom('xapi_statement').select((eb) => eb.fn.max('stored_at').as('at')).executeTakeFirst();
  return (r?.at as string | null | undefined) ?? null;
}

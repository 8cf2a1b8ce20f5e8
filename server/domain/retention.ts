import { sql, type CompiledQuery, type RawBuilder } from 'kysely';
import type { AtomicRunner } from '../db/atomic.ts';
import type { Db } from '../db/schema.ts';
import { auditStatement } from './audit.ts';
import { addMonthsClamped } from './calendar.ts';
import { PRIVACY_MAP, type Expiry, type Link, type Replacement, type TableName, type Use } from './privacy-map.ts';
import { anyLink, pseudonymSql, type Who } from './privacy-sql.ts';
import { anonymiseStatement, nameIndex, pseudonymiseJson, type NameIndex, type Named } from './pseudonymise-json.ts';

export { ANONYMISED_NAME } from './privacy-map.ts';
export const RETENTION_ACTOR = 'system:retention';

/** People whose every employment has ended, the last one before `cutoff`, not yet anonymised. */
export async function dueForAnonymisation(db: Db, cutoff: string): Promise<Named[]> {
  const rows = await db
    .selectFrom('person as p')
    .innerJoin('employment as e', 'e.person_id', 'p.id')
    .select(['p.id', 'p.employee_number', 'p.email', 'p.name'])
    .where('p.anonymised_at', 'is', null)
    .groupBy(['p.id', 'p.employee_number', 'p.email', 'p.name'])
    // An open employment (no end date) makes MAX NULL-free but is caught by the count.
    .having((eb) => eb.and([eb(eb.fn.count('e.id'), '=', eb.fn.count('e.end_date')), eb(eb.fn.max('e.end_date'), '<', cutoff)]))
    .orderBy('p.id')
    .execute();
  return rows.map((r) => ({ id: r.id, employeeNumber: r.employee_number, email: r.email, name: r.name }));
}

/**
 * Anonymises everyone whose last employment ended more than `years` before `today`, in every
 * table as PRIVACY_MAP says (the person row keeps its id and gets the pseudonym ANON-<id>, so
 * every coverage figure ever reported stays the same), and the rows no person is linked to that
 * are older than the cutoff (the map's expiries). One all-or-nothing write, audited without the
 * numbers it erases.
 */
export async function anonymiseExpired(db: Db, atomic: AtomicRunner, today: string, years: number, now = new Date().toISOString()) {
  const cutoff = addMonthsClamped(today, -12 * years);
  const due = await dueForAnonymisation(db, cutoff);
  const statements: CompiledQuery[] = [];
  const expired: Partial<Record<TableName, number>> = {};
  const tables = Object.keys(PRIVACY_MAP) as TableName[];
  for (const table of tables) {
    const expiry = PRIVACY_MAP[table].expiry as Expiry<TableName> | undefined;
    if (!expiry) continue;
    const [n, queries] = await expiryStatements(db, table, expiry, cutoff, now);
    expired[table] = n;
    statements.push(...queries);
  }
  if (due.length) {
    const who: Who = { kind: 'ids', ids: due.map((p) => p.id) };
    const index = nameIndex(due);
    // The person rows last: the other tables find the people by the numbers and addresses they still have.
    for (const table of [...tables.filter((t) => t !== 'person'), 'person' as const]) {
      for (const use of PRIVACY_MAP[table].uses as Use<TableName>[]) statements.push(...(await useStatements(db, table, use, who, index, now)));
    }
  }
  if (!statements.length) return { cutoff, anonymised: 0, expired };
  // The log names the internal ids only: the employee numbers are what is being erased.
  statements.push(
    auditStatement(db, { actor: RETENTION_ACTOR, kind: 'person', action: 'anonymise', scope: null, detail: { count: due.length, cutoff, years, personIds: due.map((p) => p.id), expired } }, now),
  );
  await atomic(statements);
  return { cutoff, anonymised: due.length, expired };
}

const needsRows = (set: Partial<Record<string, Replacement>>) => Object.values(set).some((r) => r === 'json_pseudonyms' || r === 'xapi_anonymous');

/** What retention writes for the rows of one use of a table, for the people in `who`. */
async function useStatements(db: Db, table: TableName, use: Use<TableName>, who: Who, index: NameIndex, now: string): Promise<CompiledQuery[]> {
  const r = use.retention;
  if ('keep' in r) return [];
  const where = anyLink(table, use.links, who);
  if ('delete' in r) return [sql`DELETE FROM ${sql.table(table)} WHERE ${where}`.compile(db)];
  if (!needsRows(r.set)) {
    const link = use.links.length === 1 ? use.links[0] : null;
    const sets = Object.entries(r.set).map(([column, rep]) => sql`${sql.ref(column)} = ${sqlValue(rep as Replacement, table, link, now)}`);
    return [sql`UPDATE ${sql.table(table)} SET ${sql.join(sets)} WHERE ${where}`.compile(db)];
  }
  // JSON rewritten here, a row at a time: read what the rows hold now, write each back by rowid.
  const linkColumns = use.links.flatMap((l) => ('column' in l ? [l.column] : []));
  const jsonColumns = Object.entries(r.set).filter(([, rep]) => rep === 'json_pseudonyms' || rep === 'xapi_anonymous').map(([c]) => c);
  const rows = await sql<Record<string, unknown>>`SELECT ${sql.ref(`${table}.rowid`)} AS kk_rowid, ${sql.join([...new Set([...linkColumns, ...jsonColumns])].map((c) => sql.ref(`${table}.${c}`)))} FROM ${sql.table(table)} WHERE ${where}`.execute(db);
  const byId = new Map([...index.byNumber.values()].map((p) => [p.id, p]));
  return rows.rows.map((row) => {
    const owner = ownerOf(row, use.links, index, byId);
    const sets = Object.entries(r.set).map(([column, rep]) => sql`${sql.ref(column)} = ${rowValue(rep as Replacement, row[column], index, owner, now)}`);
    return sql`UPDATE ${sql.table(table)} SET ${sql.join(sets)} WHERE rowid = ${row.kk_rowid}`.compile(db);
  });
}

/** Rows no person is linked to, older than the cutoff and not yet done: how many, and the writes. */
async function expiryStatements(db: Db, table: TableName, e: Expiry<TableName>, cutoff: string, now: string): Promise<[number, CompiledQuery[]]> {
  const age =
    'via' in e.age
      ? sql`${sql.ref(`${table}.${e.age.via}`)} IN (SELECT ${sql.ref(e.age.key)} FROM ${sql.table(e.age.table)} WHERE ${sql.ref(e.age.column)} < ${cutoff})`
      : sql`${sql.ref(`${table}.${e.age.column}`)} < ${cutoff}`;
  const conditions = [age, sql`${sql.ref(`${table}.${e.pending.column}`)} IS ${sql.raw(e.pending.is === 'null' ? 'NULL' : 'NOT NULL')}`];
  if (e.unlinked) conditions.push(sql`${sql.ref(`${table}.${e.unlinked}`)} IS NULL`);
  const where = sql.join(conditions, sql` AND `);
  if (!needsRows(e.set)) {
    const n = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE ${where}`.execute(db);
    const count = Number(n.rows[0]?.n ?? 0);
    if (!count) return [0, []];
    const sets = Object.entries(e.set).map(([column, rep]) => sql`${sql.ref(column)} = ${sqlValue(rep as Replacement, table, null, now)}`);
    return [count, [sql`UPDATE ${sql.table(table)} SET ${sql.join(sets)} WHERE ${where}`.compile(db)]];
  }
  const jsonColumns = Object.entries(e.set).filter(([, rep]) => rep === 'json_pseudonyms' || rep === 'xapi_anonymous').map(([c]) => c);
  const rows = await sql<Record<string, unknown>>`SELECT rowid AS kk_rowid, ${sql.join(jsonColumns.map((c) => sql.ref(c)))} FROM ${sql.table(table)} WHERE ${where}`.execute(db);
  const nobody = nameIndex([]);
  const writes = rows.rows.map((row) => {
    const sets = Object.entries(e.set).map(([column, rep]) => sql`${sql.ref(column)} = ${rowValue(rep as Replacement, row[column], nobody, null, now)}`);
    return sql`UPDATE ${sql.table(table)} SET ${sql.join(sets)} WHERE rowid = ${row.kk_rowid}`.compile(db);
  });
  return [rows.rows.length, writes];
}

function sqlValue(rep: Replacement, table: TableName, link: Link<TableName> | null, now: string): RawBuilder<unknown> {
  if (rep === null) return sql`NULL`;
  if (rep === 'now') return sql`${now}`;
  if (rep === 'pseudonym') {
    if (!link) throw new Error(`privacy map: a pseudonym needs exactly one link (${table})`);
    return pseudonymSql(table, link);
  }
  if (typeof rep === 'object') return sql`${rep.text}`;
  throw new Error(`privacy map: ${rep} is rewritten row by row (${table})`);
}

function rowValue(rep: Replacement, current: unknown, index: NameIndex, owner: Named | null, now: string): unknown {
  if (rep === null) return null;
  if (rep === 'now') return now;
  if (typeof rep === 'object') return rep.text;
  if (rep === 'pseudonym') throw new Error('privacy map: a pseudonym is written by SQL, not row by row');
  if (typeof current !== 'string') return current;
  let parsed: unknown;
  try {
    parsed = JSON.parse(current);
  } catch {
    // Not JSON: nothing structured to keep, and it may name the person.
    return null;
  }
  return JSON.stringify(rep === 'xapi_anonymous' ? anonymiseStatement(parsed, index, owner) : pseudonymiseJson(parsed, index, owner ? [owner] : []));
}

/** The person a row read for rewriting belongs to, through its first link that names one of the people. */
function ownerOf(row: Record<string, unknown>, links: Link<TableName>[], index: NameIndex, byId: Map<number, Named>): Named | null {
  for (const l of links) {
    const v = 'column' in l ? row[l.column] : undefined;
    if (v === null || v === undefined) continue;
    const p = l.kind === 'person_id' ? byId.get(Number(v)) : l.kind === 'employee_number' ? index.byNumber.get(String(v)) : l.kind === 'email' ? index.byEmail.get(String(v).toLowerCase()) : undefined;
    if (p) return p;
  }
  return null;
}

import { sql } from 'kysely';
import type { Db } from '../db/schema.ts';
import { DomainError } from './errors.ts';
import { PRIVACY_MAP, type TableName, type Use } from './privacy-map.ts';
import { anyLink, fieldSql, fieldValue, type Who } from './privacy-sql.ts';

/**
 * A register extract (GDPR art. 15): everything Kompetenskoll holds about one person, table by
 * table as PRIVACY_MAP declares it — each use of a table is one section (the person, their
 * employments, records, xAPI statements, roles, rejected import rows that name them, audit
 * entries by and about them, …). Found by employee number; a number with no person row still
 * has what was done under it (a bootstrap admin's grants and log).
 */
export async function personExtract(db: Db, employeeNumber: string) {
  const person = await db.selectFrom('person').select(['id', 'email']).where('employee_number', '=', employeeNumber).executeTakeFirst();
  const who: Who = { kind: 'one', id: person?.id ?? null, employeeNumber, email: person?.email ?? null };
  const uses = (Object.keys(PRIVACY_MAP) as TableName[]).flatMap((table) => (PRIVACY_MAP[table].uses as Use<TableName>[]).map((use) => ({ table, use })));
  const sections = await Promise.all(uses.map(({ table, use }) => section(db, table, use, who)));
  if (sections.every(([, rows]) => !rows.length)) throw new DomainError('not_found', 'person.unknown', { employeeNumber });
  const out: Record<string, unknown> = { employeeNumber };
  uses.forEach(({ use }, i) => {
    const rows = sections[i][1];
    out[use.section] = use.one ? (rows[0] ?? null) : rows;
  });
  return out;
}

async function section(db: Db, table: TableName, use: Use<TableName>, who: Who): Promise<[string, Record<string, unknown>[]]> {
  const fields = Object.entries(use.fields);
  const found = await sql<Record<string, unknown>>`SELECT ${sql.join(fields.map(([name, f]) => fieldSql(table, name, f)))} FROM ${sql.table(table)} WHERE ${anyLink(table, use.links, who)} ORDER BY ${sql.join(
    use.order.map((c) => sql.ref(`${table}.${c}`)),
  )}`.execute(db);
  return [use.section, found.rows.map((r) => Object.fromEntries(fields.map(([name, f]) => [name, fieldValue(f, r[name])])))];
}

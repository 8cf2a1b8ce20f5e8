import { sql, type RawBuilder } from 'kysely';
import type { Field, Link, TableName } from './privacy-map.ts';

/**
 * The SQL the privacy map's links stand for. Who a query is about is either one person as the
 * extract knows them (they may have no person row: a bootstrap admin has grants and audit entries
 * only) or a set of person ids, bound as ONE JSON array (json_each), so retention writes one
 * statement per table whatever the number of people, within D1's 100 bound parameters.
 */
export type Who =
  | { kind: 'one'; id: number | null; employeeNumber: string; email: string | null }
  | { kind: 'ids'; ids: number[] };

const FALSE = sql<boolean>`0`;

const col = (table: TableName, column: string) => sql.ref(`${table}.${column}`);

/** The JSON values of a row's column, as SQL text; a column that is not JSON has none. */
const jsonAtoms = (table: TableName, column: string) =>
  sql`SELECT x.rowid FROM ${sql.table(table)} AS x, json_tree(CASE WHEN json_valid(x.${sql.ref(column)}) THEN x.${sql.ref(column)} END) AS j WHERE j.type IN ('text', 'integer')`;

/** A boolean SQL expression over a row of `table`: the row is linked to `who` this way. */
export function linkCondition(table: TableName, link: Link<TableName>, who: Who): RawBuilder<boolean> {
  if (who.kind === 'one') {
    const email = who.email?.toLowerCase() ?? null;
    switch (link.kind) {
      case 'self':
        return sql<boolean>`${col(table, 'employee_number')} = ${who.employeeNumber}`;
      case 'person_id':
        return who.id === null ? FALSE : sql<boolean>`${col(table, link.column)} = ${who.id}`;
      case 'employee_number':
        return sql<boolean>`${col(table, link.column)} = ${who.employeeNumber}`;
      case 'email':
        return email === null ? FALSE : sql<boolean>`${col(table, link.column)} = ${email}`;
      case 'json_value': {
        // A plain text search first (cheap), the JSON parsed only where it found something.
        const c = sql`x.${sql.ref(link.column)}`;
        const text = email === null ? sql`instr(${c}, ${who.employeeNumber}) > 0` : sql`(instr(${c}, ${who.employeeNumber}) > 0 OR instr(lower(${c}), ${email}) > 0)`;
        return sql<boolean>`${col(table, 'rowid')} IN (${jsonAtoms(table, link.column)} AND ${text} AND (CAST(j.atom AS TEXT) = ${who.employeeNumber}${
          email === null ? sql`` : sql` OR lower(j.atom) = ${email}`
        }))`;
      }
    }
  }
  const ids = sql`(SELECT value FROM json_each(${JSON.stringify(who.ids)}))`;
  const numbers = sql`(SELECT employee_number FROM person WHERE id IN ${ids})`;
  const emails = sql`(SELECT lower(email) FROM person WHERE email IS NOT NULL AND id IN ${ids})`;
  switch (link.kind) {
    case 'self':
      return sql<boolean>`${col(table, 'id')} IN ${ids}`;
    case 'person_id':
      return sql<boolean>`${col(table, link.column)} IN ${ids}`;
    case 'employee_number':
      return sql<boolean>`${col(table, link.column)} IN ${numbers}`;
    case 'email':
      return sql<boolean>`${col(table, link.column)} IN ${emails}`;
    case 'json_value':
      return sql<boolean>`${col(table, 'rowid')} IN (${jsonAtoms(table, link.column)} AND (CAST(j.atom AS TEXT) IN ${numbers} OR lower(j.atom) IN ${emails}))`;
  }
}

/** Any one of the links. */
export function anyLink(table: TableName, links: Link<TableName>[], who: Who): RawBuilder<boolean> {
  return sql<boolean>`(${sql.join(links.map((l) => sql`(${linkCondition(table, l, who)})`), sql` OR `)})`;
}

/** 'ANON-<person id>' for the person a row is linked to by `link`, as SQL over the row. */
export function pseudonymSql(table: TableName, link: Link<TableName>): RawBuilder<string> {
  switch (link.kind) {
    case 'self':
      return sql<string>`'ANON-' || ${col(table, 'id')}`;
    case 'person_id':
      return sql<string>`'ANON-' || ${col(table, link.column)}`;
    case 'employee_number':
      return sql<string>`(SELECT 'ANON-' || p.id FROM person AS p WHERE p.employee_number = ${col(table, link.column)})`;
    default:
      throw new Error(`privacy map: no pseudonym through a ${link.kind} link (${table})`);
  }
}

/** A field of the extract as a select expression named `name`. */
export function fieldSql(table: TableName, name: string, field: Field<TableName>): RawBuilder<unknown> {
  const column = typeof field === 'string' ? field : field.column;
  if (typeof field !== 'string' && 'lookup' in field) {
    const { table: other, column: shown } = field.lookup;
    return sql`(SELECT ${sql.ref(`${other}.${shown}`)} FROM ${sql.table(other)} WHERE ${sql.ref(`${other}.id`)} = ${col(table, column)}) AS ${sql.ref(name)}`;
  }
  return sql`${col(table, column)} AS ${sql.ref(name)}`;
}

/** A field's value as the extract gives it. */
export function fieldValue(field: Field<TableName>, value: unknown): unknown {
  if (typeof field === 'string' || 'lookup' in field) return value;
  if (field.as === 'boolean') return value === 1;
  return typeof value === 'string' ? JSON.parse(value) : null;
}

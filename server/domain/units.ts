import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db, OrgUnit } from '../db/schema.ts';

/** The unit versions valid on `date` (validity is inclusive at both ends). */
export const validOn =
  (date: string) =>
  (eb: ExpressionBuilder<Database, 'org_unit'>) =>
    eb.and([eb('valid_from', '<=', date), eb.or([eb('valid_to', 'is', null), eb('valid_to', '>=', date)])]);

/** The version of a unit valid at `date`, or undefined when the code names no unit then. */
export async function unitAt(db: Db, code: string, date: string): Promise<OrgUnit | undefined> {
  return db
    .selectFrom('org_unit')
    .selectAll()
    .where('code', '=', code)
    .where(validOn(date))
    .executeTakeFirst();
}

export async function unitExistsEver(db: Db, code: string): Promise<boolean> {
  const row = await db.selectFrom('org_unit').select('id').where('code', '=', code).executeTakeFirst();
  return row !== undefined;
}

/** Direct children of a unit valid at `date`, ordered by name. */
export async function childrenAt(db: Db, code: string, date: string): Promise<OrgUnit[]> {
  return db
    .selectFrom('org_unit')
    .selectAll()
    .where('parent_code', '=', code)
    .where(validOn(date))
    .orderBy('name')
    .execute();
}

/**
 * For each code, the codes from it up to the root as the tree stood at `date` (the unit itself
 * included, valid or not). One statement per 90 codes, whatever the depth of the tree.
 */
export async function ancestorsOfAll(db: Db, codes: readonly string[], date: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const unique = [...new Set(codes)];
  for (let i = 0; i < unique.length; i += 90) {
    const chunk = unique.slice(i, i + 90);
    const rows = await sql<{ start: string; code: string }>`
      WITH RECURSIVE up(start, code, depth) AS (
        SELECT column1, column1, 0 FROM (VALUES ${sql.join(chunk.map((c) => sql`(${c})`))})
        UNION
        SELECT up.start, o.parent_code, up.depth + 1 FROM org_unit o JOIN up ON o.code = up.code
        WHERE o.parent_code IS NOT NULL AND o.valid_from <= ${date}
          AND (o.valid_to IS NULL OR o.valid_to >= ${date}) AND up.depth < 64
      )
      SELECT start, code FROM up`.execute(db);
    for (const r of rows.rows) {
      const set = out.get(r.start) ?? new Set<string>();
      set.add(r.code);
      out.set(r.start, set);
    }
  }
  return out;
}

/** The whole tree below (and including) `code` at `date`, each with its depth below `code`. */
export async function subtreeAt(
  db: Db,
  code: string,
  date: string,
): Promise<(OrgUnit & { depth: number })[]> {
  const rows = await sql<OrgUnit & { depth: number }>`
    WITH RECURSIVE down(code, depth) AS (
      SELECT code, 0 FROM org_unit WHERE code = ${code} AND valid_from <= ${date}
        AND (valid_to IS NULL OR valid_to >= ${date})
      UNION
      SELECT c.code, down.depth + 1 FROM org_unit c JOIN down ON c.parent_code = down.code
      WHERE c.valid_from <= ${date} AND (c.valid_to IS NULL OR c.valid_to >= ${date}) AND down.depth < 64
    )
    SELECT o.*, down.depth FROM down JOIN org_unit o ON o.code = down.code
    WHERE o.valid_from <= ${date} AND (o.valid_to IS NULL OR o.valid_to >= ${date})
    ORDER BY down.depth, o.name`.execute(db);
  return rows.rows;
}

/**
 * Of `personIds`, those with an employment active on `date` in the subtree of one of `units` as
 * the tree stood on that date. Chunked so that no statement binds more than D1's 100 parameters.
 */
export async function employedWithin(db: Db, units: readonly string[], personIds: readonly number[], date: string): Promise<Set<number>> {
  const out = new Set<number>();
  const roots = [...new Set(units)];
  if (!roots.length || !personIds.length) return out;
  const size = Math.max(1, 90 - roots.length);
  for (let i = 0; i < personIds.length; i += size) {
    const chunk = personIds.slice(i, i + size);
    const rows = await sql<{ person_id: number }>`
      WITH RECURSIVE down(code) AS (
        SELECT column1 FROM (VALUES ${sql.join(roots.map((c) => sql`(${c})`))})
        UNION
        SELECT c.code FROM org_unit c JOIN down ON c.parent_code = down.code
        WHERE c.valid_from <= ${date} AND (c.valid_to IS NULL OR c.valid_to >= ${date})
      )
      SELECT DISTINCT e.person_id FROM employment e
      WHERE e.person_id IN (${sql.join(chunk)}) AND e.start_date <= ${date} AND (e.end_date IS NULL OR e.end_date >= ${date})
        AND e.unit_code IN (SELECT code FROM down)`.execute(db);
    for (const r of rows.rows) out.add(r.person_id);
  }
  return out;
}

export interface UnitNode {
  code: string;
  name: string;
  kind: OrgUnit['kind'];
  parent: string | null;
}

/** The whole tree as it stood at `date`, by code (a city has ~3 000 units: one small read). */
export async function treeAt(db: Db, date: string): Promise<Map<string, UnitNode>> {
  const rows = await db.selectFrom('org_unit').select(['code', 'name', 'kind', 'parent_code']).where(validOn(date)).execute();
  return new Map(rows.map((r) => [r.code, { code: r.code, name: r.name, kind: r.kind, parent: r.parent_code }]));
}

/** The units from the root down to `code` in `tree` (the unit last); empty when it is not there. */
export function pathIn(tree: Map<string, UnitNode>, code: string): UnitNode[] {
  const out: UnitNode[] = [];
  const seen = new Set<string>();
  for (let u = tree.get(code); u && !seen.has(u.code); u = u.parent ? tree.get(u.parent) : undefined) {
    seen.add(u.code);
    out.unshift(u);
  }
  return out;
}

/** The förvaltning, avdelning and enhet a unit lies in, by name (null where the path has none). */
export function orgPath(tree: Map<string, UnitNode>, code: string): { forvaltning: string | null; avdelning: string | null; enhet: string | null } {
  const path = pathIn(tree, code);
  const of = (kind: OrgUnit['kind']) => path.find((u) => u.kind === kind)?.name ?? null;
  return { forvaltning: of('forvaltning'), avdelning: of('avdelning'), enhet: of('enhet') };
}

export interface UnitHit {
  code: string;
  name: string;
  kind: OrgUnit['kind'];
  /** The names above it, from the top down (the city left out), to tell like-named units apart. */
  path: string[];
}

const fold = (s: string) => s.toLocaleLowerCase('sv').normalize('NFC');

/**
 * Units valid at `date` whose name or code contains `q` (case-insensitive), within `within`
 * (units whose subtrees are in reach; null = everywhere): an exact code first, then names that
 * begin with `q`, then the rest, each by name; at most `limit`.
 */
export async function searchUnits(db: Db, q: string, date: string, within: string[] | null, limit = 20): Promise<UnitHit[]> {
  const tree = await treeAt(db, date);
  const needle = fold(q.trim());
  const reach = within ? new Set(within) : null;
  const hits: { u: UnitNode; rank: number; path: UnitNode[] }[] = [];
  for (const u of tree.values()) {
    const name = fold(u.name);
    const code = fold(u.code);
    const rank = !needle ? 2 : code === needle ? 0 : name.startsWith(needle) || code.startsWith(needle) ? 1 : name.includes(needle) || code.includes(needle) ? 2 : -1;
    if (rank < 0) continue;
    const path = pathIn(tree, u.code);
    if (reach && !path.some((a) => reach.has(a.code))) continue;
    hits.push({ u, rank, path });
  }
  hits.sort((a, b) => a.rank - b.rank || a.path.length - b.path.length || a.u.name.localeCompare(b.u.name, 'sv'));
  return hits.slice(0, limit).map(({ u, path }) => ({
    code: u.code,
    name: u.name,
    kind: u.kind,
    path: path.slice(0, -1).filter((a) => a.kind !== 'stad').map((a) => a.name),
  }));
}

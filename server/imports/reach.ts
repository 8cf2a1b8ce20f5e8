import type { Action } from '../auth/capabilities.ts';
import { grantsFor, type Principal } from '../auth/permissions.ts';
import type { Db } from '../db/schema.ts';

/**
 * Where an import may write: everywhere, or the unit codes below the units a role is held for.
 * The subtree is taken over every version of the tree, so a unit that moved into a coordinator's
 * förvaltning stays theirs for the history it brought along.
 */
export interface Reach {
  all: boolean;
  units: Set<string>;
}

export async function reachFor(db: Db, p: Principal, action: Action): Promise<Reach> {
  const g = grantsFor(p, action);
  if (g.all) return { all: true, units: new Set() };
  const edges = await db.selectFrom('org_unit').select(['code', 'parent_code']).distinct().execute();
  const children = new Map<string, string[]>();
  for (const e of edges) {
    if (!e.parent_code) continue;
    const list = children.get(e.parent_code) ?? [];
    list.push(e.code);
    children.set(e.parent_code, list);
  }
  const units = new Set<string>();
  const queue = [...g.units];
  while (queue.length) {
    const code = queue.pop()!;
    if (units.has(code)) continue;
    units.add(code);
    queue.push(...(children.get(code) ?? []));
  }
  return { all: false, units };
}

export const within = (reach: Reach, unit: string) => reach.all || reach.units.has(unit);

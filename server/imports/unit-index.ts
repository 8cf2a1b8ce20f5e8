import type { Db, OrgUnit } from '../db/schema.ts';
import { fold } from './headers.ts';

const validAt = (u: OrgUnit, date: string) => u.valid_from <= date && (u.valid_to === null || u.valid_to >= date);

/** The whole organisation register in memory, every version, for resolving thousands of rows without a query each. */
export class UnitIndex {
  private byCode = new Map<string, OrgUnit[]>();
  private byName = new Map<string, OrgUnit[]>();
  private byParent = new Map<string, OrgUnit[]>();

  constructor(readonly all: OrgUnit[]) {
    for (const u of all) {
      push(this.byCode, u.code, u);
      push(this.byName, fold(u.name), u);
      if (u.parent_code) push(this.byParent, u.parent_code, u);
    }
  }

  static async load(db: Db): Promise<UnitIndex> {
    return new UnitIndex(await db.selectFrom('org_unit').selectAll().execute());
  }

  versions(code: string): OrgUnit[] {
    return this.byCode.get(code) ?? [];
  }

  at(code: string, date: string): OrgUnit | undefined {
    return this.versions(code).find((u) => validAt(u, date));
  }

  /**
   * The unit named by a path of names (förvaltning › avdelning › enhet, any of them blank) on
   * `date`. A name several units bear city-wide (every stadsdelsförvaltning has a "Vuxenenheten")
   * is taken when exactly one of them lies where the import may speak (`inScope`).
   */
  byPath(names: (string | null)[], date: string, inScope?: (code: string) => boolean): { unit?: OrgUnit; ambiguous?: boolean } {
    let current: OrgUnit | undefined;
    for (const name of names) {
      if (!name) continue;
      const f = fold(name);
      let found: OrgUnit[];
      if (!current) {
        found = (this.byName.get(f) ?? []).filter((u) => validAt(u, date));
      } else {
        found = (this.byParent.get(current.code) ?? []).filter((u) => validAt(u, date) && fold(u.name) === f);
        // An enhet placed straight under its förvaltning in one export and under an avdelning in another.
        if (!found.length) found = this.descendantsAt(current.code, date).filter((u) => fold(u.name) === f);
      }
      if (found.length > 1 && inScope) {
        const near = found.filter((u) => inScope(u.code));
        if (near.length >= 1) found = near;
      }
      if (found.length > 1) {
        // Prefer the higher level at the top of a path (a förvaltning and a unit can share a name).
        const rank = { stad: 0, forvaltning: 1, avdelning: 2, enhet: 3 } as const;
        found.sort((a, b) => rank[a.kind] - rank[b.kind]);
        if (current || rank[found[0].kind] === rank[found[1].kind]) return { ambiguous: true };
      }
      if (!found.length) return {};
      current = found[0];
    }
    return { unit: current };
  }

  descendantsAt(code: string, date: string): OrgUnit[] {
    const out: OrgUnit[] = [];
    const queue = [code];
    const seen = new Set<string>();
    while (queue.length) {
      const c = queue.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      for (const u of this.byParent.get(c) ?? []) {
        if (!validAt(u, date)) continue;
        out.push(u);
        queue.push(u.code);
      }
    }
    return out;
  }

  /** The förvaltning a unit belongs to on `date` (the unit itself when it is one, or the top below the city). */
  forvaltningOf(code: string, date: string): string {
    let u = this.at(code, date);
    let last = code;
    for (let depth = 0; u && depth < 64; depth++) {
      if (u.kind === 'forvaltning') return u.code;
      if (u.kind === 'stad') return last;
      last = u.code;
      u = u.parent_code ? this.at(u.parent_code, date) : undefined;
    }
    return last;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

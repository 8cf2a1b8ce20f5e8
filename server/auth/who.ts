import type { Db } from '../db/schema.ts';
import type { RoleName } from '../db/schema.ts';
import { unitAt } from '../domain/units.ts';
import { CAPABILITIES, type Action } from './capabilities.ts';
import { grantsFor, mayAtAll, type Principal } from './permissions.ts';

export interface WhoAmI {
  employeeNumber: string;
  name: string | null;
  roles: { role: RoleName; unit: string | null }[];
  units: { code: string; name: string }[];
  capabilities: Action[];
}

const ACTIONS: Action[] = [...new Set(CAPABILITIES.map((c) => c.action))];

/**
 * GET /api/me: who is signed in, the units whose coverage they follow (the units they lead by the
 * roster's Chef column today and the units of their role grants: both are already roles of the
 * principal) and every action the capability table gives them somewhere.
 */
export async function whoAmI(db: Db, p: Principal, today: string): Promise<WhoAmI> {
  const person = await db.selectFrom('person').select('name').where('employee_number', '=', p.employeeNumber).executeTakeFirst();
  const codes = [...new Set(grantsFor(p, 'coverage.read').units)];
  const units: { code: string; name: string }[] = [];
  for (const code of codes) {
    // A grant may name a unit retired since: its last name still says what it was.
    const now = await unitAt(db, code, today);
    const any = now ?? (await db.selectFrom('org_unit').select(['code', 'name']).where('code', '=', code).orderBy('valid_from', 'desc').executeTakeFirst());
    if (any) units.push({ code: any.code, name: any.name });
  }
  units.sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  return {
    employeeNumber: p.employeeNumber,
    name: person?.name ?? null,
    roles: p.roles.filter((r): r is { role: RoleName; unit: string | null } => r.role !== 'staff'),
    units,
    capabilities: ACTIONS.filter((a) => mayAtAll(p, a)),
  };
}

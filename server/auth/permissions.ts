import { sql } from 'kysely';
import { reusable } from '../db/compiled.ts';
import type { Db, RoleName } from '../db/schema.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import { ancestorsOfAll, employedWithin } from '../domain/units.ts';
import { ACTION_WORDS, CAPABILITIES, type Action, type Reach, type Role } from './capabilities.ts';
import type { RoleClaim } from './tokens.ts';

/** Who is asking: their employee number and every role they hold, each for a unit or for all. */
export interface Principal {
  employeeNumber: string;
  roles: { role: Role; unit: string | null }[];
}

/** The grants of `action` the principal holds: reach 'all', or the units whose subtrees it covers. */
export function grantsFor(p: Principal, action: Action): { all: boolean; self: boolean; units: string[] } {
  const out = { all: false, self: false, units: [] as string[] };
  for (const held of p.roles) {
    for (const cap of CAPABILITIES) {
      if (cap.role !== held.role || cap.action !== action) continue;
      applyReach(out, cap.reach, held.unit);
    }
  }
  return out;
}

function applyReach(out: { all: boolean; self: boolean; units: string[] }, reach: Reach, unit: string | null) {
  if (reach === 'all') out.all = true;
  else if (reach === 'self') out.self = true;
  else if (unit) out.units.push(unit);
  // A unit-bound role held without a unit grants nothing.
}

/** Whether the principal may do `action` somewhere (for showing or hiding a feature). */
export function mayAtAll(p: Principal, action: Action): boolean {
  const g = grantsFor(p, action);
  return g.all || g.self || g.units.length > 0;
}

/** Whether the principal may do `action` on the unit whose path to the root is `ancestors`. */
export function mayOnUnit(p: Principal, action: Action, ancestors: string[]): boolean {
  const g = grantsFor(p, action);
  return g.all || g.units.some((u) => ancestors.includes(u));
}

function denied(action: Action, scope?: string): DomainError {
  const words = ACTION_WORDS[action];
  return scope
    ? new DomainError('forbidden', 'scope.denied', { action: words.sv, scope }, { action_en: words.en })
    : new DomainError('forbidden', 'scope.deniedAll', { action: words.sv }, { action_en: words.en });
}

/** 403 unless the principal may do `action` at all (actions not bound to a unit). */
export function authorize(p: Principal, action: Action): void {
  if (!mayAtAll(p, action)) throw denied(action);
}

/** 403 unless the principal may do `action` in every one of `units` (as the tree stands on `date`). */
export async function authorizeUnits(db: Db, p: Principal, action: Action, units: string[], date: string): Promise<void> {
  const g = grantsFor(p, action);
  if (g.all) return;
  if (!g.units.length) throw denied(action);
  const today = todayInStockholm();
  // Within reach if the tree on the asked date, or today's, puts the unit under a granted one.
  const outside = async (candidates: string[], on: string) => {
    const paths = await ancestorsOfAll(db, candidates, on);
    return candidates.filter((u) => !g.units.some((granted) => paths.get(u)?.has(granted)));
  };
  let refused = await outside([...new Set(units)], date);
  if (refused.length && date !== today) refused = await outside(refused, today);
  if (refused.length) throw denied(action, refused[0]);
}

/** A person asked about by id, with the employee number a refusal names. */
export interface PersonRef {
  id: number;
  employeeNumber: string;
}

/**
 * The ids of `people` that `action` reaches for the principal: everyone with reach 'all'; the
 * caller themself with reach 'self'; with reach 'unit', those employed on one of `dates` in a
 * unit under a granted one (the tree as it stood on that date). A person is in a coordinator's
 * scope through where they work, not through any unit named in the request.
 */
export async function peopleInReach(db: Db, p: Principal, action: Action, people: readonly PersonRef[], dates: readonly string[]): Promise<Set<number>> {
  const g = grantsFor(p, action);
  if (g.all) return new Set(people.map((x) => x.id));
  const out = new Set<number>();
  if (g.self) for (const x of people) if (x.employeeNumber === p.employeeNumber) out.add(x.id);
  if (!g.units.length) return out;
  for (const date of [...new Set(dates)]) {
    const left = people.filter((x) => !out.has(x.id)).map((x) => x.id);
    if (!left.length) break;
    for (const id of await employedWithin(db, g.units, left, date)) out.add(id);
  }
  return out;
}

/** 403 naming the person unless `action` reaches them (see `peopleInReach`). */
export async function authorizePerson(db: Db, p: Principal, action: Action, person: PersonRef, dates: readonly string[]): Promise<void> {
  if (!mayAtAll(p, action)) throw denied(action);
  if (!(await peopleInReach(db, p, action, [person], dates)).has(person.id)) throw denied(action, person.employeeNumber);
}

// Grants and roster managers in one statement, built once: it runs on every request.
const heldRoles = reusable((db: Db, employeeNumber: string, today: string) =>
  db
    .selectFrom('role_grant')
    .select(['role', 'unit_code'])
    .where('employee_number', '=', employeeNumber)
    .unionAll(
      db
        .selectFrom('employment as e')
        .innerJoin('person as p', 'p.id', 'e.person_id')
        .select([sql<RoleName>`'manager'`.as('role'), 'e.unit_code'])
        .where('p.employee_number', '=', employeeNumber)
        .where('e.is_manager', '=', 1)
        .where('e.start_date', '<=', today)
        .where((eb) => eb.or([eb('e.end_date', 'is', null), eb('e.end_date', '>=', today)])),
    ),
);

/**
 * The roles a caller holds: the token's, the grants kept in Kompetenskoll, and manager of every
 * unit where the roster marks an employment active today as Chef.
 */
export async function resolvePrincipal(db: Db, employeeNumber: string, tokenRoles: RoleClaim[]): Promise<Principal> {
  const today = todayInStockholm();
  const held = await heldRoles(db, employeeNumber, today);
  const roles: Principal['roles'] = [{ role: 'staff', unit: null }];
  const add = (role: Role, unit: string | null) => {
    if (!roles.some((r) => r.role === role && r.unit === unit)) roles.push({ role, unit });
  };
  for (const r of tokenRoles) add(r.role, r.unit);
  for (const g of held) add(g.role, g.unit_code);
  return { employeeNumber, roles };
}

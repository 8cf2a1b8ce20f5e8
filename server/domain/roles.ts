import { z } from 'zod';
import type { AtomicRunner } from '../db/atomic.ts';
import type { Db, RoleName } from '../db/schema.ts';
import { auditStatement } from './audit.ts';
import { DomainError } from './errors.ts';
import { unitExistsEver } from './units.ts';

/** Roles held for a unit's subtree; the others cover the whole city. */
const UNIT_ROLES: readonly RoleName[] = ['manager', 'coordinator'];

export const roleGrantInput = z.strictObject({
  employeeNumber: z.string().trim().min(1).max(64),
  role: z.enum(['admin', 'coordinator', 'auditor', 'manager']),
  unit: z.string().trim().min(1).max(64).nullish(),
});
export type RoleGrantInput = z.infer<typeof roleGrantInput>;

export interface RoleGrantView {
  id: number;
  employeeNumber: string;
  role: RoleName;
  unit: string | null;
  grantedBy: string;
  grantedAt: string;
}

/** The grant's unit, checked: required for unit roles, refused for city-wide ones, known to HR. */
export async function checkedUnit(db: Db, input: RoleGrantInput): Promise<string | null> {
  const unit = input.unit ?? null;
  if (UNIT_ROLES.includes(input.role)) {
    if (!unit) throw new DomainError('bad_request', 'role.unitRequired', { role: input.role });
    if (!(await unitExistsEver(db, unit))) throw new DomainError('unprocessable', 'role.unknownUnit', { code: unit });
    return unit;
  }
  if (unit) throw new DomainError('unprocessable', 'role.unitNotAllowed', { role: input.role });
  return null;
}

function grantQuery(db: Db, employeeNumber: string, role: RoleName, unit: string | null) {
  return db
    .selectFrom('role_grant')
    .selectAll()
    .where('employee_number', '=', employeeNumber)
    .where('role', '=', role)
    .where((eb) => (unit === null ? eb('unit_code', 'is', null) : eb('unit_code', '=', unit)));
}

function view(r: { id: number; employee_number: string; role: RoleName; unit_code: string | null; granted_by: string; granted_at: string }): RoleGrantView {
  return { id: r.id, employeeNumber: r.employee_number, role: r.role, unit: r.unit_code, grantedBy: r.granted_by, grantedAt: r.granted_at };
}

export async function listGrants(db: Db, employeeNumber?: string): Promise<RoleGrantView[]> {
  let q = db.selectFrom('role_grant').selectAll();
  if (employeeNumber) q = q.where('employee_number', '=', employeeNumber);
  return (await q.orderBy('employee_number').orderBy('role').orderBy('unit_code').execute()).map(view);
}

/** Grants a role and records who granted it, both or neither. */
export async function grantRole(db: Db, atomic: AtomicRunner, input: RoleGrantInput, by: string, at: string): Promise<RoleGrantView> {
  const unit = await checkedUnit(db, input);
  if (await grantQuery(db, input.employeeNumber, input.role, unit).executeTakeFirst()) {
    throw new DomainError('conflict', 'role.exists', { employeeNumber: input.employeeNumber, role: input.role, unit: unit ?? '—' });
  }
  await atomic([
    db.insertInto('role_grant').values({ employee_number: input.employeeNumber, role: input.role, unit_code: unit, granted_by: by, granted_at: at }).compile(),
    auditStatement(db, { actor: by, kind: 'role', action: 'grant', scope: unit, detail: { employeeNumber: input.employeeNumber, role: input.role } }, at),
  ]);
  return view((await grantQuery(db, input.employeeNumber, input.role, unit).executeTakeFirstOrThrow()));
}

/** Takes a granted role away and records who did, both or neither. */
export async function revokeRole(db: Db, atomic: AtomicRunner, input: RoleGrantInput, by: string, at: string): Promise<RoleGrantView> {
  const unit = input.unit ?? null;
  const held = await grantQuery(db, input.employeeNumber, input.role, unit).executeTakeFirst();
  if (!held) throw new DomainError('not_found', 'role.notHeld', { employeeNumber: input.employeeNumber, role: input.role, unit: unit ?? '—' });
  await atomic([
    db.deleteFrom('role_grant').where('id', '=', held.id).compile(),
    auditStatement(db, { actor: by, kind: 'role', action: 'revoke', scope: unit, detail: { employeeNumber: input.employeeNumber, role: input.role } }, at),
  ]);
  return view(held);
}

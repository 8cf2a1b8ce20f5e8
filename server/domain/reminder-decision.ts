import { sql } from 'kysely';
import type { Db, ReminderKind } from '../db/schema.ts';
import { addDays } from './calendar.ts';
import { activeAt, validAt } from './coverage-rule.ts';
import { listPeople, type PersonContact } from './coverage.ts';
import { isEffective, type RequirementSpec } from './requirements.ts';
import { digestPeriod, dueSoonOffset, expiringOffset, overdueNumber, reminderKey } from './reminder-schedule.ts';

/**
 * DESIGN.md "Reminders": which messages fall due on date D. Who is berörd, their status, due date
 * and expiry are the coverage engine's people list (`listPeople`, the one reading of rules 1–5),
 * asked once per requirement for each root of the tree; the schedule's timing is
 * `reminder-schedule.ts`. Nothing here writes: the outbox (`reminder-outbox.ts`) keeps each
 * message once by its key.
 */

/** One person of a digest: somebody in the manager's subtree overdue or due within 30 days. */
export interface DigestLine {
  employeeNumber: string;
  name: string;
  unitName: string;
  requirement: string;
  requirementTitle: string;
  dueDate: string;
  overdue: boolean;
}

export interface Decided {
  key: string;
  kind: ReminderKind;
  employeeNumber: string;
  name: string;
  /** The address; null when the person has none (counted, never sent). */
  to: string | null;
  /** The requirement's code; a digest's codes comma-separated. */
  requirement: string;
  /** The due date (due_soon, overdue, nudge), the expiry (expiring), null for a digest. */
  dueDate: string | null;
  /** For the mail: the requirement (staff messages) or the digest's lines. */
  spec?: RequirementSpec;
  /** n for overdue, k for due_soon and expiring. */
  step?: number;
  lines?: DigestLine[];
}

/**
 * The persons berörda by R on D, with status and contact. The people list gives the exempted
 * status 'exempt' (coverage-rule.ts, rule 2: not berörd on the day): they are left out here, by
 * that one rule, and get no message.
 */
export async function berorda(db: Db, r: RequirementSpec, D: string, roots: string[]): Promise<PersonContact[]> {
  if (!isEffective(r, D)) return [];
  const seen = new Set<number>();
  const out: PersonContact[] = [];
  for (const root of roots) {
    for (const p of await listPeople(db, r, { unit: root }, D)) {
      if (seen.has(p.personId) || p.status === 'exempt') continue;
      seen.add(p.personId);
      out.push(p);
    }
  }
  return out;
}

/** The units with no parent, valid at D. */
export async function rootsAt(db: Db, D: string): Promise<string[]> {
  const { rows } = await sql<{ code: string }>`SELECT code FROM org_unit o WHERE o.parent_code IS NULL AND ${validAt('o', D)} ORDER BY code`.execute(db);
  return rows.map((r) => r.code);
}

/** The staff messages of one requirement for one person on D (at most one of each kind). */
export function staffMessages(r: RequirementSpec, p: PersonContact, D: string): Decided[] {
  const s = r.reminders;
  if (!s) return [];
  const base = { employeeNumber: p.employeeNumber, name: p.name, to: p.email, requirement: r.code, spec: r };
  const out: Decided[] = [];
  if (p.status !== 'completed' && p.dueDate !== null) {
    const k = dueSoonOffset(p.dueDate, D, s.beforeDue);
    if (k !== null) out.push({ ...base, kind: 'due_soon', key: reminderKey.dueSoon(p.employeeNumber, r.code, p.dueDate, k), dueDate: p.dueDate, step: k });
    const n = overdueNumber(p.dueDate, D, s);
    if (n !== null) out.push({ ...base, kind: 'overdue', key: reminderKey.overdue(p.employeeNumber, r.code, p.dueDate, n), dueDate: p.dueDate, step: n });
  }
  if (p.status === 'completed' && p.expiresOn !== null) {
    const k = expiringOffset(p.expiresOn, D, s.beforeExpiry);
    if (k !== null) out.push({ ...base, kind: 'expiring', key: reminderKey.expiring(p.employeeNumber, r.code, p.expiresOn, k), dueDate: p.expiresOn, step: k });
  }
  return out;
}

/** A digest's candidates: not genomförd, and overdue or due within 30 days of D. */
export function inDigest(p: PersonContact, D: string): boolean {
  return p.status !== 'completed' && p.dueDate !== null && p.dueDate <= addDays(D, 30);
}

interface Manager {
  employeeNumber: string;
  name: string;
  email: string | null;
  unit: string;
}

/** Managers: a Chef employment active on D, in a unit valid on D. */
async function managersAt(db: Db, D: string): Promise<Manager[]> {
  const { rows } = await sql<{ employee_number: string; name: string; email: string | null; unit_code: string }>`
    SELECT DISTINCT p.employee_number, p.name, p.email, e.unit_code FROM employment e
    JOIN person p ON p.id = e.person_id
    JOIN org_unit o ON o.code = e.unit_code AND ${validAt('o', D)}
    WHERE e.is_manager = 1 AND ${activeAt(D)} AND p.anonymised_at IS NULL
    ORDER BY p.employee_number, e.unit_code`.execute(db);
  return rows.map((r) => ({ employeeNumber: r.employee_number, name: r.name, email: r.email, unit: r.unit_code }));
}

/** Each unit valid at D with its ancestors (itself included). */
async function ancestorsAt(db: Db, D: string): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ code: string; parent_code: string | null }>`SELECT code, parent_code FROM org_unit o WHERE ${validAt('o', D)}`.execute(db);
  const parent = new Map(rows.map((r) => [r.code, r.parent_code]));
  const out = new Map<string, string[]>();
  for (const code of parent.keys()) {
    const chain: string[] = [];
    for (let u: string | null | undefined = code; u && !chain.includes(u); u = parent.get(u)) chain.push(u);
    out.set(code, chain);
  }
  return out;
}

export interface Decision {
  messages: Decided[];
}

/**
 * Every message falling due on D for the given requirements (all with `reminders` by default):
 * due_soon, overdue and expiring per berörd person, and the managers' digests. Persons without
 * an address are among the messages with `to: null` (the caller counts them).
 */
export async function decideReminders(db: Db, specs: RequirementSpec[], D: string): Promise<Decision> {
  const withReminders = specs.filter((r) => r.reminders && isEffective(r, D));
  const roots = await rootsAt(db, D);
  const messages: Decided[] = [];
  const digestable = new Map<'monthly' | 'weekly', { r: RequirementSpec; people: PersonContact[] }[]>();
  for (const r of withReminders) {
    const people = await berorda(db, r, D, roots);
    for (const p of people) messages.push(...staffMessages(r, p, D));
    const every = r.reminders!.managerDigest;
    if (every) {
      const list = digestable.get(every) ?? digestable.set(every, []).get(every)!;
      list.push({ r, people: people.filter((p) => inDigest(p, D)) });
    }
  }
  if (digestable.size) messages.push(...(await digests(db, D, digestable)));
  return { messages };
}

async function digests(db: Db, D: string, digestable: Map<'monthly' | 'weekly', { r: RequirementSpec; people: PersonContact[] }[]>): Promise<Decided[]> {
  const managers = await managersAt(db, D);
  const up = await ancestorsAt(db, D);
  const out: Decided[] = [];
  for (const [every, groups] of digestable) {
    // Per manager: everyone whose units (those that make them berörda) lie in a subtree they lead.
    const byManager = new Map<string, { m: Manager; lines: Map<string, DigestLine> }>();
    const leads = new Map<string, Manager[]>();
    for (const m of managers) (leads.get(m.unit) ?? leads.set(m.unit, []).get(m.unit)!).push(m);
    for (const { r, people } of groups) {
      for (const p of people) {
        const over = new Set<Manager>();
        for (const unit of p.units) for (const a of up.get(unit) ?? []) for (const m of leads.get(a) ?? []) over.add(m);
        for (const m of over) {
          if (m.employeeNumber === p.employeeNumber) continue; // never themselves
          const entry = byManager.get(m.employeeNumber) ?? byManager.set(m.employeeNumber, { m, lines: new Map() }).get(m.employeeNumber)!;
          entry.lines.set(`${r.code}|${p.employeeNumber}`, {
            employeeNumber: p.employeeNumber,
            name: p.name,
            unitName: p.unitName,
            requirement: r.code,
            requirementTitle: r.title,
            dueDate: p.dueDate!,
            overdue: p.overdue,
          });
        }
      }
    }
    const codes = groups.map((g) => g.r.code).join(',');
    for (const { m, lines } of byManager.values()) {
      if (!lines.size) continue;
      const sorted = [...lines.values()].sort((a, b) => a.requirement.localeCompare(b.requirement) || a.dueDate.localeCompare(b.dueDate) || a.name.localeCompare(b.name, 'sv'));
      out.push({
        kind: 'digest',
        key: reminderKey.digest(m.employeeNumber, digestPeriod(D, every)),
        employeeNumber: m.employeeNumber,
        name: m.name,
        to: m.email,
        requirement: codes,
        dueDate: null,
        lines: sorted,
      });
    }
  }
  return out;
}

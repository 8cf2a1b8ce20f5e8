import { sql } from 'kysely';
import type { Db, ReminderKind } from '../db/schema.ts';
import { addDays } from './calendar.ts';
import { activeAt, validAt } from './coverage-rule.ts';
import { idRanges, listPeople, type PersonContact } from './coverage.ts';
import { isEffective, type RequirementSpec } from './requirements.ts';
import { digestPeriod, dueSoonOffset, expiringOffset, overdueNumber, reminderKey } from './reminder-schedule.ts';

/**
 * DESIGN.md "Reminders": which messages fall due on date D. Who is berörd, their status, due date
 * and stored expiry are the coverage engine's people list (`listPeople`, the one reading of rules
 * 1–5), read per requirement for each root of the tree a page of person ids at a time
 * (`idRanges`); the schedule's timing is
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
 * The persons berörda by R on D in the subtrees of `roots`, a range of person ids at a time
 * (`idRanges`, of `pageSize` ids; each root's people list for that range), with status and
 * contact. The people list gives the exempted status 'exempt' (coverage-rule.ts, rule 2: not
 * berörd on the day): they are left out here, by that one rule, and get no message. A person
 * under two roots is given once: the pages are id ranges, so only the current page's ids need
 * remembering, never the city's.
 */
export async function* berordaPages(db: Db, r: RequirementSpec, D: string, roots: string[], pageSize?: number): AsyncGenerator<PersonContact[]> {
  if (!isEffective(r, D)) return;
  for await (const ids of idRanges(db, pageSize)) {
    const seen = new Set<number>();
    const out: PersonContact[] = [];
    for (const root of roots) {
      for (const p of await listPeople(db, r, { unit: root, ids }, D)) {
        if (seen.has(p.personId) || p.status === 'exempt') continue;
        seen.add(p.personId);
        out.push(p);
      }
    }
    if (out.length) yield out;
  }
}

/** `berordaPages` all at once: for a unit (the nudge), never the whole city. */
export async function berorda(db: Db, r: RequirementSpec, D: string, roots: string[]): Promise<PersonContact[]> {
  const out: PersonContact[] = [];
  for await (const page of berordaPages(db, r, D, roots)) out.push(...page);
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

/** How many messages `decideReminders` hands over at a time (one write to the outbox). */
export const DECIDED_CHUNK = 500;

/**
 * Every message falling due on D for the given requirements (all with `reminders` by default):
 * due_soon, overdue and expiring per berörd person, then the managers' digests, handed to `emit`
 * at most DECIDED_CHUNK at a time. The persons are read a page at a time and only what a digest
 * lists is kept across pages, so a day's decision for the whole city holds one page of the
 * people list, not the city. Persons without an address are among the messages with `to: null`
 * (the caller counts them).
 */
export async function decideReminders(db: Db, specs: RequirementSpec[], D: string, emit: (batch: Decided[]) => Promise<void>, pageSize?: number): Promise<void> {
  const withReminders = specs.filter((r) => r.reminders && isEffective(r, D));
  if (!withReminders.length) return;
  const roots = await rootsAt(db, D);
  const digest = withReminders.some((r) => r.reminders!.managerDigest) ? await digestBook(db, D, withReminders) : null;
  for (const r of withReminders) {
    const every = r.reminders!.managerDigest;
    for await (const people of berordaPages(db, r, D, roots, pageSize)) {
      const batch: Decided[] = [];
      for (const p of people) {
        batch.push(...staffMessages(r, p, D));
        if (every && inDigest(p, D)) digest!.add(every, r, p);
      }
      // The page's persons, and each chunk once handed over, are let go before the outbox's reads
      // and writes, so that they need not outlive young-generation collections into the old one
      // (in process: a lower peak RSS in some runs, none held; docs/performance.md).
      people.length = 0;
      while (batch.length) await emit(batch.splice(0, DECIDED_CHUNK));
    }
  }
  // A digest names every requirement of its period, whichever its lines hold.
  if (digest) await digest.emit(D, (every) => withReminders.filter((r) => r.reminders!.managerDigest === every).map((r) => r.code).join(','), emit);
}

/**
 * The managers' digests as the pages go by: each candidate once, filed under each manager whose
 * subtree holds one of the units that make the person berörd, never under themselves. Until the
 * digests are written a candidate is kept as ids (person id, the requirement's place, the due
 * date and unit name shared with every line of the same value), not as a line with its person's
 * strings: what the decision holds across pages is a few numbers per candidate; the names are
 * read back from `person` when each few managers' digests are written.
 */
async function digestBook(db: Db, D: string, specs: RequirementSpec[]) {
  const managers = await managersAt(db, D);
  const up = await ancestorsAt(db, D);
  const leads = new Map<string, Manager[]>();
  for (const m of managers) (leads.get(m.unit) ?? leads.set(m.unit, []).get(m.unit)!).push(m);
  const shared = new Map<string, string>();
  const one = (s: string) => shared.get(s) ?? (shared.set(s, s), s);
  // The candidates, a column each; a manager's lines are indexes into them.
  const person: number[] = [];
  const spec: number[] = [];
  const due: string[] = [];
  const unitName: string[] = [];
  const overdue: boolean[] = [];
  const books = new Map<'monthly' | 'weekly', Map<string, { m: Manager; lines: number[] }>>();

  /** The digests of `group`, with their persons' numbers and names read for them. */
  async function digestsOf(group: { m: Manager; lines: number[] }[], codes: string, every: 'monthly' | 'weekly'): Promise<Decided[]> {
    const ids = [...new Set(group.flatMap((g) => g.lines.map((i) => person[i])))];
    const who = new Map<number, { employee_number: string; name: string }>();
    for (let i = 0; i < ids.length; i += 5000) {
      const { rows } = await sql<{ id: number; employee_number: string; name: string }>`
        SELECT id, employee_number, name FROM person WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids.slice(i, i + 5000))}))`.execute(db);
      for (const row of rows) who.set(row.id, row);
    }
    return group.map(({ m, lines }) => {
      const table: DigestLine[] = lines.map((i) => {
        const p = who.get(person[i])!;
        const r = specs[spec[i]];
        return { employeeNumber: p.employee_number, name: p.name, unitName: unitName[i], requirement: r.code, requirementTitle: r.title, dueDate: due[i], overdue: overdue[i] };
      });
      table.sort((a, b) => a.requirement.localeCompare(b.requirement) || a.dueDate.localeCompare(b.dueDate) || a.name.localeCompare(b.name, 'sv'));
      return { kind: 'digest', key: reminderKey.digest(m.employeeNumber, digestPeriod(D, every)), employeeNumber: m.employeeNumber, name: m.name, to: m.email, requirement: codes, dueDate: null, lines: table };
    });
  }

  return {
    add(every: 'monthly' | 'weekly', r: RequirementSpec, p: PersonContact) {
      const book = books.get(every) ?? books.set(every, new Map()).get(every)!;
      let line = -1;
      const over = new Set<string>();
      for (const unit of p.units)
        for (const a of up.get(unit) ?? [])
          for (const m of leads.get(a) ?? []) {
            if (m.employeeNumber === p.employeeNumber || over.has(m.employeeNumber)) continue; // never themselves; once each
            over.add(m.employeeNumber);
            if (line < 0) {
              line = person.length;
              person.push(p.personId);
              spec.push(specs.indexOf(r));
              due.push(one(p.dueDate!));
              unitName.push(one(p.unitName));
              overdue.push(p.overdue);
            }
            const entry = book.get(m.employeeNumber) ?? book.set(m.employeeNumber, { m, lines: [] }).get(m.employeeNumber)!;
            entry.lines.push(line);
          }
    },
    /** The digests, a few managers at a time (a digest's lines can be a förvaltning's). */
    async emit(D: string, codesOf: (every: 'monthly' | 'weekly') => string, emit: (batch: Decided[]) => Promise<void>) {
      for (const [every, book] of books) {
        const codes = codesOf(every);
        let group: { m: Manager; lines: number[] }[] = [];
        let size = 0;
        for (const entry of book.values()) {
          group.push(entry);
          size += entry.lines.length;
          if (group.length >= DECIDED_CHUNK || size >= 20_000) {
            await emit(await digestsOf(group, codes, every));
            group = [];
            size = 0;
          }
        }
        if (group.length) await emit(await digestsOf(group, codes, every));
        books.delete(every);
      }
    },
  };
}

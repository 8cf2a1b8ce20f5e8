import type { CompiledQuery } from 'kysely';
import { concatStatements } from '../db/atomic.ts';
import { idPages } from '../db/id-pages.ts';
import { addDays } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import type { EmploymentType } from '../db/schema.ts';
import { bulkInsert, chunksOf, lazyBulkInsert, type ChangeEntry, type ImportContext, type Plan, type Rejection, type Safety } from './batch.ts';
import { pacer } from '../pace.ts';
import { date, dateProblem, email, employmentType, text, yesNo } from './cells.ts';
import { requireColumns, ROSTER_COLUMNS, unused, type Mapping, type RosterField } from './headers.ts';
import { interner, ownString } from './own-string.ts';
import { openRows, type SheetRows, type SheetSource } from './sheet-rows.ts';
import { within } from './reach.ts';
import { RowView, shown } from './rows.ts';
import { UnitIndex } from './unit-index.ts';

export type RosterMode = 'snapshot' | 'history';

interface Held {
  id: number;
  person_id: number;
  unit_code: string;
  title: string | null;
  employment_type: EmploymentType | null;
  is_manager: number;
  start_date: string;
  end_date: string | null;
  /** Only to put a deleted employment back as it was, should the write be undone. */
  import_batch_id: number | null;
}

/** One employment as a file row states it (its strings interned: one copy per distinct value). */
interface Wanted {
  row: number;
  employeeNumber: string;
  unit: string;
  title: string | null;
  type: EmploymentType | null;
  manager: boolean;
  start: string | null;
  end: string | null;
}

interface NewEmployment {
  employeeNumber: string;
  unit: string;
  title: string | null;
  type: EmploymentType | null;
  manager: boolean;
  start: string;
  end: string | null;
}

/** A person the file names: as its first taken row gives them, with the rows taken for them. */
interface FilePerson {
  employeeNumber: string;
  name: string;
  email: string | null;
  /** Their id: held, or given now (0 until known). */
  id: number;
  /** Their first row taken, and any more: most people have one, and an array each was ~180 bytes. */
  first: Wanted | null;
  more: Wanted[] | null;
}

const rowsOf = (p: FilePerson): Wanted[] => (p.more ? [p.first!, ...p.more] : p.first ? [p.first] : []);

/** Which of the optional columns the file has: a column it lacks leaves what is held alone. */
interface Present {
  title: boolean;
  type: boolean;
  manager: boolean;
  end: boolean;
}

/** A row's terms with the columns the file lacks taken from the held employment. */
function filled(w: Wanted, h: Held, has: Present, withEnd = true): Wanted {
  return {
    ...w,
    title: has.title ? w.title : h.title,
    type: has.type ? w.type : h.employment_type,
    manager: has.manager ? w.manager : h.is_manager === 1,
    end: has.end || !withEnd ? w.end : h.end_date,
  };
}

const sameTerms = (h: Held, w: Wanted) => h.title === w.title && h.employment_type === w.type && (h.is_manager === 1) === w.manager;

const nameOf = (r: RowView<RosterField>) => {
  const full = text(r.cell('name'));
  if (full) return full;
  const parts = [text(r.cell('firstName')), text(r.cell('lastName'))].filter(Boolean);
  return parts.length ? parts.join(' ') : null;
};

/** Rows per query where a read is the whole staff (people; employments), with a pause between. */
const PAGE = 5000;

/**
 * A roster: one row per employment. People are created or updated from it (name, e-mail; never
 * a personnummer). In *snapshot* mode the file is the whole staff of the förvaltningar it names
 * on `asOf`: what is new starts, what is missing ends the day before, a person found in another
 * unit has moved (one employment ends, another starts). In *history* mode each row carries its
 * own dates and is matched on person, unit and start date; nothing absent is ended.
 *
 * The file is read twice (`open(again)`): first for the names alone (an employee number under
 * two names in one file rejects all its rows, which only the whole file tells), then row by row
 * into the few fields a plan needs. Keeping the rows instead held the whole file, ~1.6 KB of
 * memory a row (docs/performance.md).
 */
export async function planRoster(
  ctx: ImportContext,
  open: (again: boolean) => SheetSource | Promise<SheetSource>,
  mode: RosterMode,
  asOf: string,
  scopeUnit?: string,
  mapping: Mapping = {},
): Promise<Plan> {
  const names = await openRows(await open(false), ROSTER_COLUMNS, mapping, ['employeeNumber']);
  const sheet = { headers: names.headers };
  const map = names.map;
  requireColumns('roster', map, sheet.headers, ROSTER_COLUMNS, [
    ['employeeNumber'],
    ['name', 'lastName'],
    ['unitCode', 'enhet', 'avdelning', 'forvaltning'],
    ...(mode === 'history' ? [['startDate'] as RosterField[]] : []),
  ]);
  const has: Present = { title: !!map.title, type: !!map.employmentType, manager: !!map.manager, end: !!map.endDate };
  const index = await UnitIndex.load(ctx.db);
  // A snapshot may name the unit it speaks for; then it ends nothing outside that subtree, and
  // a stray row from elsewhere is rejected instead of making a whole other förvaltning "missing".
  let speaksFor: Set<string> | null = null;
  if (mode === 'snapshot' && scopeUnit) {
    if (!index.at(scopeUnit, asOf)) throw new DomainError('unprocessable', 'unit.unknown', { code: scopeUnit });
    if (!within(ctx.reach, scopeUnit)) throw new DomainError('forbidden', 'import.outOfScope', { unit: scopeUnit });
    speaksFor = new Set([scopeUnit, ...index.descendantsAt(scopeUnit, asOf).map((u) => u.code)]);
  }
  const { twoNames, rows: rowsInFile } = await namesIn(names);

  const src = await openRows(await open(true), ROSTER_COLUMNS, mapping, ['employeeNumber']);
  const intern = interner();
  const rejections: Rejection[] = [];
  const duplicates: Rejection[] = [];
  const rejectedPeople = new Set<string>();
  const wanted: Wanted[] = [];
  const personInFile = new Map<string, FilePerson>();
  const forvaltningar = new Set<string>();
  // A name several units bear city-wide is looked for where this import may speak first.
  const near = (code: string) => (speaksFor ? speaksFor.has(code) : !ctx.reach.all && within(ctx.reach, code));
  // A second row for the same employment (person and unit; and start date in history mode): the
  // same again is left out, different terms reject it.
  const sameEmployment = mode === 'history' ? (a: Wanted, b: Wanted) => a.unit === b.unit && a.start === b.start : (a: Wanted, b: Wanted) => a.unit === b.unit;
  let done = 0;
  const pause = pacer();
  ctx.progress?.({ phase: 'check', done: 0, total: rowsInFile });
  for await (const batch of src.batches) {
    for (const row of batch) {
      if (++done % 5000 === 0) ctx.progress?.({ phase: 'check', done, total: rowsInFile });
      await pause();
      const r = new RowView(src.map, row);
      // Every error of the row, not only the first: a file is then put right in one round.
      const errors: Rejection[] = [];
      let n = text(r.cell('employeeNumber'));
      if (!n) errors.push(r.reject('employeeNumber', 'import.required'));
      else if (n.length > 64) {
        errors.push(r.reject('employeeNumber', 'import.badValue', { value: shown(n) }));
        n = null;
      }
      const name = nameOf(r);
      const nameField: RosterField = map.name ? 'name' : 'lastName';
      if (!name) errors.push(r.reject(nameField, 'import.required'));
      else if (n && (twoNames.get(n)?.size ?? 0) > 1) {
        errors.push(r.reject(nameField, 'import.twoNames', { employeeNumber: n, names: [...twoNames.get(n)!.values()].join(' / ') }));
      }
      const mail = email(r.cell('email'));
      if (mail === undefined) errors.push(r.reject('email', 'import.badEmail', { value: shown(r.cell('email')) }));
      const start = date(r.cell('startDate'));
      if (start === undefined) errors.push(r.reject('startDate', dateProblem(r.cell('startDate')), { value: shown(r.cell('startDate')) }));
      else if (mode === 'history' && start === null) errors.push(r.reject('startDate', 'import.required'));
      const end = date(r.cell('endDate'));
      if (end === undefined) errors.push(r.reject('endDate', dateProblem(r.cell('endDate')), { value: shown(r.cell('endDate')) }));
      const effectiveStart = mode === 'snapshot' ? start ?? asOf : start;
      if (end && effectiveStart && end < effectiveStart) errors.push(r.reject('endDate', 'import.endBeforeStart', { from: effectiveStart, to: end }));
      const type = employmentType(r.cell('employmentType'));
      if (type === undefined) errors.push(r.reject('employmentType', 'import.badEmploymentType', { value: shown(r.cell('employmentType')) }));
      const manager = yesNo(r.cell('manager'));
      if (manager === undefined) errors.push(r.reject('manager', 'import.badYesNo', { value: shown(r.cell('manager')) }));
      // The unit as the organisation stood on the day the row speaks of (unknowable without its start).
      const on = mode === 'snapshot' ? asOf : start;
      const code = text(r.cell('unitCode'));
      let unit: string | null = null;
      if (on) {
        if (code) {
          const u = index.at(code, on);
          if (!u) errors.push(r.reject('unitCode', index.versions(code).length ? 'import.unitNotValid' : 'import.unknownUnit', { unit: code, date: on }));
          else unit = u.code;
        } else {
          const path = [text(r.cell('forvaltning')), text(r.cell('avdelning')), text(r.cell('enhet'))];
          const found = index.byPath(path, on, near);
          const column: RosterField = path[2] ? 'enhet' : path[1] ? 'avdelning' : 'forvaltning';
          // A code written in the Enhet column (an export without an Enhetskod column) is a code.
          const asCode = found.unit ? undefined : index.at(path[2] ?? path[1] ?? path[0] ?? '', on) ?? index.at((path[2] ?? '').toUpperCase(), on);
          if (found.unit) unit = found.unit.code;
          else if (asCode) unit = asCode.code;
          else errors.push(r.reject(column, found.ambiguous ? 'import.ambiguousUnit' : 'import.unknownUnit', { unit: path.filter(Boolean).join(' › ') || '—', date: on }));
        }
      }
      const unitField: RosterField = code ? 'unitCode' : map.enhet ? 'enhet' : map.avdelning ? 'avdelning' : 'forvaltning';
      if (unit && !within(ctx.reach, unit)) errors.push(r.reject(unitField, 'import.outOfScope', { unit }));
      else if (unit && speaksFor && !speaksFor.has(unit)) errors.push(r.reject(unitField, 'import.outsideSnapshot', { unit, scope: scopeUnit! }));
      if (errors.length) {
        for (const e of errors) rejections.push(e);
        if (n) rejectedPeople.add(ownString(n));
        continue;
      }
      let person = personInFile.get(n!);
      if (!person) {
        person = { employeeNumber: ownString(n!), name: ownString(name!), email: mail ? ownString(mail) : null, id: 0, first: null, more: null };
        personInFile.set(person.employeeNumber, person);
      } else if (!person.email && mail) person.email = ownString(mail);
      forvaltningar.add(speaksFor ? scopeUnit! : index.forvaltningOf(unit!, on!));
      const w: Wanted = {
        row: r.number,
        employeeNumber: person.employeeNumber,
        unit: unit!,
        title: intern(text(r.cell('title'))),
        type: type ?? null,
        manager: manager ?? false,
        start: intern(start ?? null),
        end: intern(end ?? null),
      };
      const first = person.first && sameEmployment(person.first, w) ? person.first : person.more?.find((f) => sameEmployment(f, w));
      if (first) {
        const identical = first.title === w.title && first.type === w.type && first.manager === w.manager && first.end === w.end && first.start === w.start;
        if (!identical) {
          duplicates.push(r.reject(null, 'import.duplicateEmployment', { employeeNumber: w.employeeNumber, unit: w.unit, row: first.row }));
          rejectedPeople.add(person.employeeNumber);
        }
        continue;
      }
      if (!person.first) person.first = w;
      else (person.more ??= []).push(w);
      wanted.push(w);
    }
  }
  const rowsTotal = done;
  const skippedRows = src.skippedRows();
  for (const d of duplicates) rejections.push(d);
  ctx.progress?.({ phase: 'check', done: rowsTotal, total: rowsTotal });

  // People: held ones compared with the file, new ones given ids now, so their employments can
  // name them in the same batch. Read a page at a time and not kept: the city is 50 000 people.
  let maxPerson = 0;
  const changedPeople: { id: number; name: string; email: string | null; before: { name: string; email: string | null } }[] = [];
  // Whoever a rejected row names is not ended by a snapshot for want of a row.
  const protectedIds = new Set<number>();
  const people = (after: number, limit: number) =>
    ctx.db.selectFrom('person').select(['id', 'employee_number', 'name', 'email', 'anonymised_at']).where('id', '>', after).orderBy('id').limit(limit).execute();
  for await (const page of idPages(people, PAGE)) {
    for (const held of page) {
      maxPerson = Math.max(maxPerson, held.id);
      if (rejectedPeople.has(held.employee_number)) protectedIds.add(held.id);
      const p = personInFile.get(held.employee_number);
      if (!p) continue;
      p.id = held.id;
      const mail = p.email ?? held.email;
      // An anonymised person is not brought back by a roster naming their old number.
      if (held.anonymised_at) continue;
      if (held.name !== p.name || (mail ?? '').toLowerCase() !== (held.email ?? '').toLowerCase()) {
        changedPeople.push({ id: held.id, name: p.name, email: mail, before: { name: held.name, email: held.email } });
      }
    }
  }
  const newPeople: FilePerson[] = [];
  for (const p of personInFile.values()) if (!p.id) newPeople.push(Object.assign(p, { id: maxPerson + newPeople.length + 1 }));
  const idOf = (n: string) => personInFile.get(n)!.id;

  const held = await loadHeld(ctx, mode, asOf, intern);
  const heldByPerson = new Map<number, Held[]>();
  for (const h of held) {
    const list = heldByPerson.get(h.person_id);
    if (list) list.push(h);
    else heldByPerson.set(h.person_id, [h]);
  }

  // Who is started, ended, moved or changed, by name: what a coordinator checks before committing.
  // A unit as named on a day, one object per unit version (shared by every entry naming it).
  const refs = new Map<unknown, { code: string; name: string }>();
  const unitRef = (code: string, on: string) => {
    const v = index.at(code, on) ?? index.versions(code).at(-1);
    let ref = refs.get(v ?? code);
    if (!ref) refs.set(v ?? code, (ref = { code, name: v?.name ?? code }));
    return ref;
  };
  const changeList: ChangeEntry[] = [];
  const listed = (change: ChangeEntry['change'], p: FilePerson, from: ChangeEntry['from'], to: ChangeEntry['to'], startDate: string | null, endDate: string | null) =>
    changeList.push({ change, employeeNumber: p.employeeNumber, name: p.name, from, to, startDate, endDate });
  let safety: Safety | null = null;

  const inserts: NewEmployment[] = [];
  const ends: { id: number; end: string; before: string | null }[] = [];
  const deletes: Held[] = [];
  const edits: (Held & { before: Held })[] = [];
  const changes = { started: 0, ended: 0, moved: 0, updated: 0, peopleAdded: newPeople.length, peopleUpdated: changedPeople.length };

  if (mode === 'history') {
    for (let w of wanted) {
      const p = personInFile.get(w.employeeNumber)!;
      const h = (heldByPerson.get(p.id) ?? []).find((e) => e.unit_code === w.unit && e.start_date === w.start);
      if (!h) {
        inserts.push(w as NewEmployment);
        changes.started++;
        listed('started', p, null, unitRef(w.unit, w.start!), w.start, w.end);
        continue;
      }
      w = filled(w, h, has);
      if (!sameTerms(h, w) || h.end_date !== w.end) {
        const u = unitRef(h.unit_code, h.start_date);
        if (sameTerms(h, w) && h.end_date === null) {
          changes.ended++;
          listed('ended', p, u, null, h.start_date, w.end);
        } else {
          changes.updated++;
          listed('changed', p, u, u, h.start_date, w.end);
        }
        edits.push({ ...h, title: w.title, employment_type: w.type, is_manager: w.manager ? 1 : 0, end_date: w.end, before: h });
      }
    }
  } else {
    const dayBefore = addDays(asOf, -1);
    const end = (h: Held) => (h.start_date >= asOf ? deletes.push(h) : ends.push({ id: h.id, end: dayBefore, before: h.end_date }));
    // Which held employments the file speaks for: those in the subtrees of the förvaltningar it covers.
    const covered = new Set<string>();
    for (const f of forvaltningar) {
      covered.add(f);
      for (const u of index.descendantsAt(f, asOf)) covered.add(u.code);
    }
    if (speaksFor) for (const u of speaksFor) covered.add(u);
    // Only what is active on asOf can have ended by it; a later start is left for its own day.
    const inScope = (h: Held) => h.start_date <= asOf && covered.has(h.unit_code) && within(ctx.reach, h.unit_code);
    const matchedHeld = new Set<number>();
    for (const p of personInFile.values()) {
      const hs = heldByPerson.get(p.id) ?? [];
      const unmatched: Wanted[] = [];
      for (const row of rowsOf(p)) {
        const h = hs.find((e) => e.unit_code === row.unit && !matchedHeld.has(e.id));
        if (!h) {
          unmatched.push(row);
          continue;
        }
        matchedHeld.add(h.id);
        const w = filled(row, h, has);
        const u = unitRef(h.unit_code, asOf);
        if (sameTerms(h, w)) {
          if (h.end_date !== w.end) {
            edits.push({ ...h, end_date: w.end, before: h });
            changes.updated++;
            listed('changed', p, u, u, h.start_date, w.end);
          }
        } else if (h.start_date >= asOf) {
          edits.push({ ...h, title: w.title, employment_type: w.type, is_manager: w.manager ? 1 : 0, end_date: w.end, before: h });
          changes.updated++;
          listed('changed', p, u, u, h.start_date, w.end);
        } else {
          // New terms from asOf: the old ones stay as they were until the day before.
          ends.push({ id: h.id, end: dayBefore, before: h.end_date });
          inserts.push({ ...w, start: asOf });
          changes.updated++;
          listed('changed', p, u, u, asOf, w.end);
        }
      }
      const leaving = rejectedPeople.has(p.employeeNumber) ? [] : hs.filter((h) => !matchedHeld.has(h.id) && inScope(h));
      for (const w of unmatched) {
        const from = leaving.shift();
        if (from) {
          matchedHeld.add(from.id);
          end(from);
          // A move keeps the terms the file does not speak of (its end date aside).
          inserts.push({ ...filled(w, from, has, false), start: asOf });
          changes.moved++;
          listed('moved', p, unitRef(from.unit_code, dayBefore), unitRef(w.unit, asOf), asOf, w.end);
        } else {
          inserts.push(w.start ? (w as NewEmployment) : { ...w, start: asOf });
          changes.started++;
          listed('started', p, null, unitRef(w.unit, asOf), w.start ?? asOf, w.end);
        }
      }
    }
    // Everyone else employed in the covered förvaltningar on asOf has left, unless a rejected row
    // names them. Named as the file names them, else as held (read for these people alone).
    const leavers: { entry: ChangeEntry; personId: number }[] = [];
    for (const h of held) {
      if (matchedHeld.has(h.id) || !inScope(h) || protectedIds.has(h.person_id)) continue;
      end(h);
      changes.ended++;
      const entry: ChangeEntry = { change: 'ended', employeeNumber: '', name: '', from: unitRef(h.unit_code, dayBefore), to: null, startDate: h.start_date, endDate: dayBefore };
      changeList.push(entry);
      leavers.push({ entry, personId: h.person_id });
    }
    await nameLeavers(ctx, leavers, personInFile);
    safety = snapshotSafety(rowsTotal, rejections, changes.ended, held.filter(inScope).length);
  }

  return {
    kind: 'roster',
    mode,
    asOf: mode === 'snapshot' ? asOf : null,
    rowsTotal,
    rejections,
    changes,
    changeList,
    safety,
    skippedRows,
    ...unused(sheet.headers, map, ROSTER_COLUMNS),
    scope: [...(speaksFor ? [scopeUnit!] : forvaltningar)].sort(),
    statements(batchId) {
      const db = ctx.db;
      const changed: CompiledQuery[] = [];
      for (const p of changedPeople) changed.push(db.updateTable('person').set({ name: p.name, email: p.email }).where('id', '=', p.id).compile());
      // Ends first: an employment ended and started again on the same day stays two rows.
      for (const [end, ids] of idsBy(ends, (e) => e.end)) changed.push(...setEndDate(db, ids, end));
      for (const chunk of chunksOf(deletes.map((h) => h.id), 1)) changed.push(db.deleteFrom('employment').where('id', 'in', chunk).compile());
      for (const e of edits) {
        changed.push(
          db.updateTable('employment').set({ title: e.title, employment_type: e.employment_type, is_manager: e.is_manager, end_date: e.end_date }).where('id', '=', e.id).compile(),
        );
      }
      // The new rows built as the write takes them. Unit codes and titles are the file's words
      // and are bound; the rest we produced or checked.
      return concatStatements(
        lazyBulkInsert(
          'person',
          PERSON_COLUMNS,
          newPeople.length,
          (i) => {
            const p = newPeople[i];
            return [p.id, p.employeeNumber, p.name, p.email];
          },
          // By number; the index by e-mail takes them in no order.
          { indexesAside: true },
        ),
        changed,
        lazyBulkInsert(
          'employment',
          EMPLOYMENT_COLUMNS,
          inserts.length,
          (i) => {
            const w = inserts[i];
            return [idOf(w.employeeNumber), w.unit, w.title, w.type, w.manager ? 1 : 0, w.start, w.end, batchId];
          },
          // A roster comes by unit or by person; employment has an index by each.
          { indexesAside: true },
        ),
      );
    },
    undo() {
      const db = ctx.db;
      const restore: CompiledQuery[] = [];
      for (const p of changedPeople) restore.push(db.updateTable('person').set(p.before).where('id', '=', p.id).compile());
      for (const [before, ids] of idsBy(ends, (e) => e.before)) restore.push(...setEndDate(db, ids, before));
      for (const { before: h } of edits) {
        restore.push(
          db.updateTable('employment').set({ title: h.title, employment_type: h.employment_type, is_manager: h.is_manager, end_date: h.end_date }).where('id', '=', h.id).compile(),
        );
      }
      restore.push(
        ...bulkInsert(
          'employment',
          [{ name: 'id' }, ...EMPLOYMENT_COLUMNS],
          deletes.map((h) => [h.id, h.person_id, h.unit_code, h.title, h.employment_type, h.is_manager, h.start_date, h.end_date, h.import_batch_id]),
          // The write may have failed before it deleted them: then they are still there, as they were.
          { orIgnore: true },
        ),
      );
      return { restore, created: newPeople.length ? [deleteCreatedPeople(db, newPeople[0].id, newPeople[newPeople.length - 1].id)] : [] };
    },
  };
}

/**
 * The first pass: the employee numbers written under two names in the file, with those names as
 * written. Spelled the same but for case and spacing is one name. Only numbers seen under two get
 * a map of their names (a map for each of 48 000 numbers was ~10 MB of an import's memory).
 */
async function namesIn(src: SheetRows<RosterField>): Promise<{ twoNames: Map<string, Map<string, string>>; rows: number }> {
  // An employee number's first name as written; folded (case, spacing) only when it comes again.
  const firstName = new Map<string, string>();
  const twoNames = new Map<string, Map<string, string>>();
  // Swedish has no casing rules of its own (Unicode's special casing is for Turkish, Azeri and
  // Lithuanian): toLowerCase() is the same mapping, without a locale each time.
  const fold = (name: string) => name.replace(/\s+/g, ' ').toLowerCase();
  let rows = 0;
  const pause = pacer();
  for await (const batch of src.batches) {
    for (const row of batch) {
      rows++;
      await pause();
      const r = new RowView(src.map, row);
      const n = text(r.cell('employeeNumber'));
      const name = nameOf(r);
      if (!n || !name) continue;
      const written = firstName.get(n);
      if (written === undefined) {
        firstName.set(n, name);
        continue;
      }
      const first = fold(written);
      const key = fold(name);
      if (first !== key || twoNames.has(n)) {
        let seen = twoNames.get(n);
        if (!seen) {
          seen = new Map([[first, written]]);
          twoNames.set(n, seen);
        }
        if (!seen.has(key)) seen.set(key, name);
      }
    }
  }
  return { twoNames, rows };
}

/** The names of the people a snapshot ends: as the file names them, else as held. */
async function nameLeavers(ctx: ImportContext, leavers: { entry: ChangeEntry; personId: number }[], personInFile: Map<string, FilePerson>): Promise<void> {
  if (!leavers.length) return;
  const ids = new Set(leavers.map((l) => l.personId));
  const who = new Map<number, { employeeNumber: string; name: string }>();
  for (const p of personInFile.values()) if (ids.has(p.id)) who.set(p.id, p);
  const rest = [...ids].filter((id) => !who.has(id));
  for (const chunk of chunksOf(rest, 1)) {
    for (const p of await ctx.db.selectFrom('person').select(['id', 'employee_number', 'name']).where('id', 'in', chunk).execute()) {
      who.set(p.id, { employeeNumber: p.employee_number, name: p.name });
    }
  }
  for (const { entry, personId } of leavers) {
    const p = who.get(personId)!;
    entry.employeeNumber = p.employeeNumber;
    entry.name = p.name;
  }
}

/**
 * The people an import created, by the range of ids it gave them (contiguous, from max + 1), once
 * its own employments are gone. One that something else refers to by then is not ours to delete:
 * a concurrent import on D1 that created the same id first, or records that came in between.
 */
function deleteCreatedPeople(db: ImportContext['db'], first: number, last: number): CompiledQuery {
  return db
    .deleteFrom('person')
    .where('id', '>=', first)
    .where('id', '<=', last)
    .where((eb) =>
      eb.and([
        eb.not(eb.exists(eb.selectFrom('employment').select('employment.id').whereRef('employment.person_id', '=', 'person.id'))),
        eb.not(eb.exists(eb.selectFrom('completion').select('completion.id').whereRef('completion.person_id', '=', 'person.id'))),
        eb.not(eb.exists(eb.selectFrom('xapi_statement').select('xapi_statement.id').whereRef('xapi_statement.person_id', '=', 'person.id'))),
      ]),
    )
    .compile();
}

/**
 * Whether a snapshot may be committed, and on what word. One with no row taken would end its whole
 * scope (a file whose dates or units were all misread, a header alone): never. One with rejected
 * rows, or ending more than a tenth of the employments active in its scope on its date, only
 * when the request names the number it ends (confirmEnded), as its dry run showed.
 */
export function snapshotSafety(rowsTotal: number, rejections: Rejection[], ended: number, activeInScope: number): Safety {
  const rejected = new Set(rejections.map((r) => r.row)).size;
  const reasons: Safety['reasons'] = [];
  if (rowsTotal - rejected === 0) reasons.push('noAcceptedRows');
  if (rejected > 0) reasons.push('rejectedRows');
  if (ended * 10 > activeInScope) reasons.push('manyEnded');
  const blocked = rowsTotal - rejected === 0;
  const confirm = !blocked && (rejected > 0 || ended * 10 > activeInScope);
  return { blocked, confirmEnded: confirm ? ended : null, reasons, activeInScope };
}

/**
 * The employments a roster is compared with, in id order, a page at a time, their strings
 * interned: a snapshot compares with what is active on its date, and with what starts later (a
 * row announcing a future start is matched on the next import, not started twice).
 */
async function loadHeld(ctx: ImportContext, mode: RosterMode, asOf: string, intern: ReturnType<typeof interner>): Promise<Held[]> {
  const out: Held[] = [];
  const read = (after: number, limit: number) => {
    let q = ctx.db
      .selectFrom('employment')
      .select(['id', 'person_id', 'unit_code', 'title', 'employment_type', 'is_manager', 'start_date', 'end_date', 'import_batch_id'])
      .where('id', '>', after);
    if (mode === 'snapshot') q = q.where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', asOf)]));
    return q.orderBy('id').limit(limit).execute();
  };
  for await (const page of idPages(read, PAGE)) {
    for (const h of page) {
      h.unit_code = intern(h.unit_code);
      h.title = intern(h.title);
      h.start_date = intern(h.start_date);
      h.end_date = intern(h.end_date);
      out.push(h);
    }
  }
  return out;
}

/** Ids grouped by a key, pushed not copied: a snapshot may end tens of thousands on one date. */
function idsBy<T extends { id: number }, K>(items: readonly T[], key: (item: T) => K): Map<K, number[]> {
  const out = new Map<K, number[]>();
  for (const item of items) {
    const ids = out.get(key(item));
    if (ids) ids.push(item.id);
    else out.set(key(item), [item.id]);
  }
  return out;
}

/** Sets one end date on many employments; one bound parameter is the date, so 99 ids a statement. */
function setEndDate(db: ImportContext['db'], ids: readonly number[], end: string | null): CompiledQuery[] {
  const out: CompiledQuery[] = [];
  for (let i = 0; i < ids.length; i += 99) out.push(db.updateTable('employment').set({ end_date: end }).where('id', 'in', ids.slice(i, i + 99)).compile());
  return out;
}

/** A new person as an import writes them: the number, name and e-mail are the file's words and bound. */
const PERSON_COLUMNS = [{ name: 'id' }, { name: 'employee_number', bind: true }, { name: 'name', bind: true }, { name: 'email', bind: true }];

/** An employment row as an import writes it: unit codes and titles are the file's words and bound. */
const EMPLOYMENT_COLUMNS = [
  { name: 'person_id' },
  { name: 'unit_code', bind: true },
  { name: 'title', bind: true },
  { name: 'employment_type' },
  { name: 'is_manager' },
  { name: 'start_date' },
  { name: 'end_date' },
  { name: 'import_batch_id' },
];

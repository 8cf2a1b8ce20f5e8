import type { CompiledQuery } from 'kysely';
import { addDays } from '../domain/calendar.ts';
import { DomainError } from '../domain/errors.ts';
import type { EmploymentType } from '../db/schema.ts';
import { bulkInsert, chunksOf, type ChangeEntry, type ImportContext, type Plan, type Rejection, type Safety } from './batch.ts';
import { yieldNow } from '../pace.ts';
import { date, dateProblem, email, employmentType, text, yesNo } from './cells.ts';
import { requireColumns, ROSTER_COLUMNS, unused, type Mapping, type RosterField } from './headers.ts';
import { allRows, openRows, type SheetSource } from './sheet-rows.ts';
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

/** One employment as a file row states it. */
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

/**
 * A roster: one row per employment. People are created or updated from it (name, e-mail; never
 * a personnummer). In *snapshot* mode the file is the whole staff of the förvaltningar it names
 * on `asOf`: what is new starts, what is missing ends the day before, a person found in another
 * unit has moved (one employment ends, another starts). In *history* mode each row carries its
 * own dates and is matched on person, unit and start date; nothing absent is ended.
 */
export async function planRoster(ctx: ImportContext, source: SheetSource, mode: RosterMode, asOf: string, scopeUnit?: string, mapping: Mapping = {}): Promise<Plan> {
  const src = await openRows(source, ROSTER_COLUMNS, mapping, ['employeeNumber']);
  const sheet = { headers: src.headers };
  const map = src.map;
  requireColumns('roster', map, sheet.headers, ROSTER_COLUMNS, [
    ['employeeNumber'],
    ['name', 'lastName'],
    ['unitCode', 'enhet', 'avdelning', 'forvaltning'],
    ...(mode === 'history' ? [['startDate'] as RosterField[]] : []),
  ]);
  const has: Present = { title: !!map.title, type: !!map.employmentType, manager: !!map.manager, end: !!map.endDate };
  const [index, people] = await Promise.all([
    UnitIndex.load(ctx.db),
    ctx.db.selectFrom('person').select(['id', 'employee_number', 'name', 'email', 'anonymised_at']).execute(),
  ]);
  const personBy = new Map(people.map((p) => [p.employee_number, p]));
  // A snapshot may name the unit it speaks for; then it ends nothing outside that subtree, and
  // a stray row from elsewhere is rejected instead of making a whole other förvaltning "missing".
  let speaksFor: Set<string> | null = null;
  if (mode === 'snapshot' && scopeUnit) {
    if (!index.at(scopeUnit, asOf)) throw new DomainError('unprocessable', 'unit.unknown', { code: scopeUnit });
    if (!within(ctx.reach, scopeUnit)) throw new DomainError('forbidden', 'import.outOfScope', { unit: scopeUnit });
    speaksFor = new Set([scopeUnit, ...index.descendantsAt(scopeUnit, asOf).map((u) => u.code)]);
  }
  // A roster is planned as a whole (an employee number under two names rejects all its rows;
  // a snapshot ends whoever has no row): its rows are kept.
  const data = await allRows(src);
  const skippedRows = src.skippedRows();
  const rows = data.map((r) => new RowView(map, r));
  const rejections: Rejection[] = [];
  const rejectedPeople = new Set<string>();

  // Names first: an employee number under two names in one file is not to be guessed at.
  // Spelled the same but for case and spacing is one name.
  // An employee number's first name as folded; only numbers seen under two get a map of their names
  // (a map for each of 48 000 numbers was ~10 MB of an import's memory).
  const firstName = new Map<string, string>();
  const writtenName = new Map<string, string>();
  const names = new Map<string, Map<string, string>>();
  const nameOf = (r: RowView<RosterField>) => {
    const full = text(r.cell('name'));
    if (full) return full;
    const parts = [text(r.cell('firstName')), text(r.cell('lastName'))].filter(Boolean);
    return parts.length ? parts.join(' ') : null;
  };
  for (const r of rows) {
    const n = text(r.cell('employeeNumber'));
    const name = nameOf(r);
    if (!n || !name) continue;
    const key = name.replace(/\s+/g, ' ').toLocaleLowerCase('sv');
    const first = firstName.get(n);
    if (first === undefined) firstName.set(n, key);
    else if (first !== key || names.has(n)) {
      let seen = names.get(n);
      if (!seen) {
        // The first row's name as written: found again by its folded form.
        seen = new Map([[first, writtenName.get(n)!]]);
        names.set(n, seen);
      }
      if (!seen.has(key)) seen.set(key, name);
    }
    if (first === undefined) writtenName.set(n, name);
  }
  firstName.clear();
  writtenName.clear();

  const wanted: Wanted[] = [];
  const personInFile = new Map<string, { name: string; email: string | null }>();
  const forvaltningar = new Set<string>();
  // A name several units bear city-wide is looked for where this import may speak first.
  const near = (code: string) => (speaksFor ? speaksFor.has(code) : !ctx.reach.all && within(ctx.reach, code));
  let done = 0;
  for (const r of rows) {
    if (++done % 5000 === 0) {
      ctx.progress?.({ phase: 'check', done, total: rows.length });
      await yieldNow();
    }
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
    else if (n && (names.get(n)?.size ?? 0) > 1) {
      errors.push(r.reject(nameField, 'import.twoNames', { employeeNumber: n, names: [...names.get(n)!.values()].join(' / ') }));
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
      if (n) rejectedPeople.add(n);
      continue;
    }
    const title = text(r.cell('title'));
    wanted.push({ row: r.number, employeeNumber: n!, unit: unit!, title, type: type ?? null, manager: manager ?? false, start: start ?? null, end: end ?? null });
    const known = personInFile.get(n!);
    if (!known) personInFile.set(n!, { name: name!, email: mail ?? null });
    else if (!known.email && mail) known.email = mail;
    forvaltningar.add(speaksFor ? scopeUnit! : index.forvaltningOf(unit!, on!));
  }
  ctx.progress?.({ phase: 'check', done: rows.length, total: rows.length });

  // People: new ones get ids now, so their employments can name them in the same batch.
  const maxPerson = people.reduce((m, p) => Math.max(m, p.id), 0);
  const newPeople: { id: number; employee_number: string; name: string; email: string | null }[] = [];
  const changedPeople: { id: number; name: string; email: string | null; before: { name: string; email: string | null } }[] = [];
  const idOf = new Map<string, number>();
  for (const [n, p] of personInFile) {
    const heldPerson = personBy.get(n);
    if (!heldPerson) {
      const id = maxPerson + newPeople.length + 1;
      newPeople.push({ id, employee_number: n, name: p.name, email: p.email });
      idOf.set(n, id);
      continue;
    }
    idOf.set(n, heldPerson.id);
    const mail = p.email ?? heldPerson.email;
    // An anonymised person is not brought back by a roster naming their old number.
    if (heldPerson.anonymised_at) continue;
    if (heldPerson.name !== p.name || (mail ?? '').toLowerCase() !== (heldPerson.email ?? '').toLowerCase()) {
      changedPeople.push({ id: heldPerson.id, name: p.name, email: mail, before: { name: heldPerson.name, email: heldPerson.email } });
    }
  }

  const held = await loadHeld(ctx, mode, asOf);
  const heldByPerson = new Map<number, Held[]>();
  for (const h of held) {
    const list = heldByPerson.get(h.person_id) ?? [];
    list.push(h);
    heldByPerson.set(h.person_id, list);
  }

  // Who is started, ended, moved or changed, by name: what a coordinator checks before committing.
  const who = new Map<number, { employeeNumber: string; name: string }>();
  for (const p of people) who.set(p.id, { employeeNumber: p.employee_number, name: p.name });
  for (const [n, p] of personInFile) who.set(idOf.get(n)!, { employeeNumber: n, name: p.name });
  const unitRef = (code: string, on: string) => ({ code, name: (index.at(code, on) ?? index.versions(code).at(-1))?.name ?? code });
  const changeList: ChangeEntry[] = [];
  const listed = (change: ChangeEntry['change'], personId: number, from: ChangeEntry['from'], to: ChangeEntry['to'], startDate: string | null, endDate: string | null) =>
    changeList.push({ change, ...who.get(personId)!, from, to, startDate, endDate });
  let safety: Safety | null = null;

  const inserts: NewEmployment[] = [];
  const ends: { id: number; end: string; before: string | null }[] = [];
  const deletes: Held[] = [];
  const edits: (Held & { before: Held })[] = [];
  const changes = { started: 0, ended: 0, moved: 0, updated: 0, peopleAdded: newPeople.length, peopleUpdated: changedPeople.length };
  const dupes = new Map<string, Wanted>();
  const takeRow = (w: Wanted, key: string): boolean => {
    const first = dupes.get(key);
    if (!first) {
      dupes.set(key, w);
      return true;
    }
    const identical = first.title === w.title && first.type === w.type && first.manager === w.manager && first.end === w.end && first.start === w.start;
    if (!identical) {
      rejections.push({ row: w.row, column: null, key: 'import.duplicateEmployment', params: { employeeNumber: w.employeeNumber, unit: w.unit, row: first.row }, values: rows.find((r) => r.number === w.row)!.values() });
      rejectedPeople.add(w.employeeNumber);
    }
    return false;
  };

  if (mode === 'history') {
    for (let w of wanted) {
      if (!takeRow(w, `${w.employeeNumber}|${w.unit}|${w.start}`)) continue;
      const pid = idOf.get(w.employeeNumber)!;
      const h = (heldByPerson.get(pid) ?? []).find((e) => e.unit_code === w.unit && e.start_date === w.start);
      if (!h) {
        inserts.push({ ...w, start: w.start! });
        changes.started++;
        listed('started', pid, null, unitRef(w.unit, w.start!), w.start, w.end);
        continue;
      }
      w = filled(w, h, has);
      if (!sameTerms(h, w) || h.end_date !== w.end) {
        const u = unitRef(h.unit_code, h.start_date);
        if (sameTerms(h, w) && h.end_date === null) {
          changes.ended++;
          listed('ended', pid, u, null, h.start_date, w.end);
        } else {
          changes.updated++;
          listed('changed', pid, u, u, h.start_date, w.end);
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
    const byPersonWanted = new Map<string, Wanted[]>();
    for (const w of wanted) {
      if (!takeRow(w, `${w.employeeNumber}|${w.unit}`)) continue;
      const list = byPersonWanted.get(w.employeeNumber) ?? [];
      list.push(w);
      byPersonWanted.set(w.employeeNumber, list);
    }
    const matchedHeld = new Set<number>();
    for (const [n, ws] of byPersonWanted) {
      const pid = idOf.get(n)!;
      const hs = heldByPerson.get(pid) ?? [];
      const unmatched: Wanted[] = [];
      for (const row of ws) {
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
            listed('changed', pid, u, u, h.start_date, w.end);
          }
        } else if (h.start_date >= asOf) {
          edits.push({ ...h, title: w.title, employment_type: w.type, is_manager: w.manager ? 1 : 0, end_date: w.end, before: h });
          changes.updated++;
          listed('changed', pid, u, u, h.start_date, w.end);
        } else {
          // New terms from asOf: the old ones stay as they were until the day before.
          ends.push({ id: h.id, end: dayBefore, before: h.end_date });
          inserts.push({ ...w, start: asOf });
          changes.updated++;
          listed('changed', pid, u, u, asOf, w.end);
        }
      }
      const leaving = rejectedPeople.has(n) ? [] : hs.filter((h) => !matchedHeld.has(h.id) && inScope(h));
      for (const w of unmatched) {
        const from = leaving.shift();
        if (from) {
          matchedHeld.add(from.id);
          end(from);
          // A move keeps the terms the file does not speak of (its end date aside).
          inserts.push({ ...filled(w, from, has, false), start: asOf });
          changes.moved++;
          listed('moved', pid, unitRef(from.unit_code, dayBefore), unitRef(w.unit, asOf), asOf, w.end);
        } else {
          inserts.push({ ...w, start: w.start ?? asOf });
          changes.started++;
          listed('started', pid, null, unitRef(w.unit, asOf), w.start ?? asOf, w.end);
        }
      }
    }
    // Everyone else employed in the covered förvaltningar on asOf has left, unless a rejected row names them.
    const protectedIds = new Set([...rejectedPeople].map((n) => personBy.get(n)?.id).filter((x): x is number => x !== undefined));
    for (const h of held) {
      if (matchedHeld.has(h.id) || !inScope(h) || protectedIds.has(h.person_id)) continue;
      end(h);
      changes.ended++;
      listed('ended', h.person_id, unitRef(h.unit_code, dayBefore), null, h.start_date, dayBefore);
    }
    safety = snapshotSafety(rows.length, rejections, changes.ended, held.filter(inScope).length);
  }

  return {
    kind: 'roster',
    mode,
    asOf: mode === 'snapshot' ? asOf : null,
    rowsTotal: rows.length,
    rejections,
    changes,
    changeList,
    safety,
    skippedRows,
    ...unused(sheet.headers, map, ROSTER_COLUMNS),
    scope: [...(speaksFor ? [scopeUnit!] : forvaltningar)].sort(),
    statements(batchId) {
      const db = ctx.db;
      const out: CompiledQuery[] = [];
      out.push(
        ...bulkInsert(
          'person',
          [{ name: 'id' }, { name: 'employee_number', bind: true }, { name: 'name', bind: true }, { name: 'email', bind: true }],
          newPeople.map((p) => [p.id, p.employee_number, p.name, p.email]),
        ),
      );
      for (const p of changedPeople) out.push(db.updateTable('person').set({ name: p.name, email: p.email }).where('id', '=', p.id).compile());
      // Ends first: an employment ended and started again on the same day stays two rows.
      for (const [end, ids] of idsBy(ends, (e) => e.end)) out.push(...setEndDate(db, ids, end));
      for (const chunk of chunksOf(deletes.map((h) => h.id), 1)) out.push(db.deleteFrom('employment').where('id', 'in', chunk).compile());
      for (const e of edits) {
        out.push(
          db.updateTable('employment').set({ title: e.title, employment_type: e.employment_type, is_manager: e.is_manager, end_date: e.end_date }).where('id', '=', e.id).compile(),
        );
      }
      // Unit codes and titles are the file's words and are bound; the rest we produced or checked.
      out.push(
        ...bulkInsert(
          'employment',
          EMPLOYMENT_COLUMNS,
          inserts.map((w) => [idOf.get(w.employeeNumber)!, w.unit, w.title, w.type, w.manager ? 1 : 0, w.start, w.end, batchId]),
        ),
      );
      return out;
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

async function loadHeld(ctx: ImportContext, mode: RosterMode, asOf: string): Promise<Held[]> {
  const q = ctx.db
    .selectFrom('employment')
    .select(['id', 'person_id', 'unit_code', 'title', 'employment_type', 'is_manager', 'start_date', 'end_date', 'import_batch_id']);
  if (mode === 'history') return q.execute();
  // A snapshot compares with what is active on its date, and with what starts later (a row
  // announcing a future start is matched on the next import, not started twice).
  return q.where((eb) => eb.or([eb('end_date', 'is', null), eb('end_date', '>=', asOf)])).execute();
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

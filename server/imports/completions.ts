import { idPages } from '../db/id-pages.ts';
import { noUndo } from '../db/import-write.ts';
import { expiresOn } from '../domain/expiry.ts';
import type { RecordStatus } from '../db/schema.ts';
import { lazyBulkInsert, lit, type ImportContext, type Plan, type Rejection } from './batch.ts';
import { pacer, yieldNow } from '../pace.ts';
import { dateProblem, dateTime, NOT_STARTED, recordStatus, text } from './cells.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { COMPLETION_COLUMNS, fold, requireColumns, unused, type CompletionField, type Mapping } from './headers.ts';
import { openRows, type SheetSource } from './sheet-rows.ts';
import { within } from './reach.ts';
import { RowView, shown } from './rows.ts';
import { RecordSet } from './record-set.ts';

/**
 * Course results from the learning portal's export. The person is found by employee number,
 * else by e-mail (case-insensitive); the course by code, else by title. Records are appended;
 * one already held with the same person, course, status and time is not written again.
 */
/**
 * Rows read per query where a read could be large (people; records held, by a span of ids): a row
 * read and keyed takes ~5–8 µs, so a page holds the server some 15–20 ms. One query over all
 * 50 000 people, or 20 000 records a page, held it for 100–250 ms under `npm run bench`.
 */
const PAGE = 2500;

/** The fields whose columns tell a total row ("Summa") from a completion (skip-rows.ts). */
export const COMPLETION_KEYS: CompletionField[] = ['employeeNumber', 'email'];

export async function planCompletions(ctx: ImportContext, source: SheetSource, mapping: Mapping = {}): Promise<Plan> {
  const src = await openRows(source, COMPLETION_COLUMNS, mapping, COMPLETION_KEYS);
  const sheet = { headers: src.headers };
  const map = src.map;
  requireColumns('completions', map, sheet.headers, COMPLETION_COLUMNS, [['employeeNumber', 'email'], ['course'], ['status'], ['date']]);
  const courses = await ctx.db.selectFrom('course').select(['id', 'code', 'title_sv', 'title_en', 'validity_months']).execute();
  const validity = new Map(courses.map((c) => [c.id, c.validity_months]));
  const byNumber = new Map<string, number>();
  const people = (after: number, limit: number) =>
    ctx.db.selectFrom('person').select(['id', 'employee_number', 'email']).where('anonymised_at', 'is', null).where('id', '>', after).orderBy('id').limit(limit).execute();
  for await (const page of idPages(people, PAGE)) for (const p of page) byNumber.set(p.employee_number, p.id);
  // People by e-mail only once a row needs it (no employee number, or one not held): an LMS export
  // with numbers never does, and the map was as large as the staff (200 000 at four times the city).
  let byEmail: Map<string, number | null> | null = null;
  const emails = async () => {
    if (byEmail) return byEmail;
    const map = new Map<string, number | null>();
    for await (const page of idPages(people, PAGE)) {
      for (const p of page) {
        if (!p.email) continue;
        const k = p.email.toLowerCase();
        // Two people sharing an address: the address names neither.
        map.set(k, map.has(k) ? null : p.id);
      }
    }
    return (byEmail = map);
  };
  const courseBy = new Map<string, number>();
  for (const c of courses) for (const k of [c.title_en, c.title_sv]) if (k) courseBy.set(`t:${fold(k)}`, c.id);
  for (const c of courses) courseBy.set(`c:${fold(c.code)}`, c.id);
  const courseExact = new Map(courses.map((c) => [c.code, c.id]));

  // Who the caller may record results for: people with an employment in their reach.
  let reachable: Set<number> | null = null;
  if (!ctx.reach.all) {
    reachable = new Set<number>();
    const employments = (after: number, limit: number) =>
      ctx.db.selectFrom('employment').select(['id', 'person_id', 'unit_code']).where('id', '>', after).orderBy('id').limit(limit).execute();
    for await (const page of idPages(employments, PAGE)) for (const e of page) if (within(ctx.reach, e.unit_code)) reachable.add(e.person_id);
  }

  // A result is not from the future: "today" in Stockholm, as every date here.
  const today = todayInStockholm();
  const rejections: Rejection[] = [];
  // The records the file names, a column each (not an object a row: 1.2 million rows are read as
  // they stream in, and only this much of each is kept), and their courses.
  const found = new RecordSet();
  const courseIds = new Set<number>();
  let done = 0;
  const pause = pacer();
  ctx.progress?.({ phase: 'check', done: 0, total: 0 });
  for await (const batch of src.batches) {
    for (const row of batch) {
      if (++done % 10000 === 0) ctx.progress?.({ phase: 'check', done, total: done });
      await pause();
      // One view at a time rather than a view of every row made up front in one stretch.
      const r = new RowView(map, row);
      // Every error of the row at once.
      const errors: Rejection[] = [];
      const number = text(r.cell('employeeNumber'));
      const mail = text(r.cell('email'));
      const who: CompletionField = number ? 'employeeNumber' : map.employeeNumber && !mail ? 'employeeNumber' : 'email';
      let person = number ? byNumber.get(number) : undefined;
      if (person === undefined && mail) person = (await emails()).get(mail.toLowerCase()) ?? undefined;
      if (!number && !mail) errors.push(r.reject(who, 'import.required'));
      else if (person === undefined) errors.push(r.reject(who, 'import.unknownPerson', { value: shown(number ?? mail) }));
      else if (reachable && !reachable.has(person)) errors.push(r.reject(who, 'import.personOutOfScope', { value: shown(number ?? mail) }));
      const courseText = text(r.cell('course'));
      const course = courseText === null ? undefined : courseExact.get(courseText) ?? courseBy.get(`c:${fold(courseText)}`) ?? courseBy.get(`t:${fold(courseText)}`);
      if (!courseText) errors.push(r.reject('course', 'import.required'));
      else if (course === undefined) errors.push(r.reject('course', 'import.unknownCourse', { value: shown(courseText) }));
      const status = recordStatus(r.cell('status'));
      if (!status) errors.push(r.reject('status', status === null ? 'import.required' : 'import.badStatus', { value: shown(r.cell('status')) }));
      const at = dateTime(r.cell('date'));
      // "Ej påbörjad" records nothing, so it needs no date; a date it has must still be one.
      if (at === null && status !== NOT_STARTED) errors.push(r.reject('date', 'import.required'));
      else if (at === undefined) errors.push(r.reject('date', dateProblem(r.cell('date')), { value: shown(r.cell('date')) }));
      else if (at && at.slice(0, 10) > today) errors.push(r.reject('date', 'import.futureDate', { value: at.slice(0, 10), today }));
      if (errors.length) {
        rejections.push(...errors);
        continue;
      }
      // Taken, and nothing to record: the LMS lists who has not begun.
      if (status === NOT_STARTED) continue;
      found.add(r.number, person!, course!, status as RecordStatus, at!);
      courseIds.add(course!);
    }
  }
  const rowsTotal = done;
  const skippedRows = src.skippedRows();
  ctx.progress?.({ phase: 'check', done: rowsTotal, total: rowsTotal });

  // Each record once: the first row naming it is the one written, a later one is left out.
  const skip = found.seal();
  await yieldNow();
  // What of it is held already, to leave out too. Only those keys are kept: a set of every record
  // held for the file's courses (600 000 under `npm run bench`) stalled the server as it grew.
  // One pass over the records by spans of ids, with pauses between. Not a page per course: no index
  // leads with course_id, so a course's page was a scan of the table from its last id on, the whole
  // table for a course with few records (~130 ms for 600 000), and again for every course.
  // The first and last id one query each: SQLite reads min() or max() of the key from the end of
  // the tree only when it is the query's one aggregate; both in one query scan the table (~50 ms).
  const first = courseIds.size ? await ctx.db.selectFrom('completion').select((eb) => eb.fn.min('id').as('id')).executeTakeFirst() : undefined;
  const last = first?.id == null ? undefined : await ctx.db.selectFrom('completion').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
  const top = Number(last?.id ?? 0);
  const inFile = [...courseIds].map((c) => lit(c));
  for (let after = Number(first?.id ?? 1) - 1; after < top; ) {
    const page = await ctx.db
      .selectFrom('completion')
      .select(['person_id', 'course_id', 'status', 'occurred_at'])
      .where('id', '>', after)
      .where('id', '<=', after + PAGE)
      .where('course_id', 'in', inFile)
      .execute();
    for (const h of page) {
      const i = found.indexOf(h.person_id, h.course_id, h.status, h.occurred_at);
      if (i >= 0) skip[i] = 1;
    }
    after += PAGE;
    if (!page.length) {
      // Past a gap in the ids (records deleted), from the next id there is.
      const next = await ctx.db.selectFrom('completion').select((eb) => eb.fn.min('id').as('id')).where('id', '>', after).executeTakeFirst();
      if (next?.id == null) break;
      after = Math.max(after, Number(next.id) - 1);
    }
    await yieldNow();
  }
  // Which of them to write: the indexes of those not left out, in the order to write them.
  const inserts = writeOrder(found, skip);
  return {
    kind: 'completions',
    rowsTotal,
    rejections,
    changes: { added: inserts.length },
    skippedRows,
    ...unused(sheet.headers, map, COMPLETION_COLUMNS),
    scope: [],
    statements(batchId) {
      const recordedAt = new Date().toISOString();
      const columns = ['person_id', 'course_id', 'status', 'occurred_at', 'source', 'source_ref', 'recorded_by', 'recorded_at', 'import_batch_id', 'expires_on'].map((name) => ({ name }));
      // Every value here is an id, an enum value, a pattern-checked date or the actor: no file text.
      return lazyBulkInsert('completion', columns, inserts.length, (n) => {
        const k = inserts[n];
        const course = found.course[k];
        const status = found.statusOf(k);
        const at = found.timeOf(k);
        return [found.person[k], course, status, at, 'import', `row ${found.row[k]}`, ctx.actor, recordedAt, batchId, expiresOn(status, at, validity.get(course) ?? null)];
      });
    },
    // Every row it writes carries the batch id.
    undo: noUndo,
  };
}

/** A file with more of its rows stepping back to a lower person id than this share is written by person. */
const UNORDERED = 1 / 8;

/**
 * The records not left out, in the file's order, or by person id where the file is in no order of
 * person (`RecordSet.byPerson`; a person's records in the file's order). The records' index leads
 * with the person: in no order (an LMS exports by course, by date or by name, never by our ids)
 * each row goes to a page of the index of its own, and the index of four times the city's records
 * is far past SQLite's page cache. Into a fresh table with the server's settings (a one-off script,
 * not a bench row: the bench's file is near enough in order and never takes this path), 1.2 million
 * records in no order took 16 s, by person 4.4 s (300 000: 2.1 s and 1.1 s). A file near enough in
 * order of person is left as it is: sorted, its records are read for the write out of the order
 * they are held in (`npm run bench -- --scale 4`: the completions ~15 % slower).
 */
function writeOrder(found: RecordSet, skip: Uint8Array): Int32Array {
  let back = 0;
  for (let i = 1; i < found.size; i++) if (found.person[i] < found.person[i - 1]) back++;
  const order = back <= found.size * UNORDERED ? null : found.byPerson();
  let fresh = 0;
  for (let i = 0; i < found.size; i++) if (!skip[i]) fresh++;
  const out = new Int32Array(fresh);
  for (let j = 0, k = 0; j < found.size; j++) {
    const i = order ? order[j] : j;
    if (!skip[i]) out[k++] = i;
  }
  return out;
}

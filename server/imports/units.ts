import type { CompiledQuery } from 'kysely';
import { addDays } from '../domain/calendar.ts';
import type { OrgUnit } from '../db/schema.ts';
import { chunksOf, lit, type ImportContext, type Plan, type Rejection } from './batch.ts';
import { yieldNow } from '../pace.ts';
import { date, dateProblem, text, unitKind } from './cells.ts';
import { requireColumns, UNIT_COLUMNS, unused, type Mapping } from './headers.ts';
import { allRows, openRows, type SheetSource } from './sheet-rows.ts';
import { RowView, shown } from './rows.ts';
import { UnitIndex } from './unit-index.ts';

/** A unit file row without a "Giltig från" describes the unit since before any roster: */
export const UNDATED_FROM = '1900-01-01';

/** A unit version as held (with its id) or as read from the file (without). */
type Version = Omit<OrgUnit, 'id' | 'import_batch_id'> & { id?: number };

const same = (a: Version, b: Version) =>
  a.name === b.name && a.parent_code === b.parent_code && a.kind === b.kind && a.valid_from === b.valid_from && a.valid_to === b.valid_to;

/**
 * The organisation register. A row is one version of a unit, keyed by code and "Giltig från": a
 * known version is updated when it differs, a new one is added and the code's earlier open
 * version ends the day before it. Rows without a date update the code's latest version.
 */
export async function planUnits(ctx: ImportContext, source: SheetSource, mapping: Mapping = {}): Promise<Plan> {
  const src = await openRows(source, UNIT_COLUMNS, mapping, ['code']);
  const sheet = { headers: src.headers };
  const map = src.map;
  requireColumns('units', map, sheet.headers, UNIT_COLUMNS, [['code'], ['name'], ['kind']]);
  const index = await UnitIndex.load(ctx.db);
  const rejections: Rejection[] = [];
  // The register as it will stand, per code and start date, beginning with what is held.
  const state = new Map<string, Map<string, Version>>();
  const held = new Map<number, OrgUnit>();
  for (const u of index.all) {
    held.set(u.id, u);
    const versions = state.get(u.code) ?? new Map<string, Version>();
    versions.set(u.valid_from, { ...u });
    state.set(u.code, versions);
  }
  // The register is planned as a whole (versions of one code compared across rows): its rows are kept.
  const data = await allRows(src);
  const skippedRows = src.skippedRows();
  const rows = data.map((r) => new RowView(map, r));
  const fileCodes = new Set(rows.map((r) => text(r.cell('code'))).filter((c): c is string => c !== null));
  const touched = new Set<string>();
  const seen = new Set<string>();
  let done = 0;
  for (const r of rows) {
    if (++done % 5000 === 0) {
      ctx.progress?.({ phase: 'check', done, total: rows.length });
      await yieldNow();
    }
    // Every error of the row at once.
    const errors: Rejection[] = [];
    let code = text(r.cell('code'));
    if (!code) errors.push(r.reject('code', 'import.required'));
    else if (code.length > 64) {
      errors.push(r.reject('code', 'import.badValue', { value: shown(code) }));
      code = null;
    }
    const name = text(r.cell('name'));
    if (!name) errors.push(r.reject('name', 'import.required'));
    const kind = unitKind(r.cell('kind'));
    if (!kind) errors.push(r.reject('kind', kind === null ? 'import.required' : 'import.badKind', { value: shown(r.cell('kind')) }));
    const parent = text(r.cell('parentCode'));
    if (parent && !fileCodes.has(parent) && !index.versions(parent).length) errors.push(r.reject('parentCode', 'import.unknownParent', { code: parent }));
    else if (parent && parent === code) errors.push(r.reject('parentCode', 'import.badValue', { value: shown(parent) }));
    const from = date(r.cell('validFrom'));
    if (from === undefined) errors.push(r.reject('validFrom', dateProblem(r.cell('validFrom')), { value: shown(r.cell('validFrom')) }));
    const to = date(r.cell('validTo'));
    if (to === undefined) errors.push(r.reject('validTo', dateProblem(r.cell('validTo')), { value: shown(r.cell('validTo')) }));
    if (errors.length || !code) {
      rejections.push(...errors);
      continue;
    }
    const versions = state.get(code) ?? new Map<string, Version>();
    const latest = [...versions.values()].sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1))[0];
    const start = from ?? latest?.valid_from ?? UNDATED_FROM;
    if (to && to < start) { rejections.push(r.reject('validTo', 'import.endBeforeStart', { from: start, to })); continue; }
    // Checked last: only a row otherwise taken holds its place as the first of its key.
    const key = `${code}|${start}`;
    if (seen.has(key)) { rejections.push(r.reject('code', 'import.duplicateUnit', { code, from: start })); continue; }
    seen.add(key);
    const existing = versions.get(start);
    versions.set(start, { id: existing?.id, code, name: name!, parent_code: parent, kind: kind!, valid_from: start, valid_to: to ?? null });
    state.set(code, versions);
    touched.add(code);
  }
  // A new version closes the one before it, unless the file closed it already.
  for (const code of touched) {
    const list = [...state.get(code)!.values()].sort((a, b) => (a.valid_from < b.valid_from ? -1 : 1));
    for (let i = 0; i + 1 < list.length; i++) {
      const next = list[i + 1].valid_from;
      if (list[i].valid_to === null || list[i].valid_to! >= next) list[i].valid_to = addDays(next, -1);
    }
  }
  const inserts: Version[] = [];
  const updates: Version[] = [];
  for (const code of touched) {
    for (const v of state.get(code)!.values()) {
      if (v.id === undefined) inserts.push(v);
      else if (!same(v, held.get(v.id)! as Version)) updates.push(v);
    }
  }
  return {
    kind: 'units',
    rowsTotal: rows.length,
    rejections,
    changes: { added: inserts.length, updated: updates.length },
    skippedRows,
    ...unused(sheet.headers, map, UNIT_COLUMNS),
    scope: [],
    statements(batchId) {
      const out: CompiledQuery[] = [];
      for (const chunk of chunksOf(inserts, 6)) {
        out.push(
          ctx.db
            .insertInto('org_unit')
            .values(chunk.map((v) => ({ code: v.code, name: v.name, parent_code: v.parent_code, kind: v.kind, valid_from: v.valid_from, valid_to: v.valid_to, import_batch_id: lit(batchId) })))
            .compile(),
        );
      }
      for (const v of updates) {
        out.push(
          ctx.db
            .updateTable('org_unit')
            .set({ name: v.name, parent_code: v.parent_code, kind: v.kind, valid_to: v.valid_to, import_batch_id: batchId })
            .where('id', '=', v.id!)
            .compile(),
        );
      }
      return out;
    },
    undo() {
      // Updated versions carry this batch's id from the update on: the old values (and the old
      // batch id) go back before the rows carrying this batch id are deleted.
      const restore = updates.map((v) => {
        const h = held.get(v.id!)!;
        return ctx.db
          .updateTable('org_unit')
          .set({ name: h.name, parent_code: h.parent_code, kind: h.kind, valid_to: h.valid_to, import_batch_id: h.import_batch_id })
          .where('id', '=', h.id)
          .compile();
      });
      return { restore, created: [] };
    },
  };
}

import { execFile } from 'node:child_process';
import type { Insertable } from 'kysely';
import type { CompletionTable, Db } from '../server/db/schema.ts';
import { chunkRows } from '../server/db/chunks.ts';
import { openSqlite } from '../server/db/sqlite.ts';
import { insertCompletions, insertEmployments, insertPeople, insertUnits } from '../server/domain/records.ts';
import type { Client } from './client.ts';
import type { CityFiles } from './files.ts';
import type { City, CompletionRow } from './generate.ts';
import { once } from './measure.ts';

/**
 * Gets the generated city into the server under test: through the import routes where they
 * exist, else straight into its database through server/domain/records.ts (the same rows, so the
 * read benchmarks measure the same city either way).
 */

export interface ImportAnswer {
  batchId: number;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  errors: { row: number; column?: string; message: string }[];
}

export interface Step {
  via: 'http' | 'direct';
  ms: number;
  rows: number;
  answer?: ImportAnswer;
}

export interface Routes {
  units: boolean;
  roster: boolean;
  completions: boolean;
  export: boolean;
}

export async function probeRoutes(client: Client, token: string, root: string, asOf: string): Promise<Routes> {
  const [units, roster, completions, exp] = await Promise.all([
    client.exists('POST', '/api/imports/units?dryRun=true', token),
    client.exists('POST', '/api/imports/roster?mode=history&dryRun=true', token),
    client.exists('POST', '/api/imports/completions?dryRun=true', token),
    client.exists('GET', `/api/exports/coverage.xlsx?unit=NO-SUCH-UNIT&asOf=${asOf}`, token),
  ]);
  void root;
  return { units, roster, completions, export: exp };
}

/** An import's upload, from a process of its own (bench/upload.mjs), timed there. */
export async function importFile(client: Client, token: string, path: string, file: string): Promise<{ ms: number; answer: ImportAnswer }> {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['bench/upload.mjs', `${client.url}${path}`, token, file], { maxBuffer: 1 << 30 }, (e, stdout) => (e ? reject(e) : resolve(stdout)));
  });
  const { status, ms, text } = JSON.parse(out) as { status: number; ms: number; text: string };
  if (status !== 200 && status !== 201) throw new Error(`POST ${path}: ${status} ${text.slice(0, 800)}`);
  return { ms, answer: JSON.parse(text) as ImportAnswer };
}

async function direct<T>(dbFile: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const handle = openSqlite(dbFile);
  try {
    return await handle.db.transaction().execute(fn);
  } finally {
    await handle.close();
    // The synchronous writes blocked this process's event loop: let the HTTP client see the
    // keep-alive sockets the server closed meanwhile before it reuses one.
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function loadUnits(client: Client, token: string, routes: Routes, city: City, files: CityFiles, dbFile: string): Promise<Step> {
  if (routes.units) {
    const { ms, answer } = await importFile(client, token, '/api/imports/units', files.units);
    return { via: 'http', ms, rows: files.rows.units, answer };
  }
  const { ms } = await once(() =>
    direct(dbFile, (db) =>
      insertUnits(
        db,
        city.units.map((u) => ({ code: u.code, name: u.name, parent_code: u.parent, kind: u.kind, valid_from: u.from, valid_to: u.to, import_batch_id: null })),
      ),
    ),
  );
  return { via: 'direct', ms, rows: city.units.length };
}

export async function loadCatalog(client: Client, token: string, city: City): Promise<void> {
  for (const c of city.courses) {
    const res = await client.postJson('/api/courses', token, c);
    if (res.status !== 201) throw new Error(`POST /api/courses ${c.code}: ${res.status} ${await res.text()}`);
  }
  for (const r of city.requirements) {
    const res = await client.postJson('/api/requirements', token, r);
    if (res.status !== 201) throw new Error(`POST /api/requirements ${r.code}: ${res.status} ${await res.text()}`);
  }
}

/** The roster: the ended employments first (history), then the 48 000 current ones (timed). */
export async function loadRoster(
  client: Client,
  token: string,
  routes: Routes,
  city: City,
  files: CityFiles,
  dbFile: string,
): Promise<{ history: Step; current: Step }> {
  if (routes.roster) {
    const h = await importFile(client, token, '/api/imports/roster?mode=history', files.rosterHistory);
    const c = await importFile(client, token, '/api/imports/roster?mode=history', files.roster);
    return {
      history: { via: 'http', ms: h.ms, rows: files.rows.rosterHistory, answer: h.answer },
      current: { via: 'http', ms: c.ms, rows: files.rows.roster, answer: c.answer },
    };
  }
  const { ms } = await once(() =>
    direct(dbFile, async (db) => {
      const ids = await insertPeople(
        db,
        city.people.map((p) => ({ employee_number: p.employeeNumber, name: p.name, email: p.email, anonymised_at: null })),
      );
      await insertEmployments(
        db,
        city.employments.map((e) => ({
          person_id: ids.get(city.people[e.person].employeeNumber)!,
          unit_code: e.unit,
          title: e.title,
          employment_type: e.type,
          is_manager: e.manager ? 1 : 0,
          start_date: e.start,
          end_date: e.end,
          import_batch_id: null,
        })),
      );
    }),
  );
  return {
    history: { via: 'direct', ms: 0, rows: files.rows.rosterHistory },
    current: { via: 'direct', ms, rows: city.employments.length },
  };
}

export async function loadCompletions(
  client: Client,
  token: string,
  routes: Routes,
  city: City,
  file: string,
  rows: CompletionRow[],
  dbFile: string,
): Promise<Step> {
  if (routes.completions) {
    const { ms, answer } = await importFile(client, token, '/api/imports/completions', file);
    return { via: 'http', ms, rows: rows.length, answer };
  }
  const { ms } = await once(() =>
    direct(dbFile, async (db) => {
      const people = new Map((await db.selectFrom('person').select(['id', 'employee_number']).execute()).map((p) => [p.employee_number, p.id]));
      const courses = new Map((await db.selectFrom('course').select(['id', 'code']).execute()).map((c) => [c.code, c.id]));
      const at = new Date().toISOString();
      const records: Insertable<CompletionTable>[] = rows.map((c) => ({
        person_id: people.get(city.people[c.person].employeeNumber)!,
        course_id: courses.get(c.course)!,
        status: c.status,
        occurred_at: c.date,
        source: 'import',
        source_ref: 'bench',
        recorded_by: 'BENCH',
        recorded_at: at,
        import_batch_id: null,
      }));
      await insertCompletions(db, records);
    }),
  );
  return { via: 'direct', ms, rows: rows.length };
}

/**
 * The city's exemptions, straight into the database (as a coordinator's POST /api/exemptions
 * would leave them, without the audit entries). Not yet run by `npm run bench`: a run with them
 * is compared with one without (issue 18).
 */
export async function loadExemptions(city: City, dbFile: string): Promise<Step> {
  const { ms } = await once(() =>
    direct(dbFile, async (db) => {
      const people = new Map((await db.selectFrom('person').select(['id', 'employee_number']).execute()).map((p) => [p.employee_number, p.id]));
      const requirements = new Map((await db.selectFrom('requirement').select(['id', 'code']).execute()).map((r) => [r.code, r.id]));
      const at = new Date().toISOString();
      const rows = city.exemptions.map((x) => ({
        person_id: people.get(city.people[x.person].employeeNumber)!,
        requirement_id: requirements.get(x.requirement)!,
        from_date: x.from,
        to_date: x.to,
        reason: x.reason,
        created_by: 'BENCH',
        created_at: at,
        ended_by: null,
        ended_at: null,
      }));
      for (const chunk of chunkRows(rows)) await db.insertInto('exemption').values(chunk).execute();
    }),
  );
  return { via: 'direct', ms, rows: city.exemptions.length };
}

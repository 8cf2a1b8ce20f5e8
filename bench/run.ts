/**
 * `npm run bench` — Kompetenskoll at city scale, measured against its targets.
 *
 *   npm run bench                 Stockholm's size (~48 000 staff, ~300 000 completion records)
 *   npm run bench -- --quick      a small city, to keep the benchmark itself working (CI)
 *   npm run bench -- --scale 4    N times the staff, the completion records and the units (generate.ts `scaledSize`)
 *   npm run bench -- --workers    the city imported through `npm run dev:worker` (R2 + Queue) and Node, figures compared
 *   options: --runs=N  --keep (keep the temp folder)  --cpu-prof (profile the server)
 *
 * Exits 0 when every step ran, whether or not the figures meet their targets (FAIL rows say
 * which do not); non-zero only when something errored.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../server/db/schema.ts';
import { coverage } from '../server/domain/coverage-report.ts';
import { Client } from './client.ts';
import { writeCityFiles } from './files.ts';
import { FULL, generateCity, NOW, QUICK, scaledSize } from './generate.ts';
import { handWrittenCoverage } from './hand-sql.ts';
import { importPhase, rate, ratesOf, referenceRuns, type Rates } from './import-phase.ts';
import { importFile, probeRoutes, type Step } from './load.ts';
import { median, once, repeat, type Timing } from './measure.ts';
import { benchReminders } from './reminders.ts';
import { EVERY } from './reminders-heap.ts';
import { startServer, type ServerUnderTest } from './server.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const keep = args.includes('--keep');
const cpuProf = args.includes('--cpu-prof');
const runsArg = args.find((a) => a.startsWith('--runs='));
const RUNS = runsArg ? Number(runsArg.slice(7)) : quick ? 5 : 60;
const scaleAt = args.findIndex((a) => a === '--scale' || a.startsWith('--scale='));
const SCALE = scaleAt < 0 ? 1 : Number(args[scaleAt].includes('=') ? args[scaleAt].slice(8) : args[scaleAt + 1]);
if (!(SCALE >= 1 && SCALE <= 16)) throw new Error('--scale takes a number from 1 to 16');
const base = quick ? QUICK : FULL;
const size = SCALE > 1 ? scaledSize(base, SCALE) : base;
/** Import-phase peak RSS: 300 MB for the city (issue 21), 400 MB for a larger one. */
const IMPORT_RSS_MB = SCALE > 1 ? 400 : 300;
const LOAD_SECONDS = quick ? 3 : 20;

interface Row {
  what: string;
  figure: string;
  target: string;
  verdict: 'ok' | 'FAIL' | 'n/a' | 'MISMATCH';
}
const rows: Row[] = [];
const notes: string[] = [];

const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
const timingText = (t: Timing) => `median ${ms(t.median)} · p95 ${ms(t.p95)} (n=${t.runs})${t.cpu !== undefined ? ` · server CPU ${ms(t.cpu)}/req` : ''}`;
const verdict = (ok: boolean): Row['verdict'] => (ok ? 'ok' : 'FAIL');
function timed(what: string, t: Timing, targetMs: number, targetText: string) {
  rows.push({ what, figure: timingText(t), target: targetText, verdict: verdict(t.p95 <= targetMs) });
}
function missing(what: string, target: string, why = 'not available (route missing)') {
  rows.push({ what, figure: why, target, verdict: 'n/a' });
}

function log(s: string) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}

async function main() {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'kk-bench-'));
  const dbFile = join(dir, 'kk.db');
  let server: ServerUnderTest | undefined;
  try {
    log(`generating the city (${quick ? 'quick' : 'full'} size${SCALE > 1 ? ` × ${SCALE}` : ''}) in ${dir}`);
    const city = generateCity(size);
    const files = writeCityFiles(city, dir, NOW);
    log(`${city.units.length} unit versions, ${city.people.length} people, ${city.employments.length} employments, ${city.completions.length} completion records`);

    // The city's and the scaled city's import phases in turn, each on a server of its own, for the
    // scaled run below (on a server started after them, as each of theirs was) to be judged with.
    const reference = SCALE > 1 ? await referenceRuns(base, { city, files }, dir, 5, log) : null;

    server = await startServer(dbFile, { cpuProf: cpuProf ? join(dir, 'prof') : undefined });
    let client = new Client(server.url);
    let admin = await client.token('BENCH-ADMIN', [{ role: 'admin' }]);
    const routes = await probeRoutes(client, admin, city.root, NOW);
    log(`routes: ${JSON.stringify(routes)}`);

    // ---- loading (the import phase: its own peak RSS)
    const phase = await importPhase(server, client, admin, routes, city, files, dbFile);
    const { units, roster, completions: comps, exemptions, startRss } = phase;
    const loadPeak = phase.peakMb;
    // Loaded: the 600 000 generated records are not needed again, and would only weigh on this
    // process's garbage collector while it measures.
    city.completions.length = 0;
    city.moreCompletions.length = 0;
    for (const [name, s] of [['units', units], ['roster (ended)', roster.history], ['roster', roster.current], ['completions', comps], ['exemptions', exemptions]] as [string, Step][]) {
      log(`loaded ${name}: ${s.rows} rows via ${s.via} in ${ms(s.ms)}${s.answer ? ` (accepted ${s.answer.rowsAccepted}, rejected ${s.answer.rowsRejected})` : ''}`);
      if (s.answer && s.answer.rowsRejected > 0) notes.push(`${name} import rejected ${s.answer.rowsRejected} rows, first: ${JSON.stringify(s.answer.errors.slice(0, 3))}`);
    }
    const perSecond = (st: Step) => `${Math.round(rate(st)).toLocaleString('en-US')} rows/s`;
    if (roster.current.via === 'http') {
      rows.push({ what: `roster import, ${files.rows.roster} rows csv`, figure: `${ms(roster.current.ms)} (n=1) · ${perSecond(roster.current)}`, target: `≤ ${5 * SCALE} s`, verdict: verdict(roster.current.ms <= 5000 * SCALE) });
    } else {
      missing(`roster import, ${files.rows.roster} rows csv`, '≤ 5 s');
      notes.push(`roster loaded straight into the database (${city.employments.length} employments) in ${ms(roster.current.ms)}`);
    }
    if (comps.via === 'http') {
      rows.push({ what: `completions import, ${files.rows.completions} rows csv`, figure: `${ms(comps.ms)} (n=1) · ${perSecond(comps)}`, target: `≤ ${15 * SCALE} s`, verdict: verdict(comps.ms <= 15_000 * SCALE) });
    } else {
      missing(`completions import, ${files.rows.completions} rows csv`, '≤ 15 s');
      notes.push(`completions loaded straight into the database in ${ms(comps.ms)}`);
    }
    // At a larger scale every scaled run's peak counts, not only this one's.
    const peaks = [loadPeak, ...(reference?.scaled.map((r) => r.peakMb) ?? [])];
    rows.push({
      what: `server peak RSS, import phase (units, ended and current roster csv, completions csv)`,
      figure:
        `${loadPeak.toFixed(0)} MB (${server.rssMb().toFixed(0)} MB after; ${startRss.toFixed(0)} MB at start)` +
        (reference ? `; the other scaled runs ${reference.scaled.map((r) => r.peakMb.toFixed(0)).join(' / ')} MB` : '') +
        ` · units ${perSecond(units)}, ended roster ${perSecond(roster.history)}`,
      target: `≤ ${IMPORT_RSS_MB} MB${reference ? ' (every run)' : ''}`,
      verdict: verdict(Math.max(...peaks) <= IMPORT_RSS_MB),
    });
    if (reference) {
      const scaled = [...reference.scaled, ratesOf(phase)];
      const names: [string, keyof Rates][] = [
        ['units', 'units'],
        ['ended roster', 'rosterHistory'],
        ['roster', 'roster'],
        ['completions', 'completions'],
      ];
      const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
      const of = (runs: Rates[], k: keyof Rates) => runs.map((r) => r[k]);
      const holds = ([, k]: (typeof names)[number]) => median(of(scaled, k)) >= median(of(reference.city, k));
      rows.push({
        what: `import rates at scale ${SCALE} against the city's (medians of ${scaled.length} and ${reference.city.length} runs, taken in turn, each on a server of its own)`,
        figure:
          names
            .map(([name, k]) => `${name} ${fmt(median(of(scaled, k)))} (${of(scaled, k).map(fmt).join(' / ')}; city ${fmt(median(of(reference.city, k)))}: ${of(reference.city, k).map(fmt).join(' / ')})`)
            .join(' · ') + ' rows/s',
        target: "each scaled import's median ≥ the city's median rows/s",
        verdict: verdict(names.every(holds)),
      });
    }
    log(`import phase: server peak RSS ${loadPeak.toFixed(0)} MB; roster ${perSecond(roster.current)}, completions ${perSecond(comps)}`);
    server.resetPeak();

    // ---- what to ask about
    const R = 'VBE-GRUND';
    const dates = ['2019-12-31', '2021-08-31', '2023-04-30', '2024-04-25', NOW];
    const forv = city.forvaltningar.includes('JAR') ? 'JAR' : city.forvaltningar[0];
    const avd = pickDepartment(city, NOW, 200);
    const staff = pickStaff(city, NOW, 20);
    const staffTokens: string[] = [];
    for (const s of staff) staffTokens.push(await client.token(s));

    // ---- read latencies over HTTP, with the server's CPU time per request beside them: on a
    // shared machine the wall-clock figures carry other processes' load, the CPU time much less.
    const srv = server;
    const overHttp = async (runs: number, warmup: number, fn: (i: number) => Promise<unknown>) => {
      const c0 = srv.cpuMs();
      const t = await repeat(runs, warmup, fn);
      return { ...t, cpu: (srv.cpuMs() - c0) / (runs + warmup) };
    };
    log('coverage, city root');
    const root = await client.getJson(`/api/coverage?unit=${city.root}&requirement=${R}&asOf=${NOW}`, admin);
    if (root.children.length !== city.forvaltningar.length) notes.push(`city root has ${root.children.length} children, expected ${city.forvaltningar.length}`);
    const tRoot = await overHttp(RUNS, 2, (i) => client.getJson(`/api/coverage?unit=${city.root}&requirement=${R}&asOf=${dates[i % dates.length]}`, admin));
    timed(`coverage: city root, ${root.children.length} förvaltningar as children, one requirement, any date`, tRoot, 150, '≤ 150 ms');

    log(`coverage, ${forv}`);
    const tForv = await overHttp(RUNS, 2, (i) => client.getJson(`/api/coverage?unit=${forv}&requirement=${R}&asOf=${dates[3 + (i % 2)]}`, admin));
    timed(`coverage: one förvaltning (${forv}) with its children`, tForv, 20, '≤ 20 ms');

    log(`people of ${avd.code}`);
    const people = await client.getJson(`/api/coverage/people?unit=${avd.code}&requirement=${R}&asOf=${NOW}`, admin);
    const tPeople = await overHttp(RUNS, 2, () => client.getJson(`/api/coverage/people?unit=${avd.code}&requirement=${R}&asOf=${NOW}`, admin));
    timed(`people list of an avdelning (${people.people.length} people)`, tPeople, 20, '≤ 20 ms');

    log('me/training');
    const mine = await client.getJson(`/api/me/training?asOf=${NOW}`, staffTokens[0]);
    const tMe = await overHttp(Math.max(RUNS, 100), 5, (i) => client.getJson(`/api/me/training?asOf=${NOW}`, staffTokens[i % staffTokens.length]));
    timed(`me/training (${mine.requirements.length} requirements)`, tMe, 5, '≤ 5 ms');

    log('trend');
    const trendPath = `/api/coverage/trend?unit=${city.root}&requirement=${R}&from=2023-09-01&to=${NOW}&interval=tertial`;
    const trend = await client.getJson(trendPath, admin);
    const tTrend = await overHttp(Math.max(3, Math.round(RUNS / 3)), 1, () => client.getJson(trendPath, admin));
    timed(`trend: city, ${trend.points.length} tertials`, tTrend, 1000, '≤ 1 s');

    // ---- a report to the nämnd (issue 20): publishing freezes a förvaltning's figures, trend
    // and every berörd person's status in one write; opening it asks the same again today.
    log(`publish a report of ${forv}`);
    let lastReport: { id: number; people: number } | undefined;
    const publishOnce = async (i: number) => {
      const res = await client.postJson('/api/reports', admin, { title: `Bench T${i}`, unit: forv, requirements: [R], asOf: NOW });
      const body = await res.json();
      if (res.status !== 201) throw new Error(`POST /api/reports: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
      lastReport = { id: body.id, people: body.figures[0].total.population + body.figures[0].total.exempt };
    };
    const tPublish = await overHttp(quick ? 3 : 5, 1, publishOnce);
    timed(`publish a förvaltning's report (${forv}, ${lastReport!.people} people frozen)`, tPublish, 2000, '≤ 2 s');
    const tOpen = await overHttp(quick ? 3 : 5, 1, () => client.getJson(`/api/reports/${lastReport!.id}`, admin));
    notes.push(`open that report (now and changes): ${timingText(tOpen)}`);

    // ---- the engine against one hand-written query, in the same process on the same file
    log('engine against hand-written SQL');
    const ro = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
    const roDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: ro }) });
    const hand = handWrittenCoverage(ro);
    const vbe = (ro.prepare(`SELECT id FROM course WHERE code = 'VBE-WEB'`).get() as { id: number }).id;
    const req = (ro.prepare(`SELECT id FROM requirement WHERE code = ?`).get(R) as { id: number }).id;
    const mismatches: string[] = [];
    for (const d of dates) {
      const e = (await coverage(roDb, city.root, R, d)).total;
      const h = hand(city.root, vbe, req, d);
      if (e.population !== h.population || e.completed !== h.completed) {
        mismatches.push(`${d}: engine ${e.population}/${e.completed}, hand-written ${h.population}/${h.completed}`);
      }
    }
    const tEngine = await repeat(RUNS, 2, (i) => coverage(roDb, city.root, R, dates[i % dates.length]));
    const tHand = await repeat(RUNS, 2, (i) => hand(city.root, vbe, req, dates[i % dates.length]));
    const ratio = tEngine.median / tHand.median;
    rows.push({
      what: 'city-root coverage: engine / one hand-written SQL query (same file, in process)',
      figure: `${ratio.toFixed(2)} (engine ${ms(tEngine.median)}, hand ${ms(tHand.median)}; p95 ${ms(tEngine.p95)} / ${ms(tHand.p95)})`,
      target: 'ratio ≤ 2',
      verdict: verdict(ratio <= 2),
    });
    rows.push({
      what: 'engine and hand-written query count the same population and completed',
      figure: mismatches.length ? `MISMATCH ${mismatches.join('; ')}` : `equal at ${dates.length} dates (${NOW}: ${root.total.population} berörda, ${root.total.completed} genomförda)`,
      target: 'equal',
      verdict: mismatches.length ? 'MISMATCH' : 'ok',
    });
    await roDb.destroy();

    // The read phase: every read above since the imports, on the same server.
    const readPeak = server.peakMb();
    rows.push({ what: 'server peak RSS, read phase (coverage, people, my-training, trend)', figure: `${readPeak.toFixed(0)} MB`, target: 'reported', verdict: 'n/a' });

    // ---- the export, on a freshly started server: what the imports above left on its heap is
    // not the export's (V8 keeps memory it has used), and the target is the export's own peak.
    let earlierPeak = 0;
    if (routes.export) {
      earlierPeak = server.overallPeakMb();
      await server.stop();
      server = await startServer(dbFile, { cpuProf: cpuProf ? join(dir, 'prof') : undefined });
      client = new Client(server.url);
      admin = await client.token('BENCH-ADMIN', [{ role: 'admin' }]);
      log(`export (server restarted, RSS ${server.rssMb().toFixed(0)} MB)`);
      const samples: number[] = [];
      let peak = 0;
      let bytes = 0;
      for (let i = 0; i < (quick ? 1 : 3); i++) {
        server.resetPeak();
        const r = await once(async () => {
          const res = await client.get(`/api/exports/coverage.xlsx?unit=${city.root}&asOf=${NOW}&people=1&requirement=${R}`, admin);
          const body = await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`export: ${res.status} ${Buffer.from(body).toString().slice(0, 500)}`);
          return body.byteLength;
        });
        samples.push(r.ms);
        bytes = r.value;
        peak = Math.max(peak, server.peakMb());
      }
      const t = (await import('./measure.ts')).summarise(samples);
      rows.push({
        what: `export workbook: the city with Personer, the city-wide ${R} (${root.total.population} people; ${(bytes / 1e6).toFixed(1)} MB xlsx)`,
        figure: `${timingText(t)}, server peak RSS ${peak.toFixed(0)} MB`,
        target: '≤ 5 s, peak RSS ≤ 500 MB',
        verdict: verdict(t.p95 <= 5000 && peak <= 500),
      });
    } else {
      missing('export workbook: the city with Personer', '≤ 5 s, server peak RSS ≤ 500 MB');
    }

    // ---- load
    log(`autocannon: me/training, 50 connections, ${LOAD_SECONDS} s`);
    const meUrl = `${server.url}/api/me/training?asOf=${NOW}`;
    // Many different people, so that nothing kept per person could flatter the figure.
    const loadTokens: string[] = [];
    for (const s of pickStaff(city, NOW, quick ? 50 : 500)) loadTokens.push(await client.token(s));
    let turn = 0;
    const rotating = () => ({
      url: meUrl,
      connections: 50,
      requests: [{ setupRequest: (req: { headers?: Record<string, string> }) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${loadTokens[turn++ % loadTokens.length]}` } }) }],
    });
    const c0 = server.cpuMs();
    const load = await autocannon({ ...rotating(), duration: LOAD_SECONDS });
    const loadCpu = (server.cpuMs() - c0) / Math.max(1, load.requests.total);
    const loadErrors = load.errors + load.timeouts + load.non2xx;
    rows.push({
      what: `HTTP: me/training, 50 connections, ${LOAD_SECONDS} s, ${loadTokens.length} different staff (autocannon)`,
      figure: `${load.requests.average.toFixed(0)} req/s, p99 ${load.latency.p99} ms, ${loadErrors} errors · server CPU ${ms(loadCpu)}/req`,
      target: '≥ 2 000 req/s, p99 ≤ 50 ms, 0 errors',
      verdict: verdict(load.requests.average >= 2000 && load.latency.p99 <= 50 && loadErrors === 0),
    });

    if (routes.completions) {
      // The load runs from the upload until the import's answer, however long that takes: an
      // import that gives way to requests takes longer under load than alone.
      log(`autocannon while a ${files.rows.moreCompletions}-row completions import commits`);
      let finished!: (err: Error | null, r: AutocannonResult) => void;
      const result = new Promise<AutocannonResult>((resolve, reject) => (finished = (err, r) => (err ? reject(err) : resolve(r))));
      // An error reaches the bench's own catch through the promise, not as an uncaught throw.
      const cannon = autocannon({ ...rotating(), duration: 600 }, (err, r) => finished(err, r));
      const imp = await importFile(client, admin, '/api/imports/completions', files.moreCompletions);
      cannon.stop();
      const during = await result;
      const errs = during.errors + during.timeouts + during.non2xx;
      rows.push({
        what: `the same while a ${files.rows.moreCompletions}-row completions import commits (import took ${ms(imp.ms)}, ${imp.answer.rowsAccepted} accepted)`,
        figure: `${during.requests.average.toFixed(0)} req/s, p99 ${during.latency.p99} ms, ${errs} errors`,
        target: '0 errors, p99 ≤ 250 ms',
        verdict: verdict(errs === 0 && during.latency.p99 <= 250),
      });
    } else {
      missing('the same while a completions import commits', '0 errors, p99 ≤ 250 ms');
    }

    // ---- reminders (issue 19): a day's decision for the whole city, and sending to local SMTP
    log('reminders: a day\'s decision for the city, then delivery to a local smtp-server');
    const rem = await benchReminders(client, admin, server, dbFile, NOW, quick ? 200 : 1000);
    rows.push({
      what: `reminders: one day's decision for the whole city, every requirement with a schedule (${rem.decision.messages} messages, ${rem.decision.withoutEmail} without e-mail)`,
      figure: `${ms(rem.decision.ms)} (n=1) · server CPU ${ms(rem.decision.cpuMs)}, server RSS ${rem.decision.rssBeforeMb.toFixed(0)} → peak ${rem.decision.peakMb.toFixed(0)} → after ${rem.decision.rssAfterMb.toFixed(0)} MB`,
      target: '≤ 5 s',
      verdict: verdict(rem.decision.ms <= 5000),
    });
    if (rem.heap) {
      const h = rem.heap;
      notes.push(
        `reminders: the same decision in the bench process (${h.messages} messages in ${h.chunks} chunks), live heap after a full gc at every ${EVERY}th chunk: at most +${h.maxMb.toFixed(1)} MB over its start; the answer (the new messages' views) ${h.answerMb.toFixed(1)} MB at the end; apart from the answer at most +${h.ownMb.toFixed(1)} MB`,
      );
    }
    notes.push(
      `reminders decided for real (${rem.stored.messages} messages composed and written to the outbox) in ${ms(rem.stored.ms)}, server RSS ${rem.stored.rssBeforeMb.toFixed(0)} → peak ${rem.stored.peakMb.toFixed(0)} → after ${rem.stored.rssAfterMb.toFixed(0)} MB`,
    );
    if (rem.sending) {
      rows.push({
        what: `reminders: ${rem.sending.mails} mails from the outbox to a local smtp-server (nodemailer, 4 at a time; ${rem.sending.received} received)`,
        figure: `${rem.sending.perSecond.toFixed(0)} mails/s (${ms(rem.sending.ms)})`,
        target: '≥ 50 mails/s',
        verdict: verdict(rem.sending.perSecond >= 50 && rem.sending.received === rem.sending.mails),
      });
    } else {
      missing('reminders: sending to a local smtp-server', '≥ 50 mails/s', 'no message decided on the bench date');
    }

    // ---- the roster as xlsx: SheetJS reads a workbook whole, so it is measured apart from the
    // CSV imports (a dry run: the same rows are held already).
    {
      server.resetPeak();
      const before = server.rssMb();
      const x = await importFile(client, admin, '/api/imports/roster?mode=history&dryRun=true', files.rosterXlsx);
      rows.push({
        what: `roster as xlsx, ${files.rows.roster} rows, dry run (read and checked, nothing to write)`,
        figure: `${ms(x.ms)} (n=1), server RSS ${before.toFixed(0)} → peak ${server.peakMb().toFixed(0)} MB`,
        target: `≤ ${5 * SCALE} s`,
        verdict: verdict(x.ms <= 5000 * SCALE && x.answer.rowsRejected === 0),
      });
    }

    // ---- the component bundle
    rows.push(bundleRow());

    const dbBytes = [dbFile, `${dbFile}-wal`].reduce((s, f) => s + (existsSync(f) ? statSync(f).size : 0), 0);
    const peakAll = Math.max(earlierPeak, server.overallPeakMb());
    await server.stop();
    server = undefined;

    print(city, files.rows, dbBytes, peakAll, Date.now() - started);
    if (cpuProf) notes.push(`CPU profile(s) of the server in ${join(dir, 'prof')}`);
  } catch (e) {
    if (server) log(`server stderr:\n${server.stderr()}`);
    throw e;
  } finally {
    if (server) await server.stop();
    if (!keep && !cpuProf) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

/** The avdelning whose current head count is nearest `n`. */
function pickDepartment(city: ReturnType<typeof generateCity>, d: string, n: number) {
  const valid = city.units.filter((u) => u.from <= d && (u.to === null || u.to >= d));
  const parent = new Map(valid.map((u) => [u.code, u.parent]));
  const kind = new Map(valid.map((u) => [u.code, u.kind]));
  const heads = new Map<string, Set<number>>();
  for (const e of city.employments) {
    if (e.start > d || (e.end !== null && e.end < d) || e.type === 'timavlonad') continue;
    let u: string | null | undefined = e.unit;
    while (u && kind.get(u) !== 'avdelning') u = parent.get(u);
    if (!u) continue;
    if (!heads.has(u)) heads.set(u, new Set());
    heads.get(u)!.add(e.person);
  }
  let best = { code: '', count: -1 };
  for (const [code, s] of [...heads].sort(([a], [b]) => a.localeCompare(b))) {
    if (best.count < 0 || Math.abs(s.size - n) < Math.abs(best.count - n)) best = { code, count: s.size };
  }
  return best;
}

/** Employee numbers of `n` people employed at D, spread over the roster. */
function pickStaff(city: ReturnType<typeof generateCity>, d: string, n: number): string[] {
  const current = city.employments.filter((e) => e.start <= d && (e.end === null || e.end >= d));
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(city.people[current[Math.floor((i * current.length) / n)].person].employeeNumber);
  return out;
}

function bundleRow(): Row {
  // Written by the web build: the bundle with the chunks it imports at once, and the tools' chunks.
  const file = 'dist/web/bundle-size.json';
  if (existsSync('web-components/index.ts')) {
    const r = spawnSync('npm', ['run', '--silent', 'build:web'], { stdio: 'ignore' });
    if (r.status !== 0) notes.push('npm run build:web failed');
  }
  const what = 'web-component bundle (gzip): what the script tag loads; the coordinators\' tools on use';
  if (!existsSync(file)) return { what, figure: 'not built', target: '≤ 40 KB gzip', verdict: 'n/a' };
  const size = JSON.parse(readFileSync(file, 'utf8')) as { eagerGzip: number; eagerRaw: number; onUseGzip: number };
  const kb = size.eagerGzip / 1024;
  return {
    what,
    figure: `${kb.toFixed(1)} KB (${(size.eagerRaw / 1024).toFixed(0)} KB raw); tools ${(size.onUseGzip / 1024).toFixed(1)} KB more`,
    target: '≤ 40 KB gzip',
    verdict: verdict(kb <= 40),
  };
}

function print(city: ReturnType<typeof generateCity>, fileRows: Record<string, number>, dbBytes: number, peakMb: number, elapsed: number) {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const out: string[] = [];
  out.push('');
  out.push(`Kompetenskoll benchmark (${quick ? 'quick' : 'full'}${SCALE > 1 ? `, scale ${SCALE}` : ''}), ${new Date().toISOString()}`);
  out.push(`machine: ${cpus().length} cores, ${cpu}, node ${process.version}`);
  out.push(
    `city: ${city.units.length} unit versions (${city.units.filter((u) => u.to === null).length} current), ${city.forvaltningar.length} förvaltningar, ` +
      `${city.people.length} people, ${city.employments.length} employments (${fileRows.roster} current), ${fileRows.completions}+${fileRows.moreCompletions} completion records, ` +
      `${city.requirements.length} requirements`,
  );
  out.push('');
  const w = [Math.max(4, ...rows.map((r) => r.what.length)), Math.max(6, ...rows.map((r) => r.figure.length)), Math.max(6, ...rows.map((r) => r.target.length))];
  const line = (a: string, b: string, c: string, d: string) => `| ${a.padEnd(w[0])} | ${b.padEnd(w[1])} | ${c.padEnd(w[2])} | ${d.padEnd(8)} |`;
  out.push(line('what', 'figure', 'target', 'holds'));
  out.push(`|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|${'-'.repeat(w[2] + 2)}|${'-'.repeat(10)}|`);
  for (const r of rows) out.push(line(r.what, r.figure, r.target, r.verdict));
  if (SCALE > 1) out.push(`(at --scale ${SCALE} the targets are the city's; only the import phase's memory and rates are set for a larger city)`);
  out.push('');
  out.push(`database file: ${(dbBytes / 1e6).toFixed(1)} MB (with WAL)`);
  out.push(`server peak RSS: ${peakMb.toFixed(0)} MB`);
  for (const n of notes) out.push(`note: ${n}`);
  out.push(`ran in ${(elapsed / 1000).toFixed(0)} s`);
  console.log(out.join('\n'));
}

// `--workers`: the city through `npm run dev:worker` beside Node, figures compared (bench/workers.ts).
(args.includes('--workers') ? import('./workers.ts').then(async (w) => process.exit(await w.benchWorkers(size, quick, keep))) : main()).catch((e: Error) => {
  console.error(`bench failed: ${e.stack ?? e.message}${e.cause ? `\ncause: ${String((e.cause as Error).stack ?? e.cause)}` : ""}`);
  process.exit(1);
});

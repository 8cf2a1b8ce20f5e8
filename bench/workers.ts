/**
 * `npm run bench -- --workers [--quick] [--scale N]` — the bench city imported through `npm run dev:worker`
 * (wrangler dev: workerd with local D1, R2 and Queues) and through the Node server, from the same
 * CSV files; then the city root's coverage figures of every requirement on several dates, compared.
 *
 * The roster (current and ended employments) and the completions go as CSV: over
 * KK_STREAM_IMPORT_MB (4) they answer 202 and are imported by the queue consumer, polled on
 * GET /api/imports/:id. Exits non-zero when an import fails or a figure differs.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from './client.ts';
import { writeCityFiles } from './files.ts';
import { generateCity, NOW, type City, type Size } from './generate.ts';
import { loadCatalog } from './load.ts';
import { startDevWorker, type DevWorker } from './dev-worker.ts';
import { startServer } from './server.ts';

function log(s: string) {
  process.stderr.write(`[bench:workers ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
}
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (file: string) => `${(statSync(file).size / 1024 / 1024).toFixed(1)} MB`;

interface Imported {
  what: string;
  ms: number;
  status: number;
  batch: any;
}

async function poll(client: Client, path: string, token: string): Promise<any> {
  for (let tries = 1; ; tries++) {
    try {
      const res = await fetch(`${client.url}${path}`, { headers: { authorization: `Bearer ${token}`, connection: 'close' }, signal: AbortSignal.timeout(30_000) });
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
      return await res.json();
    } catch (e) {
      if (tries >= 5) throw e;
      log(`  GET ${path}: ${(e as Error).message}, again`);
    }
  }
}

/** Uploads a file; a 202 is polled on GET /api/imports/:id until it commits or fails. */
async function importInto(client: Client, token: string, path: string, file: string, what: string): Promise<Imported> {
  const t0 = Date.now();
  const res = await client.upload(path, token, file);
  const text = await res.text();
  if (res.status !== 200 && res.status !== 202) throw new Error(`${what}: POST ${path}: ${res.status} ${text.slice(0, 800)}`);
  const answer = JSON.parse(text);
  if (res.status === 200) return { what, ms: Date.now() - t0, status: 200, batch: answer };
  let last = '';
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    // fetch with a timeout, not the kept-alive socket of getJson: under wrangler dev a GET sent
    // while the queue consumer held the isolate was seen to hang on its pooled connection.
    const batch = await poll(client, `/api/imports/${answer.batchId}`, token);
    const p = batch.progress;
    const line = `${p.state} ${p.slicesDone}/${p.slices} slices, ${p.rowsDone} rows`;
    if (line !== last) log(`  ${what}: ${line}`);
    last = line;
    if (p.state === 'committed') return { what, ms: Date.now() - t0, status: 202, batch };
    if (p.state === 'failed') throw new Error(`${what}: import ${answer.batchId} failed: ${JSON.stringify(p.problem)}`);
  }
}

async function importCity(url: string, city: City, files: { units: string; ended: string; current: string; completions: string }): Promise<{ imports: Imported[]; client: Client; token: string }> {
  const client = new Client(url);
  const token = await client.token('BENCH-ADMIN', [{ role: 'admin' }]);
  const imports: Imported[] = [];
  imports.push(await importInto(client, token, '/api/imports/units', files.units, 'units'));
  await loadCatalog(client, token, city);
  imports.push(await importInto(client, token, '/api/imports/roster?mode=history', files.ended, 'roster (ended)'));
  imports.push(await importInto(client, token, '/api/imports/roster?mode=history', files.current, 'roster'));
  imports.push(await importInto(client, token, '/api/imports/completions', files.completions, 'completions'));
  return { imports, client, token };
}

/** Every requirement's figures at the city root on these dates, with the förvaltningar below it. */
async function figures(client: Client, token: string, city: City, dates: string[]) {
  const out: Record<string, unknown> = {};
  for (const r of city.requirements) {
    for (const d of dates) {
      const a = await client.getJson(`/api/coverage?unit=${city.root}&requirement=${r.code}&asOf=${d}`, token);
      out[`${r.code} ${d}`] = { total: a.total, children: a.children.map((c: any) => ({ unit: c.unit.code, ...c })) };
    }
  }
  return out;
}

export async function benchWorkers(size: Size, quick: boolean, keep: boolean): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'kk-bench-workers-'));
  let worker: DevWorker | undefined;
  let node: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    log(`generating the city (${quick ? 'quick' : 'full'}) in ${dir}`);
    const city = generateCity(size);
    const written = writeCityFiles(city, dir, NOW);
    const files = { units: written.units, ended: written.rosterHistory, current: written.roster, completions: written.completions };
    log(`files: units ${mb(files.units)}, roster (ended) ${mb(files.ended)}, roster ${mb(files.current)}, completions ${mb(files.completions)} (${written.rows.completions} rows)`);
    const dates = ['2019-12-31', '2023-04-30', NOW];

    log('starting npm run dev:worker');
    // The quick city's files are under 4 MB: a lower threshold and smaller slices still send them through R2 and the queue.
    worker = await startDevWorker(join(dir, 'wrangler-state'), quick ? ['KK_STREAM_IMPORT_MB:0.2', 'KK_IMPORT_SLICE_ROWS:2000'] : []);
    log(`importing into the Worker at ${worker.url}`);
    const w = await importCity(worker.url, city, files);
    for (const i of w.imports) log(`Worker: ${i.what} ${i.status} in ${secs(i.ms)}: rows ${i.batch.rowsTotal}, accepted ${i.batch.rowsAccepted}, rejected ${i.batch.rowsRejected}, changes ${JSON.stringify(i.batch.changes)}`);
    const wf = await figures(w.client, w.token, city, dates);

    log('starting the Node server');
    node = await startServer(join(dir, 'kk.db'));
    const n = await importCity(node.url, city, files);
    for (const i of n.imports) log(`Node:   ${i.what} ${i.status} in ${secs(i.ms)}: rows ${i.batch.rowsTotal}, accepted ${i.batch.rowsAccepted}, rejected ${i.batch.rowsRejected}, changes ${JSON.stringify(i.batch.changes)}`);
    const nf = await figures(n.client, n.token, city, dates);

    let differ = 0;
    for (const k of Object.keys(nf)) {
      const same = JSON.stringify(nf[k]) === JSON.stringify(wf[k]);
      if (!same) differ++;
      const t = (nf[k] as any).total;
      log(`${same ? 'equal' : 'DIFFERENT'}  ${k}: population ${t.population}, completed ${t.completed}, started ${t.started}${same ? '' : ` — Worker: ${JSON.stringify((wf[k] as any).total)}`}`);
    }
    const counts = (xs: Imported[]) => xs.map((i) => [i.what, i.batch.rowsAccepted, i.batch.rowsRejected, JSON.stringify(i.batch.changes)].join(' ')).join(' | ');
    const sameImports = counts(n.imports) === counts(w.imports);
    console.log('\n| import | Worker (dev:worker) | Node | same answer |\n| --- | ---: | ---: | --- |');
    for (let k = 0; k < w.imports.length; k++) {
      const a = w.imports[k];
      const b = n.imports[k];
      console.log(`| ${a.what} (${a.batch.rowsTotal} rows) | ${secs(a.ms)}${a.status === 202 ? ' (202, queued)' : ''} | ${secs(b.ms)} | ${JSON.stringify(a.batch.changes) === JSON.stringify(b.batch.changes) && a.batch.rowsAccepted === b.batch.rowsAccepted ? 'yes' : 'NO'} |`);
    }
    console.log(`\nCity root, ${city.requirements.length} requirements × ${dates.length} dates (totals and every förvaltning): ${differ === 0 ? 'all equal' : `${differ} DIFFERENT`}; import answers ${sameImports ? 'equal' : 'DIFFERENT'}.`);
    return differ === 0 && sameImports ? 0 : 1;
  } finally {
    await node?.stop();
    await worker?.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

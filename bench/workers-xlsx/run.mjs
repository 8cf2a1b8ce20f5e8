// How large a spreadsheet can a Worker parse? `node bench/workers-xlsx/run.mjs <dir>`
// with roster-<rows>.xlsx files from make.mjs. For each file:
//  - workerd (wrangler dev): upload, parse with SheetJS, then read the isolate's heap through the
//    inspector right after the request, the workbook and rows still held (no GC in between);
//  - Node with the V8 heap capped at 128 MB: does the same parse finish?
// Local workerd does not enforce the 128 MB limit of deployed Workers, hence the second check.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// `ws` comes with wrangler (miniflare); Node 20's WebSocket cannot send the Origin header the
// inspector proxy asks for.
import WebSocket from 'ws';

const dir = process.argv[2];
const port = 8797, inspector = 9239;
const files = readdirSync(dir).filter((f) => /^roster-\d+\.xlsx$/.test(f)).sort((a, b) => parseInt(a.slice(7)) - parseInt(b.slice(7)));
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const here = new URL('.', import.meta.url).pathname;
const dev = spawn('npx', ['--no-install', 'wrangler', 'dev', '--config', join(here, 'wrangler.toml'), '--port', String(port), '--inspector-port', String(inspector)], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
dev.stdout.on('data', (d) => (log += d));
dev.stderr.on('data', (d) => (log += d));
const stop = () => { try { process.kill(-dev.pid, 'SIGTERM'); } catch {} };
process.on('exit', stop);
for (let i = 0; i < 120 && !log.includes('Ready on'); i++) await new Promise((r) => setTimeout(r, 500));

async function heap() {
  // The proxy attaches to the runtime's inspector once a client has listed the targets.
  await fetch(`http://127.0.0.1:${inspector}/json`);
  const ws = new WebSocket(`ws://127.0.0.1:${inspector}/ws`, { headers: { Origin: 'http://localhost' } });
  await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); setTimeout(() => j(new Error('inspector did not answer')), 30_000); });
  let id = 0;
  const call = (method) => new Promise((resolve) => {
    const my = ++id;
    ws.on('message', function on(data) { const m = JSON.parse(data); if (m.id === my) { ws.off('message', on); resolve(m.result); } });
    ws.send(JSON.stringify({ id: my, method }));
  });
  // (HeapProfiler.collectGarbage gets no answer from workerd's inspector: no GC before reading.)
  const u = await call('Runtime.getHeapUsage');
  ws.close();
  return u;
}

const MB = (n) => Math.round(n / 2 ** 20);
console.log('| rows | file MB | workerd: parse ms | workerd: JS heap committed MB | workerd: JS heap in use MB | workerd: ArrayBuffers MB | Node, V8 heap capped at 128 MB |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const f of files) {
  console.error(`… ${f}`);
  const bytes = readFileSync(join(dir, f));
  let w = 'failed';
  let held = ' | | ';
  try {
    const res = await fetch(`http://127.0.0.1:${port}/parse`, { method: 'POST', body: bytes });
    if (res.ok) {
      const j = await res.json();
      w = String(j.ms);
      const u = await heap();
      held = `${MB(u.totalSize)} | ${MB(u.usedSize)} | ${MB(u.backingStorageSize)}`;
    } else w = `HTTP ${res.status}`;
  } catch (e) { w = `error: ${e.message}`; }
  await fetch(`http://127.0.0.1:${port}/drop`).catch(() => {});
  const n = spawnSync(process.execPath, ['--max-old-space-size=128', join(here, 'parse-node.mjs'), join(dir, f)], { encoding: 'utf8' });
  const node = n.status === 0 ? `ok (heap ${JSON.parse(n.stdout).heapUsedMB} MB)` : 'out of memory';
  console.log(`| ${parseInt(f.slice(7))} | ${(bytes.length / 1e6).toFixed(1)} | ${w} | ${held} | ${node} |`);
}
stop();
process.exit(0);

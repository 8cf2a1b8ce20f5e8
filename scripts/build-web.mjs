// Builds the component bundle and the demo page into dist/web (never committed): one minified ESM
// entry (plus chunks for the coordinators' tools) with Lit in it once, the demo page's own script, and custom-elements.json.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const out = 'dist/web';
const BUDGET_GZIP = 40 * 1024;
mkdirSync(out, { recursive: true });

const common = { bundle: true, format: 'esm', target: 'es2022', minify: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };
// Split: the coordinators' tools are chunks the bundle loads where a page uses them (on-use.ts).
const result = await build({
  ...common,
  entryPoints: { kompetenskoll: 'web-components/index.ts' },
  outdir: out,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  metafile: true,
});
// The spreadsheet library belongs on the server only (~150 KB gzip in a browser).
const inputs = Object.keys(result.metafile.inputs);
const sheet = inputs.filter((i) => /node_modules\/(xlsx|@e965)\//.test(i));
if (sheet.length) {
  console.error(`build-web: SheetJS must not be in the bundle (${sheet[0]})`);
  process.exit(1);
}
// Lit once: two copies would double the size and break instanceof checks between elements.
const litCopies = inputs.filter((i) => /node_modules\/(.+\/)?lit-html\/lit-html\.js$/.test(i));
if (litCopies.length !== 1) {
  console.error(`build-web: expected Lit once in the bundle, found ${litCopies.length}`);
  process.exit(1);
}

// The demo page's script is bundled apart; it only answers events, so it carries no Lit.
// report.html hosts one report's printable page (kk-reports view="print") the same way.
await build({ ...common, entryPoints: { demo: 'web-components/demo/demo.ts', report: 'web-components/demo/report.ts' }, outdir: out });
for (const f of ['index.html', 'report.html', 'demo.css', 'favicon.svg', 'tillganglighet.html', 'accessibility.html']) cpSync(`web-components/demo/${f}`, `${out}/${f}`);
rmSync(`${out}/demo.ts`, { force: true });

// The API reference page (/api/docs) loads swagger-ui from here, same-origin: no CDN.
mkdirSync(`${out}/api-docs`, { recursive: true });
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css']) cpSync(`node_modules/swagger-ui-dist/${f}`, `${out}/api-docs/${f}`);
cpSync('web-components/api-docs/init.js', `${out}/api-docs/init.js`);

// The budget is what the one script tag downloads before any coordinator's tool is on the page:
// the bundle and the chunks it imports statically. The tools' chunks are listed beside it.
const outputs = result.metafile.outputs;
const gzOf = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const eager = new Set();
const walk = (f) => {
  if (eager.has(f)) return;
  eager.add(f);
  for (const i of outputs[f].imports) if (i.kind === 'import-statement' && outputs[i.path]) walk(i.path);
};
walk(`${out}/kompetenskoll.js`);
const scripts = Object.keys(outputs).filter((f) => f.endsWith('.js'));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const sum = (files) => files.reduce((a, f) => a + gzOf(f), 0);
const eagerGz = sum([...eager]);
const eagerRaw = [...eager].reduce((a, f) => a + readFileSync(f).length, 0);
const lazy = scripts.filter((f) => !eager.has(f));
console.log(`build-web: ${out}/kompetenskoll.js with its static chunks ${kb(eagerRaw)} minified, ${kb(eagerGz)} gzip (budget ${kb(BUDGET_GZIP)})`);
for (const f of lazy) console.log(`build-web:   on use: ${f} ${kb(gzOf(f))} gzip`);
writeFileSync(`${out}/bundle-size.json`, JSON.stringify({ eagerGzip: eagerGz, eagerRaw, onUseGzip: sum(lazy) }));
if (eagerGz > BUDGET_GZIP) {
  console.error('build-web: the bundle is over its gzip budget.');
  process.exit(1);
}

// The manifest for editors and docs tools, from the JSDoc on each element.
const cem = spawnSync('npx', ['--no-install', 'cem', 'analyze', '--litelement', '--globs', 'web-components/kk-*.ts', '--outdir', out, '--quiet'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (cem.status !== 0 || !existsSync(`${out}/custom-elements.json`)) {
  console.error('build-web: custom-elements.json was not generated.');
  process.exit(1);
}
console.log(`build-web: ${out}/custom-elements.json`);

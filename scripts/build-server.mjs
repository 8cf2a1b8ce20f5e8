// Builds the Node server into dist/server (never committed): server/node.ts as one ESM file with
// its packages left in node_modules, and server/start.ts (npm start's demo defaults) beside it.
// Run through tsx, the server carried tsx's loader thread and esbuild's transforms: ~60 MB of RSS
// at rest (docs/performance.md). dist/server is two levels deep like server/db, so the migrations'
// `new URL('../../sql/', import.meta.url)` finds sql/ from either.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning', legalComments: 'none' };
await build({ ...common, entryPoints: { node: 'server/node.ts' }, outdir: 'dist/server', outExtension: { '.js': '.mjs' } });
// start.ts imports node.ts: the built node.mjs, not a second copy of the server inlined.
const nodeBeside = {
  name: 'node-beside',
  setup(b) {
    b.onResolve({ filter: /^\.\/node\.ts$/ }, () => ({ path: './node.mjs', external: true }));
  },
};
await build({ ...common, entryPoints: { start: 'server/start.ts' }, outdir: 'dist/server', outExtension: { '.js': '.mjs' }, plugins: [nodeBeside] });

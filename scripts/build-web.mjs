// Builds the component bundle and the demo page into dist/web (never committed).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';

const out = 'dist/web';
mkdirSync(out, { recursive: true });
if (existsSync('web-components/index.ts')) {
  await build({
    entryPoints: { kompetenskoll: 'web-components/index.ts' },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    outdir: out,
    logLevel: 'warning',
  });
}
cpSync('web-components/demo', out, { recursive: true });

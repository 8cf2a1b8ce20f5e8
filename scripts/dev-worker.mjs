// `npm run dev:worker -- [wrangler dev options]`: builds the components, applies the migrations
// in sql/ to the local D1 (.wrangler/state), then runs `wrangler dev` with the given options,
// e.g. `npm run dev:worker -- --port 8788 --var KK_AUTH:dev`.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const env = { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', ...process.env };
const wrangler = (args, opts = {}) => ['npx', ['--no-install', 'wrangler', ...args], { stdio: 'inherit', env, ...opts }];

const step = (cmd, args, opts) => {
  const r = spawnSync(cmd, args, opts);
  if (r.status !== 0) process.exit(r.status ?? 1);
};
// KK_WEB_BUILT=1 (a test beside others that read dist/web): the components as already built, not
// rewritten under the other tests' feet.
if (!(process.env.KK_WEB_BUILT === '1' && existsSync('dist/web/kompetenskoll.js'))) step('node', ['scripts/build-web.mjs'], { stdio: 'inherit' });
// `--persist-to <dir>` (local state elsewhere than .wrangler/state) applies to the migrations too.
const at = process.argv.indexOf('--persist-to');
const persist = at > 0 && process.argv[at + 1] ? ['--persist-to', process.argv[at + 1]] : [];
step(...wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist], { env: { ...env, CI: 'true' } }));

const dev = spawn(...wrangler(['dev', ...process.argv.slice(2)]));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => dev.kill(signal));
dev.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

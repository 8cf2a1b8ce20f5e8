import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Two projects, one suite: everything runs on Node; the API tests (test/api/) run again inside
 * workerd against a local D1, where the test harness module is swapped for its Workers twin.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workers/**', 'node_modules/**'],
          pool: 'forks',
        },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest(async () => {
            // wrangler.toml's [assets] directory must exist even where the bundle is not built.
            mkdirSync(here('./dist/web'), { recursive: true });
            return {
              wrangler: { configPath: here('./wrangler.toml') },
              miniflare: {
                // The deploy's vars are not the tests': every harness passes its own config.
                bindings: { TEST_MIGRATIONS: await readD1Migrations(here('./sql')) },
              },
            };
          }),
        ],
        resolve: {
          // Any import of test/support/harness(.ts) gets the workerd + D1 harness instead.
          alias: [{ find: /^(\.{1,2}\/)+(test\/)?support\/harness(\.ts)?$/, replacement: here('./test/support/harness-workers.ts') }],
        },
        test: {
          name: 'workers',
          // Only the runtime-neutral API tests; test/node/** and test/web/** are Node/browser-only.
          include: ['test/api/**/*.test.ts', 'test/workers/**/*.test.ts'],
          // A real smtp-server in this process for worker-mailer to reach from workerd.
          globalSetup: [here('./test/workers/smtp-global-setup.ts')],
        },
      },
    ],
  },
});

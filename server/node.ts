import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.ts';
import { devTokens, oidcTokens } from './auth/tokens.ts';
import { readConfig } from './config.ts';
import { sqliteAtomic } from './db/atomic.ts';
import { openSqlite } from './db/sqlite.ts';
import { seedDemo } from './demo/seed.ts';

/** Node entry: better-sqlite3 (WAL) with migrations, the app, and the built components as static files. */
export async function startNode(env: Record<string, string | undefined> = process.env) {
  const config = readConfig(env);
  const handle = openSqlite(config.dbFile);
  if (config.demo && (await seedDemo(handle.db))) console.log('Demodata skapad (demo data seeded).');
  const dev = config.auth === 'dev' ? devTokens(config.devSecret) : undefined;
  const auth = dev ?? oidcTokens({ ...config.oidc, issuer: config.oidc.issuer!, audience: config.oidc.audience!, jwksUrl: config.oidc.jwksUrl! });
  const app = createApp({ db: handle.db, atomic: sqliteAtomic(handle.db), config, auth, devTokens: dev });
  app.use('/*', serveStatic({ root: './dist/web' }));

  const server = serve({ fetch: app.fetch, port: config.port });
  const url = `http://localhost:${config.port}`;
  console.log(`Kompetenskoll: ${url}  (database ${config.dbFile}, sign-in ${config.auth})`);
  if (dev) {
    console.log(
      `Token (dev): curl -s -X POST ${url}/api/dev/token -H 'content-type: application/json' -d '{"employeeNumber":"100007","roles":[{"role":"admin"}]}'`,
    );
  }
  const stop = () => {
    // Finish requests in flight, then close the database cleanly.
    server.close(() => {
      void handle.close().then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return { server, handle, app };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  startNode().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}

// `npm run retention`: anonymises people whose last employment ended more than KK_RETENTION_YEARS
// (default 5) ago. Safe to run while the server runs (one short write transaction) and to repeat.
import { readConfig } from '../config.ts';
import { sqliteAtomic } from '../db/atomic.ts';
import { openSqlite } from '../db/sqlite.ts';
import { todayInStockholm } from '../domain/calendar.ts';
import { anonymiseExpired } from '../domain/retention.ts';

const config = readConfig({ KK_AUTH: 'dev', ...process.env });
const handle = openSqlite(config.dbFile);
try {
  const r = await anonymiseExpired(handle.db, sqliteAtomic(handle.db), todayInStockholm(), config.retentionYears);
  console.log(JSON.stringify({ level: 'info', at: new Date().toISOString(), job: 'retention', years: config.retentionYears, cutoff: r.cutoff, anonymised: r.anonymised, expired: r.expired }));
} finally {
  await handle.close();
}

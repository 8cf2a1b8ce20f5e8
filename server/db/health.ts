import { sql } from 'kysely';
import { MIGRATION_NAMES } from './migration-names.ts';
import type { Db } from './schema.ts';

export interface Readiness {
  database: 'ok' | 'unavailable';
  migrations: 'current' | 'pending' | 'unknown';
  /** Expected migrations the database has not recorded. */
  pending: string[];
}

/** Whether the database answers and has every migration this build expects. */
export async function readiness(db: Db, expected: readonly string[] = MIGRATION_NAMES): Promise<Readiness> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch {
    return { database: 'unavailable', migrations: 'unknown', pending: [] };
  }
  try {
    const rows = await db.selectFrom('d1_migrations').select('name').execute();
    // wrangler records "0001_init.sql", the Node runner "0001_init".
    const applied = new Set(rows.map((r) => r.name.replace(/\.sql$/, '')));
    const pending = expected.filter((n) => !applied.has(n));
    return { database: 'ok', migrations: pending.length ? 'pending' : 'current', pending };
  } catch {
    return { database: 'ok', migrations: 'unknown', pending: [...expected] };
  }
}

import type { D1Database } from '@cloudflare/workers-types';
import { Kysely, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { D1Dialect } from 'kysely-d1';
import type { Database } from './schema.ts';

/**
 * kysely-d1 0.4.0 still reports the pre-0.23 `numUpdatedOrDeletedRows` beside `numAffectedRows`,
 * which makes Kysely print an "outdated driver" warning into the Worker's logs; drop the old field.
 */
class D1DialectCurrent extends D1Dialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    driver.acquireConnection = async (): Promise<DatabaseConnection> => {
      const conn = await acquire();
      return {
        async executeQuery<R>(q: Parameters<DatabaseConnection['executeQuery']>[0]): Promise<QueryResult<R>> {
          const { numUpdatedOrDeletedRows: _, ...result } = (await conn.executeQuery<R>(q)) as QueryResult<R> & { numUpdatedOrDeletedRows?: bigint };
          return result;
        },
        streamQuery: conn.streamQuery.bind(conn),
      };
    };
    return driver;
  }
}

/** Kysely over a D1 binding (the Worker's `env.DB`, or the tests' local D1). */
export function openD1(database: D1Database, opts: { onQuery?: (sql: string) => void } = {}): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new D1DialectCurrent({ database }),
    log: opts.onQuery ? (e) => opts.onQuery!(e.query.sql) : undefined,
  });
}

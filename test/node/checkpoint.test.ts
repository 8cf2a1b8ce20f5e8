import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sqliteAtomic } from '../../server/db/atomic.ts';
import { openSqlite } from '../../server/db/sqlite.ts';

// The writer never checkpoints inside a COMMIT (that stalled every request for ~170 ms after a
// 300 000-row import); a worker thread does, with its own connection.

it('leaves checkpoints to a worker: a large commit reaches the database file, and closing leaves no WAL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kk-checkpoint-'));
  const file = join(dir, 'kk.db');
  const handle = openSqlite(file);
  try {
    expect(handle.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(file).size;
    // 60 000 people with their two indexes: some 8 MB of pages, past the 4 MB (1000 pages) at
    // which SQLite checkpoints by itself.
    const people = Array.from({ length: 60_000 }, (_, i) => ({ employee_number: `E${100000 + i}`, name: `Person Nummer ${i}`, email: `person.nummer.${i}@stad.example`, anonymised_at: null }));
    const statements = [];
    for (let i = 0; i < people.length; i += 25) statements.push(handle.db.insertInto('person').values(people.slice(i, i + 25)).compile());
    await sqliteAtomic(handle.db)(statements);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(4_096_000);
    // Until the worker has copied the pages over, they are in the WAL only.
    for (let waited = 0; statSync(file).size < before + 4_096_000 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(statSync(file).size).toBeGreaterThan(before + 4_096_000);
    expect(await handle.db.selectFrom('person').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 60_000 });
  } finally {
    await handle.close();
  }
  // The last connection closed checkpointed what was left and removed the WAL, as before.
  expect(existsSync(`${file}-wal`)).toBe(false);
  rmSync(dir, { recursive: true, force: true });
});

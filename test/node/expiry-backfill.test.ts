import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../server/db/migrate.ts';
import { expiresOn } from '../../server/domain/expiry.ts';

// sql/0007_completion_expiry.sql fills completion.expires_on for the rows written before it, in SQL
// (D1 runs only SQL migrations). It must give exactly what expiry.ts gives every writer since:
// checked for a completion on every day of 2019–2025 (leap years, month ends) at five validities.

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the expiry backfill of migration 0007', () => {
  it('gives every completion written before it the expiry expiry.ts gives, and none to the rest', () => {
    dir = mkdtempSync(join(tmpdir(), 'kk-exp-'));
    const db = new BetterSqlite3(join(dir, 'kk.db'));
    const all = readMigrations();
    const at = all.findIndex((m) => m.name === '0007_completion_expiry');
    expect(at).toBeGreaterThan(0);
    migrate(db, all.slice(0, at));
    const validities = [null, 1, 6, 12, 24, 36];
    db.prepare(`INSERT INTO person (id, employee_number, name) VALUES (1, 'P1', 'Ett')`).run();
    const course = db.prepare(`INSERT INTO course (id, code, title_sv, kind, validity_months, created_at, updated_at) VALUES (?, ?, ?, 'web', ?, 'x', 'x')`);
    validities.forEach((v, i) => course.run(i + 1, `K${i}`, `K${i}`, v));
    const insert = db.prepare(
      `INSERT INTO completion (person_id, course_id, status, occurred_at, source, recorded_at) VALUES (1, ?, ?, ?, 'import', 'x')`,
    );
    const expected: (string | null)[] = [];
    db.transaction(() => {
      for (let t = Date.UTC(2019, 0, 1); t <= Date.UTC(2025, 11, 31); t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        validities.forEach((v, i) => {
          // A time of day on some, as the imports store them; a started record never expires.
          const occurred = i % 2 ? `${day}T23:59:59` : day;
          const status = t % (7 * 86_400_000) === 0 && i === 2 ? 'started' : 'completed';
          insert.run(i + 1, status, occurred);
          expected.push(expiresOn(status, occurred, v));
        });
      }
    })();
    migrate(db, all.slice(0, at + 1));
    const got = (db.prepare('SELECT expires_on FROM completion ORDER BY id').all() as { expires_on: string | null }[]).map((r) => r.expires_on);
    expect(got.length).toBe(expected.length);
    expect(got).toEqual(expected);
    // The hand-worked edges of DESIGN.md rule 4.
    expect(expiresOn('completed', '2022-01-31', 1)).toBe('2022-02-28');
    expect(expiresOn('completed', '2023-12-31T10:00:00', 2)).toBe('2024-02-29');
    expect(got.filter((x) => x === null).length).toBeGreaterThan(2557);
    db.close();
  });
});

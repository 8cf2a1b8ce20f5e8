import type BetterSqlite3 from 'better-sqlite3';
import { addDays } from '../server/domain/calendar.ts';

/**
 * The yardstick for the engine: one query written by hand for one requirement whose scope is the
 * city root itself, filtered to permanent and fixed-term staff, on a course that never expires.
 * Same definitions as docs/coverage-rules.md, rules 1, 2 and 4: distinct persons with an employment active at D
 * in the tree valid at D and no exemption from the requirement on D, of whom those with a
 * completed, not annulled record on or before D.
 */
export function handWrittenCoverage(sqlite: BetterSqlite3.Database) {
  const stmt = sqlite.prepare(`
    WITH RECURSIVE tree(code) AS (
      SELECT code FROM org_unit WHERE code = @root AND valid_from <= @d AND (valid_to IS NULL OR valid_to >= @d)
      UNION
      SELECT c.code FROM org_unit c JOIN tree t ON c.parent_code = t.code
      WHERE c.valid_from <= @d AND (c.valid_to IS NULL OR c.valid_to >= @d)
    ),
    pop(person_id) AS (
      SELECT DISTINCT e.person_id FROM employment e
      WHERE e.unit_code IN (SELECT code FROM tree)
        AND e.start_date <= @d AND (e.end_date IS NULL OR e.end_date >= @d)
        AND e.employment_type IN ('tillsvidare', 'visstid')
        AND NOT EXISTS (
          SELECT 1 FROM exemption x
          WHERE x.person_id = e.person_id AND x.requirement_id = @req AND x.from_date <= @d AND (x.to_date IS NULL OR x.to_date >= @d)
        )
    )
    SELECT COUNT(*) AS population,
      COALESCE(SUM(EXISTS (
        SELECT 1 FROM completion c
        WHERE c.person_id = pop.person_id AND c.course_id = @course AND c.status = 'completed' AND c.annulled_at IS NULL AND c.occurred_at < @next
      )), 0) AS completed
    FROM pop`);
  return (root: string, courseId: number, requirementId: number, d: string) =>
    stmt.get({ root, course: courseId, req: requirementId, d, next: addDays(d, 1) }) as { population: number; completed: number };
}

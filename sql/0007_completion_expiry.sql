-- A completion's expiry is stored when it is written (issue 16): "genomförd on D" is then one indexed
-- test, `expires_on IS NULL OR expires_on > D`, the same for every view, and the month-end clamp
-- lives only in TypeScript (server/domain/expiry.ts over calendar.ts), which every writer of
-- completions and PUT /api/courses/:code use from this version on. NULL: the record never expires
-- (a course without validity_months) or is not a completion (started, failed).
ALTER TABLE completion ADD COLUMN expires_on TEXT;

-- The rows written before this version, once. This is SQL, not TypeScript at migrate time, because
-- `wrangler d1 migrations apply` runs only SQL: a backfill in TypeScript would fill the Node
-- database and leave a D1 one with NULLs, which read as "never expires". It is the clamp rule of
-- DESIGN.md rule 4 (occurred_at's date + validity_months, the day clamped to the month's end:
-- 2022-01-31 + 1 month = 2022-02-28; SQLite's date() alone would roll over to 2022-03-03), and no
-- read runs it: test/node/expiry-backfill.test.ts checks it against addMonthsClamped day by day.
UPDATE completion
SET expires_on = (
  SELECT CASE
    WHEN strftime('%d', date(substr(completion.occurred_at, 1, 10), '+' || c.validity_months || ' months'))
       = strftime('%d', substr(completion.occurred_at, 1, 10))
      THEN date(substr(completion.occurred_at, 1, 10), '+' || c.validity_months || ' months')
    ELSE date(substr(completion.occurred_at, 1, 10), 'start of month', '+' || (c.validity_months + 1) || ' months', '-1 day')
  END
  FROM course c WHERE c.id = completion.course_id
)
WHERE status = 'completed'
  AND course_id IN (SELECT id FROM course WHERE validity_months IS NOT NULL);

-- The coverage index with the expiry in it, so that the test reads no table row.
DROP INDEX IF EXISTS completion_person_course_status;
CREATE INDEX completion_person_course_status_expiry ON completion (person_id, course_id, occurred_at, status, expires_on);

-- Covering indexes for the coverage engine (issue 8, `npm run bench`). EXPLAIN QUERY PLAN at city
-- scale showed every employment found by unit or by person, and every completion found by person
-- and course, followed by a lookup of its table row for the columns the rules read (end date,
-- type, title; status). Each index below has the same leading columns as the one it replaces, so
-- every query that used the old one can use the new one; the table lookups disappear.
DROP INDEX IF EXISTS employment_unit;
CREATE INDEX employment_unit_active ON employment (unit_code, start_date, end_date, employment_type, title, person_id);
DROP INDEX IF EXISTS employment_person;
CREATE INDEX employment_person_active ON employment (person_id, start_date, end_date, unit_code, employment_type, title);
DROP INDEX IF EXISTS completion_person_course;
CREATE INDEX completion_person_course_status ON completion (person_id, course_id, occurred_at, status);

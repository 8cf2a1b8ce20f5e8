-- The coordinator's corrections (issue 18). Nothing a correction does deletes a row: an annulled
-- record stays, with who annulled it, when and why, and stops counting on every date; an
-- exemption is ended by giving it a last day, and keeps who made and who ended it.
ALTER TABLE completion ADD COLUMN annulled_at TEXT;
ALTER TABLE completion ADD COLUMN annulled_by TEXT;
ALTER TABLE completion ADD COLUMN annul_reason TEXT;

-- A person is not berörd for a requirement on the days from_date ≤ D ≤ to_date (no to_date: from
-- from_date on). Dates are Stockholm calendar dates 'YYYY-MM-DD', both ends inclusive.
CREATE TABLE exemption (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES person (id),
  requirement_id INTEGER NOT NULL REFERENCES requirement (id),
  from_date TEXT NOT NULL,
  to_date TEXT,
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  ended_by TEXT,
  ended_at TEXT,
  CHECK (to_date IS NULL OR to_date >= from_date)
);
-- The engine asks "is this person exempted from R on D" per person; lists ask per requirement.
CREATE INDEX exemption_person ON exemption (person_id, requirement_id, from_date, to_date);
CREATE INDEX exemption_requirement ON exemption (requirement_id, from_date, to_date, person_id);

-- Every coverage read now passes annulled records by (`annulled_at IS NULL`): the coverage index
-- carries the column too, so that the probes still read no table row.
DROP INDEX IF EXISTS completion_person_course_status_expiry;
CREATE INDEX completion_person_course_status_expiry_annulled ON completion (person_id, course_id, occurred_at, status, expires_on, annulled_at);

-- Kompetenskoll schema. Dates are 'YYYY-MM-DD' text (a calendar date in Europe/Stockholm);
-- instants are ISO 8601 text. Frozen once landed: a change is a new numbered file.

-- One row per version of a unit. The code is HR's stable key; a rename or a move is a new
-- version with its own validity, a merger ends the old codes' validity.
CREATE TABLE org_unit (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  parent_code TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('stad', 'forvaltning', 'avdelning', 'enhet')),
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  import_batch_id INTEGER,
  UNIQUE (code, valid_from)
);
CREATE INDEX org_unit_parent ON org_unit (parent_code, valid_from);

-- No personnummer, ever.
CREATE TABLE person (
  id INTEGER PRIMARY KEY,
  employee_number TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  email TEXT,
  anonymised_at TEXT
);
CREATE INDEX person_email ON person (lower(email));

CREATE TABLE employment (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES person (id),
  unit_code TEXT NOT NULL,
  title TEXT,
  employment_type TEXT CHECK (employment_type IN ('tillsvidare', 'visstid', 'timavlonad')),
  is_manager INTEGER NOT NULL DEFAULT 0,
  start_date TEXT NOT NULL,
  end_date TEXT,
  import_batch_id INTEGER
);
CREATE INDEX employment_unit ON employment (unit_code, start_date);
CREATE INDEX employment_person ON employment (person_id, start_date);

CREATE TABLE course (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  title_sv TEXT NOT NULL,
  title_en TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('web', 'seminar', 'acknowledgement')),
  url TEXT,
  xapi_activity_id TEXT UNIQUE,
  validity_months INTEGER CHECK (validity_months IS NULL OR validity_months > 0),
  version_notes TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE requirement (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  effective_from TEXT NOT NULL,
  effective_to TEXT,
  due_date TEXT,
  grace_days INTEGER CHECK (grace_days IS NULL OR grace_days >= 0),
  -- Exact decimal text ("0.7"), never a binary float: the gap is computed in integers.
  target_rate TEXT NOT NULL DEFAULT '1',
  source TEXT NOT NULL,
  responsible TEXT,
  follow_up TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Any one of a requirement's courses satisfies it.
CREATE TABLE requirement_course (
  requirement_id INTEGER NOT NULL REFERENCES requirement (id),
  course_id INTEGER NOT NULL REFERENCES course (id),
  position INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (requirement_id, course_id)
);

CREATE TABLE requirement_scope (
  requirement_id INTEGER NOT NULL REFERENCES requirement (id),
  unit_code TEXT NOT NULL,
  PRIMARY KEY (requirement_id, unit_code)
);

CREATE TABLE requirement_employment_type (
  requirement_id INTEGER NOT NULL REFERENCES requirement (id),
  employment_type TEXT NOT NULL CHECK (employment_type IN ('tillsvidare', 'visstid', 'timavlonad')),
  PRIMARY KEY (requirement_id, employment_type)
);

CREATE TABLE requirement_title (
  requirement_id INTEGER NOT NULL REFERENCES requirement (id),
  title TEXT NOT NULL,
  PRIMARY KEY (requirement_id, title)
);

-- Append-only: a correction is a new row. occurred_at is Stockholm local time, 'YYYY-MM-DD' or
-- 'YYYY-MM-DDTHH:MM:SS', so its first ten characters are the calendar date the rules compare.
CREATE TABLE completion (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES person (id),
  course_id INTEGER NOT NULL REFERENCES course (id),
  status TEXT NOT NULL CHECK (status IN ('completed', 'started', 'failed')),
  occurred_at TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('import', 'xapi', 'manual')),
  source_ref TEXT,
  recorded_by TEXT,
  recorded_at TEXT NOT NULL,
  import_batch_id INTEGER
);
CREATE INDEX completion_person_course ON completion (person_id, course_id, occurred_at);

CREATE TABLE import_batch (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('units', 'roster', 'completions', 'xapi', 'manual')),
  mode TEXT,
  as_of TEXT,
  file_name TEXT,
  file_sha256 TEXT,
  started_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('committed', 'failed')),
  rows_total INTEGER NOT NULL DEFAULT 0,
  rows_accepted INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  changes_json TEXT
);

CREATE TABLE import_rejected_row (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES import_batch (id),
  row_number INTEGER NOT NULL,
  column_name TEXT,
  message_sv TEXT NOT NULL,
  message_en TEXT NOT NULL,
  row_json TEXT
);
CREATE INDEX import_rejected_row_batch ON import_rejected_row (batch_id, row_number);

-- Roles granted in Kompetenskoll (beside the token's own and the roster's managers).
CREATE TABLE role_grant (
  id INTEGER PRIMARY KEY,
  employee_number TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'coordinator', 'auditor', 'manager')),
  unit_code TEXT,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  UNIQUE (employee_number, role, unit_code)
);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  action TEXT NOT NULL,
  scope TEXT,
  detail_json TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

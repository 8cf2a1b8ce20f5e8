-- Reports that stand (issue 20, DESIGN.md "Reports that stand"). A published report keeps what it
-- said: its requirements as they read then, its figures (total and children per requirement), its
-- tertial trend points, and each berörd (or exempted) person's status. Nothing here is ever
-- updated or deleted, except by retention, which replaces the names in report_person.

CREATE TABLE report (
  id INTEGER PRIMARY KEY,
  -- The publishing write's own key: the rows written with the report find it by this, within one
  -- all-or-nothing write (a D1 batch returns nothing between statements).
  uid TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL CHECK (length(trim(title)) > 0),
  unit_code TEXT NOT NULL,
  unit_name TEXT NOT NULL,
  as_of TEXT NOT NULL,
  analysis TEXT,
  published_at TEXT NOT NULL,
  published_by TEXT NOT NULL
);
CREATE INDEX report_unit ON report (unit_code, published_at);

-- The requirements as they read when the report was published.
CREATE TABLE report_requirement (
  report_id INTEGER NOT NULL REFERENCES report (id),
  position INTEGER NOT NULL,
  code TEXT NOT NULL,
  title TEXT NOT NULL,
  title_en TEXT,
  target_rate TEXT NOT NULL,
  PRIMARY KEY (report_id, position)
);

-- The figures: position 0 is the unit's total, 1… its children in the order the coverage API lists them.
CREATE TABLE report_figure (
  report_id INTEGER NOT NULL REFERENCES report (id),
  requirement_code TEXT NOT NULL,
  position INTEGER NOT NULL,
  unit_code TEXT NOT NULL,
  unit_name TEXT NOT NULL,
  population INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  started INTEGER NOT NULL,
  not_started INTEGER NOT NULL,
  overdue INTEGER NOT NULL,
  reached INTEGER NOT NULL,
  rate REAL,
  target REAL NOT NULL,
  gap INTEGER NOT NULL,
  exempt INTEGER NOT NULL,
  PRIMARY KEY (report_id, requirement_code, position)
);

-- The unit's tertial points up to the report's date, as GET /api/coverage/trend gave them.
CREATE TABLE report_trend (
  report_id INTEGER NOT NULL REFERENCES report (id),
  requirement_code TEXT NOT NULL,
  as_of TEXT NOT NULL,
  population INTEGER NOT NULL,
  completed INTEGER NOT NULL,
  started INTEGER NOT NULL,
  not_started INTEGER NOT NULL,
  overdue INTEGER NOT NULL,
  reached INTEGER NOT NULL,
  rate REAL,
  target REAL NOT NULL,
  gap INTEGER NOT NULL,
  exempt INTEGER NOT NULL,
  PRIMARY KEY (report_id, requirement_code, as_of)
);

-- Each person of the people list on the report's date (berörda and undantagna), as it stood.
CREATE TABLE report_person (
  report_id INTEGER NOT NULL REFERENCES report (id),
  requirement_code TEXT NOT NULL,
  person_id INTEGER NOT NULL REFERENCES person (id),
  employee_number TEXT NOT NULL,
  name TEXT NOT NULL,
  unit_code TEXT NOT NULL,
  unit_name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('completed', 'started', 'not_started', 'exempt')),
  due_date TEXT,
  overdue INTEGER NOT NULL,
  occurred_at TEXT,
  PRIMARY KEY (report_id, requirement_code, person_id)
);
CREATE INDEX report_person_person ON report_person (person_id);

-- When a person's employment data last changed outside an import's new rows: the `roster` reason
-- of a report's changes (docs/reports.md). Employment rows carry no time of their own, and a
-- snapshot import ends or changes rows (and an undo deletes them) without naming its batch on
-- them. A row inserted by an import names its batch, whose time says when; so only rows inserted
-- without a batch are stamped here, and a roster import of the whole city pays nothing for it.
CREATE TABLE employment_changed (
  person_id INTEGER PRIMARY KEY,
  at TEXT NOT NULL
);
CREATE TRIGGER employment_changed_insert AFTER INSERT ON employment WHEN NEW.import_batch_id IS NULL BEGIN
  INSERT OR REPLACE INTO employment_changed (person_id, at) VALUES (NEW.person_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;
CREATE TRIGGER employment_changed_update AFTER UPDATE ON employment BEGIN
  INSERT OR REPLACE INTO employment_changed (person_id, at) VALUES (NEW.person_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
  INSERT OR REPLACE INTO employment_changed (person_id, at) SELECT OLD.person_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE OLD.person_id <> NEW.person_id;
END;
CREATE TRIGGER employment_changed_delete AFTER DELETE ON employment BEGIN
  INSERT OR REPLACE INTO employment_changed (person_id, at) VALUES (OLD.person_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

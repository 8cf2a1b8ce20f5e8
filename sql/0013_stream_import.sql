-- Imports too large for one Worker request (issue 21, docs/workers.md "Large imports on
-- Workers"): the upload is cut into slices in R2 and a Queue consumer imports them one message
-- at a time. The job's state lives here, between messages. `batch_id` is the import_batch row
-- reserved at upload (status 'failed', no finished_at, until the import commits).
CREATE TABLE import_job (
  batch_id INTEGER PRIMARY KEY REFERENCES import_batch (id),
  kind TEXT NOT NULL CHECK (kind IN ('units', 'roster', 'completions')),
  -- queued → running → committed | failed
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'committed', 'failed')),
  -- what the request said: mode, asOf, scope, mapping, confirmEnded, lang, who (employee number, roles)
  params_json TEXT NOT NULL,
  -- the R2 objects: <object_prefix><n> for n in 0 … slices - 1, each the JSON of its CSV records
  object_prefix TEXT NOT NULL,
  slices INTEGER NOT NULL,
  -- each slice's first row number, as a spreadsheet program counts rows (JSON array)
  slice_rows_json TEXT NOT NULL,
  file_bytes INTEGER NOT NULL,
  -- the header as found in the first slice, and what later slices need of it (JSON)
  header_json TEXT,
  next_slice INTEGER NOT NULL DEFAULT 0,
  rows_done INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  skipped_rows INTEGER NOT NULL DEFAULT 0,
  problem_json TEXT,
  updated_at TEXT NOT NULL
);

-- A completions import's records while it runs: nothing reads this table but the import itself,
-- so the records become visible all at once when the last slice moves them into `completion`.
-- The unique key keeps the first row naming a record, as one import of the whole file does.
CREATE TABLE import_stage_completion (
  id INTEGER PRIMARY KEY,
  person_id INTEGER NOT NULL,
  course_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  source TEXT NOT NULL,
  source_ref TEXT,
  recorded_by TEXT,
  recorded_at TEXT NOT NULL,
  import_batch_id INTEGER NOT NULL,
  expires_on TEXT,
  UNIQUE (import_batch_id, person_id, course_id, status, occurred_at)
);

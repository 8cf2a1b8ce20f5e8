-- A dry run of a large import on Workers (docs/workers.md "Large imports on Workers"): the
-- upload is taken into R2 and planned by the Queue consumer like a real import, but nothing of
-- it is written. Its batch row only reserves the id the caller polls; `dry_run` keeps it out of
-- the import list (on Node a dry run has no batch row at all), and the row, its job and the
-- answer kept in R2 are deleted DRY_RUN_KEEP_DAYS after it (server/imports/queue-import.ts).
ALTER TABLE import_batch ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1));

-- import_job gains the state of a dry run that is done: 'planned' (its answer is in R2 under
-- <object_prefix>answer). SQLite changes a CHECK only by building the table again; nothing
-- refers to import_job, so it is copied and renamed.
CREATE TABLE import_job_new (
  batch_id INTEGER PRIMARY KEY REFERENCES import_batch (id),
  kind TEXT NOT NULL CHECK (kind IN ('units', 'roster', 'completions')),
  -- queued → running → committed | failed; a dry run: queued → running → planned | failed
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'planned', 'committed', 'failed')),
  params_json TEXT NOT NULL,
  object_prefix TEXT NOT NULL,
  slices INTEGER NOT NULL,
  slice_rows_json TEXT NOT NULL,
  file_bytes INTEGER NOT NULL,
  header_json TEXT,
  next_slice INTEGER NOT NULL DEFAULT 0,
  rows_done INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  skipped_rows INTEGER NOT NULL DEFAULT 0,
  problem_json TEXT,
  updated_at TEXT NOT NULL
);
INSERT INTO import_job_new (batch_id, kind, state, params_json, object_prefix, slices, slice_rows_json, file_bytes, header_json, next_slice, rows_done, rows_rejected, skipped_rows, problem_json, updated_at)
  SELECT batch_id, kind, state, params_json, object_prefix, slices, slice_rows_json, file_bytes, header_json, next_slice, rows_done, rows_rejected, skipped_rows, problem_json, updated_at FROM import_job;
DROP TABLE import_job;
ALTER TABLE import_job_new RENAME TO import_job;

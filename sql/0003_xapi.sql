-- xAPI statements from the learning portal, kept whole with how each was mapped. A statement whose
-- person or course is not known yet is 'unmatched' and is matched again when people or courses
-- arrive (rematchXapi), so coverage picks it up without a job per statement.
CREATE TABLE xapi_statement (
  id TEXT PRIMARY KEY,              -- the statement id, lower-case UUID
  statement_json TEXT NOT NULL,     -- the statement as stored (with stored, authority, version)
  compare_sha256 TEXT NOT NULL,     -- hash of the comparison form: a resent id is a no-op or a 409
  stored_at TEXT NOT NULL,          -- ISO instant the LRS stored it
  client_key TEXT NOT NULL,         -- which credential sent it
  verb_id TEXT NOT NULL,
  activity_id TEXT,                 -- the object's id when the object is an Activity
  actor_email TEXT,                 -- lower-case mbox address, kept for re-matching
  actor_account TEXT,               -- account.name (the employee number), kept for re-matching
  status TEXT CHECK (status IS NULL OR status IN ('completed', 'started', 'failed')),
  occurred_at TEXT NOT NULL,        -- Stockholm local time of timestamp (else stored)
  outcome TEXT NOT NULL CHECK (outcome IN ('matched', 'unmatched', 'ignored')),
  reason TEXT,                      -- why unmatched or ignored
  person_id INTEGER REFERENCES person (id),
  course_id INTEGER REFERENCES course (id)
);
CREATE INDEX xapi_statement_outcome ON xapi_statement (outcome, stored_at);

-- One completion per statement, whichever path wrote it first (arrival or a re-match).
CREATE UNIQUE INDEX completion_xapi_ref ON completion (source_ref) WHERE source = 'xapi';

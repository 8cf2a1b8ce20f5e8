-- Reminders (issue 19, DESIGN.md "Reminders"). A requirement's schedule, as the API's JSON
-- ({beforeDue, overdueEvery, overdueMax, beforeExpiry, managerDigest}); NULL: no messages.
ALTER TABLE requirement ADD COLUMN reminders TEXT;

-- Every message is decided into the outbox first, then sent. `key` is the message's once-only
-- key (kind, person, requirement and the date or period it is about): a second decision of the
-- same message is a no-op, so a run repeated, caught up or restarted after a crash sends nothing
-- twice but what was in flight. Rows are never deleted by a run; delivery is its status.
CREATE TABLE reminder_outbox (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue', 'expiring', 'digest', 'nudge')),
  employee_number TEXT NOT NULL,
  to_address TEXT NOT NULL,
  -- A digest covers every requirement with a digest: their codes, comma-separated.
  requirement TEXT NOT NULL,
  due_date TEXT,
  decided_for TEXT NOT NULL,
  subject TEXT NOT NULL,
  -- NULL once past the retention time (server/domain/privacy-map.ts): a digest names the staff.
  body_text TEXT,
  body_html TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  claimed_at TEXT,
  sent_at TEXT
);
CREATE INDEX reminder_outbox_status ON reminder_outbox (status, next_attempt_at);
CREATE INDEX reminder_outbox_decided ON reminder_outbox (decided_for, kind);
CREATE INDEX reminder_outbox_person ON reminder_outbox (employee_number, requirement, created_at);

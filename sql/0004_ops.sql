-- Operations: the audit log is filtered by kind, and a role is granted once per person and unit
-- (the UNIQUE of 0001 lets NULL units repeat, so admin and auditor grants could double).
CREATE INDEX audit_log_kind ON audit_log (kind, at);
CREATE UNIQUE INDEX role_grant_once ON role_grant (employee_number, role, COALESCE(unit_code, ''));

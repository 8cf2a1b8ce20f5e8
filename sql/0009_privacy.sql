-- Personal data mapped once (server/domain/privacy-map.ts). An xAPI statement names its actor: the
-- register extract finds a person's statements, and retention anonymises them, by the person's id
-- or, where the statement never matched anybody, by the address or account it came with. The
-- marker says a statement has been anonymised (its agents replaced), so a later run passes it by.
ALTER TABLE xapi_statement ADD COLUMN anonymised_at TEXT;
CREATE INDEX xapi_statement_person ON xapi_statement (person_id);
CREATE INDEX xapi_statement_actor_email ON xapi_statement (actor_email);
CREATE INDEX xapi_statement_actor_account ON xapi_statement (actor_account);

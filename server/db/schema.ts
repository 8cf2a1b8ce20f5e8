import type { ColumnType, Generated, Insertable, Kysely, Selectable } from 'kysely';

/** Kysely's view of sql/*.sql. Dates are 'YYYY-MM-DD' text, instants ISO text. */
export interface Database {
  org_unit: OrgUnitTable;
  person: PersonTable;
  employment: EmploymentTable;
  course: CourseTable;
  requirement: RequirementTable;
  requirement_course: { requirement_id: number; course_id: number; position: Generated<number> };
  requirement_scope: { requirement_id: number; unit_code: string };
  requirement_employment_type: { requirement_id: number; employment_type: EmploymentType };
  requirement_title: { requirement_id: number; title: string };
  completion: CompletionTable;
  import_batch: ImportBatchTable;
  import_rejected_row: ImportRejectedRowTable;
  role_grant: RoleGrantTable;
  audit_log: AuditLogTable;
  xapi_statement: XapiStatementTable;
  d1_migrations: { id: Generated<number>; name: string; applied_at: Generated<string> };
  catalog_version: { id: number; n: number };
  exemption: ExemptionTable;
  reminder_outbox: ReminderOutboxTable;
  report: ReportTable;
  report_requirement: ReportRequirementTable;
  report_figure: ReportFigureTable;
  report_trend: ReportTrendTable;
  report_person: ReportPersonTable;
  employment_changed: { person_id: number; at: string };
  import_job: ImportJobTable;
  import_stage_completion: ImportStageCompletionTable;
}

export type Db = Kysely<Database>;

export type UnitKind = 'stad' | 'forvaltning' | 'avdelning' | 'enhet';
export type EmploymentType = 'tillsvidare' | 'visstid' | 'timavlonad';
export type CourseKind = 'web' | 'seminar' | 'acknowledgement';
export type RecordStatus = 'completed' | 'started' | 'failed';
export type CompletionSource = 'import' | 'xapi' | 'manual';
export type RoleName = 'admin' | 'coordinator' | 'auditor' | 'manager';

export interface OrgUnitTable {
  id: Generated<number>;
  code: string;
  name: string;
  parent_code: string | null;
  kind: UnitKind;
  valid_from: string;
  valid_to: string | null;
  import_batch_id: number | null;
}

export interface PersonTable {
  id: Generated<number>;
  employee_number: string;
  name: string;
  email: string | null;
  anonymised_at: string | null;
}

export interface EmploymentTable {
  id: Generated<number>;
  person_id: number;
  unit_code: string;
  title: string | null;
  employment_type: EmploymentType | null;
  is_manager: Generated<number>;
  start_date: string;
  end_date: string | null;
  import_batch_id: number | null;
}

export interface CourseTable {
  id: Generated<number>;
  code: string;
  title_sv: string;
  title_en: string | null;
  kind: CourseKind;
  url: string | null;
  xapi_activity_id: string | null;
  validity_months: number | null;
  version_notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface RequirementTable {
  id: Generated<number>;
  code: string;
  title: string;
  /** sql/0010: the English title, when given. */
  title_en: string | null;
  effective_from: string;
  effective_to: string | null;
  due_date: string | null;
  grace_days: number | null;
  target_rate: Generated<string>;
  source: string;
  responsible: string | null;
  follow_up: string | null;
  /** The reminder schedule as JSON (sql/0009); null: no reminders. */
  reminders: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
}

export interface CompletionTable {
  id: Generated<number>;
  person_id: number;
  course_id: number;
  status: RecordStatus;
  occurred_at: string;
  source: CompletionSource;
  source_ref: string | null;
  recorded_by: string | null;
  recorded_at: string;
  import_batch_id: number | null;
  /** Rule 4's expiry (`server/domain/expiry.ts`), stored when written; null: never expires. */
  expires_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** Set by an annulment (sql/0008): the record stays, and stops counting on every date. */
  annulled_at: string | null;
  annulled_by: string | null;
  annul_reason: string | null;
}

/** A person not berörd for a requirement from `from_date` to `to_date` (inclusive; open when null). */
export interface ExemptionTable {
  id: Generated<number>;
  person_id: number;
  requirement_id: number;
  from_date: string;
  to_date: string | null;
  reason: string;
  created_by: string;
  created_at: string;
  ended_by: string | null;
  ended_at: string | null;
}

export type ReminderKind = 'due_soon' | 'overdue' | 'expiring' | 'digest' | 'nudge';
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

/** A decided message (sql/0009): unique on its once-only key, then sent. */
export interface ReminderOutboxTable {
  id: Generated<number>;
  key: string;
  kind: ReminderKind;
  employee_number: string;
  to_address: string;
  requirement: string;
  due_date: string | null;
  decided_for: string;
  subject: string;
  /** Null once past the retention time (privacy-map.ts): a digest's body names the manager's staff. */
  body_text: string | null;
  body_html: string | null;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  created_by: string;
  claimed_at: string | null;
  sent_at: string | null;
}

/** A published report (sql/0012): never updated or deleted but by retention. */
export interface ReportTable {
  id: Generated<number>;
  uid: string;
  title: string;
  unit_code: string;
  unit_name: string;
  as_of: string;
  analysis: string | null;
  published_at: string;
  published_by: string;
}

export interface ReportRequirementTable {
  report_id: number;
  position: number;
  code: string;
  title: string;
  title_en: string | null;
  target_rate: string;
}

/** The frozen figures' columns (docs/coverage-rules.md, rule 6). */
export interface FrozenFigures {
  population: number;
  completed: number;
  started: number;
  not_started: number;
  overdue: number;
  reached: number;
  rate: number | null;
  target: number;
  gap: number;
  exempt: number;
}

export interface ReportFigureTable extends FrozenFigures {
  report_id: number;
  requirement_code: string;
  /** 0: the report's unit; 1…: its children. */
  position: number;
  unit_code: string;
  unit_name: string;
}

export interface ReportTrendTable extends FrozenFigures {
  report_id: number;
  requirement_code: string;
  as_of: string;
}

export interface ReportPersonTable {
  report_id: number;
  requirement_code: string;
  person_id: number;
  employee_number: string;
  name: string;
  unit_code: string;
  unit_name: string;
  status: 'completed' | 'started' | 'not_started' | 'exempt';
  due_date: string | null;
  overdue: number;
  occurred_at: string | null;
}

export interface ImportBatchTable {
  id: Generated<number>;
  kind: 'units' | 'roster' | 'completions' | 'xapi' | 'manual';
  mode: string | null;
  as_of: string | null;
  file_name: string | null;
  file_sha256: string | null;
  started_by: string;
  started_at: string;
  finished_at: string | null;
  status: 'committed' | 'failed';
  rows_total: Generated<number>;
  rows_accepted: Generated<number>;
  rows_rejected: Generated<number>;
  changes_json: string | null;
  /** 1: a dry run of a large import on Workers, whose row only reserves the id polled (sql/0014). */
  dry_run: Generated<number>;
}

export interface ImportRejectedRowTable {
  id: Generated<number>;
  batch_id: number;
  row_number: number;
  column_name: string | null;
  message_sv: string;
  message_en: string;
  row_json: string | null;
}

/** A large import on Workers between its Queue messages (sql/0013, docs/workers.md). */
export interface ImportJobTable {
  batch_id: number;
  kind: 'units' | 'roster' | 'completions';
  /** 'planned': a dry run done, its answer in R2 under `<object_prefix>answer` (sql/0014). */
  state: 'queued' | 'running' | 'planned' | 'committed' | 'failed';
  /** What the request said, with who asked (employee number and roles). */
  params_json: string;
  object_prefix: string;
  slices: number;
  slice_rows_json: string;
  file_bytes: number;
  header_json: string | null;
  next_slice: Generated<number>;
  rows_done: Generated<number>;
  rows_rejected: Generated<number>;
  skipped_rows: Generated<number>;
  problem_json: string | null;
  updated_at: string;
}

/**
 * A streamed completions import's records until its last slice makes them visible at once: a
 * completion's columns, always of a batch, never annulled (sql/0013).
 */
export interface ImportStageCompletionTable extends Omit<CompletionTable, 'import_batch_id' | 'expires_on' | 'annulled_at' | 'annulled_by' | 'annul_reason'> {
  import_batch_id: number;
  expires_on: string | null;
}

export interface RoleGrantTable {
  id: Generated<number>;
  employee_number: string;
  role: RoleName;
  unit_code: string | null;
  granted_by: string;
  granted_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  kind: string;
  action: string;
  scope: string | null;
  detail_json: string | null;
}

export type XapiOutcome = 'matched' | 'unmatched' | 'ignored';

export interface XapiStatementTable {
  id: string;
  statement_json: string;
  compare_sha256: string;
  stored_at: string;
  client_key: string;
  verb_id: string;
  activity_id: string | null;
  actor_email: string | null;
  actor_account: string | null;
  status: RecordStatus | null;
  occurred_at: string;
  outcome: XapiOutcome;
  reason: string | null;
  person_id: number | null;
  course_id: number | null;
  /** When retention replaced the statement's agents (sql/0007); null while it names its actor. */
  anonymised_at: string | null;
}

export type OrgUnit = Selectable<OrgUnitTable>;
export type NewOrgUnit = Insertable<OrgUnitTable>;
export type Person = Selectable<PersonTable>;
export type Course = Selectable<CourseTable>;
export type Requirement = Selectable<RequirementTable>;

import type { Database } from '../db/schema.ts';

/**
 * Where Kompetenskoll keeps personal data, declared once per table (after Moodle's privacy
 * metadata providers): which columns are personal data, how a row is linked to a person, what
 * the register extract shows of it, and what retention does to it. The extract
 * (person-extract.ts) and retention (retention.ts) are driven by this map and nothing else, so a
 * table or column that holds someone's data is found by both or by neither. Typed over every
 * table of `Database`: a new table is a type error here until it is declared, and a test compares
 * the map with the migrated schema.
 */

export type TableName = keyof Database;
export type ColumnOf<T extends TableName> = Extract<keyof Database[T], string>;

/** How a row names a person. */
export type Link<T extends TableName> =
  /** The row is the person (the person table). */
  | { kind: 'self' }
  /** `column` holds person.id. */
  | { kind: 'person_id'; column: ColumnOf<T> }
  /** `column` holds the person's employee number (as the one it is about, or as who did it). */
  | { kind: 'employee_number'; column: ColumnOf<T> }
  /** `column` holds the person's e-mail address in lower case. */
  | { kind: 'email'; column: ColumnOf<T> }
  /** `column` is JSON with a value equal to the person's employee number or address (any case). */
  | { kind: 'json_value'; column: ColumnOf<T> };

/** What retention writes into a column of a row it anonymises. */
export type Replacement =
  | null
  | { text: string }
  /** 'ANON-<person id>': the same stable pseudonym as the person's employee number becomes. */
  | 'pseudonym'
  /** The run's instant. */
  | 'now'
  /** The JSON with every value naming the person (number, address, name) replaced by their pseudonym. */
  | 'json_pseudonyms'
  /** An xAPI statement with every agent but the authority anonymised, then as json_pseudonyms. */
  | 'xapi_anonymous';

export type Retention<T extends TableName> =
  | { keep: string }
  | { delete: string }
  | { set: Partial<Record<ColumnOf<T>, Replacement>>; why: string };

/** How a column shows in the extract: as it is, parsed JSON, 0/1 as a boolean, or another table's column by id. */
export type Field<T extends TableName> =
  | ColumnOf<T>
  | { column: ColumnOf<T>; as: 'json' | 'boolean' }
  | { column: ColumnOf<T>; lookup: { table: TableName; column: string } };

/** One way rows of a table belong to a person, and what the extract and retention do with them. */
export interface Use<T extends TableName> {
  /** 'subject': the row is about the person; 'actor': it records what the person did. */
  role: 'subject' | 'actor';
  /** A row belongs to the person when any one of these matches. */
  links: Link<T>[];
  /** The extract's key for these rows, and what it shows of each; `one` for a single object. */
  section: string;
  one?: true;
  fields: Record<string, Field<T>>;
  order: ColumnOf<T>[];
  retention: Retention<T>;
}

/** Rows no known person is linked to, anonymised once they are older than the retention time. */
export interface Expiry<T extends TableName> {
  /** The row's age: its own column, or a column of the row it points to. */
  age: { column: ColumnOf<T> } | { via: ColumnOf<T>; table: TableName; key: string; column: string };
  /** Only rows whose column is null (never linked to a person: those follow the person). */
  unlinked?: ColumnOf<T>;
  /** Rows still to do: where this column is still not null, or still null. */
  pending: { column: ColumnOf<T>; is: 'null' | 'not_null' };
  set: Partial<Record<ColumnOf<T>, Replacement>>;
  why: string;
}

export interface TablePrivacy<T extends TableName> {
  /** Columns that are personal data, or make the row someone's. Empty: none (and say why). */
  personal: ColumnOf<T>[];
  uses: Use<T>[];
  expiry?: Expiry<T>;
  note: string;
}

export type PrivacyMap = { [T in TableName]: TablePrivacy<T> };

export const ANONYMISED_NAME = 'Anonymiserad';
/** The homePage of the account an anonymised xAPI agent is given. */
export const ANONYMISED_HOME = 'urn:kompetenskoll:anonymised';

const none = (note: string) => ({ personal: [], uses: [], note });

export const PRIVACY_MAP: PrivacyMap = {
  person: {
    personal: ['employee_number', 'name', 'email'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'self' }],
        section: 'person',
        one: true,
        fields: { employeeNumber: 'employee_number', name: 'name', email: 'email', anonymisedAt: 'anonymised_at' },
        order: ['id'],
        retention: {
          set: { name: { text: ANONYMISED_NAME }, email: null, employee_number: 'pseudonym', anonymised_at: 'now' },
          why: 'The row keeps its id, so every employment and record still counts in the figures ever reported; nothing names the person.',
        },
      },
    ],
    note: 'No personnummer is ever stored.',
  },
  employment: {
    personal: ['person_id', 'unit_code', 'title', 'employment_type', 'is_manager', 'start_date', 'end_date'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'person_id', column: 'person_id' }],
        section: 'employments',
        fields: {
          unitCode: 'unit_code',
          title: 'title',
          employmentType: 'employment_type',
          manager: { column: 'is_manager', as: 'boolean' },
          startDate: 'start_date',
          endDate: 'end_date',
          importBatchId: 'import_batch_id',
        },
        order: ['start_date', 'id'],
        retention: { keep: 'Pseudonymous once the person is: the population of every past figure.' },
      },
    ],
    note: 'Linked to a person by id only.',
  },
  completion: {
    personal: ['person_id', 'status', 'occurred_at', 'recorded_by', 'annulled_by', 'annul_reason'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'person_id', column: 'person_id' }],
        section: 'completions',
        fields: {
          course: { column: 'course_id', lookup: { table: 'course', column: 'code' } },
          status: 'status',
          occurredAt: 'occurred_at',
          source: 'source',
          sourceRef: 'source_ref',
          recordedBy: 'recorded_by',
          recordedAt: 'recorded_at',
          importBatchId: 'import_batch_id',
          // An annulled record stays, counting nowhere (DESIGN.md "Records by hand, and corrections").
          annulledAt: 'annulled_at',
          annulledBy: 'annulled_by',
          annulReason: 'annul_reason',
        },
        order: ['occurred_at', 'id'],
        retention: { keep: 'Pseudonymous once the person is: what every past figure counted, and which records were annulled and why.' },
      },
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'recorded_by' }],
        section: 'completionsRecorded',
        // What they recorded, not for whom: that is the other person's.
        fields: { course: { column: 'course_id', lookup: { table: 'course', column: 'code' } }, status: 'status', occurredAt: 'occurred_at', source: 'source', recordedAt: 'recorded_at' },
        order: ['recorded_at', 'id'],
        retention: { set: { recorded_by: 'pseudonym' }, why: 'Who recorded it stays traceable to the pseudonymous person row.' },
      },
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'annulled_by' }],
        section: 'completionsAnnulled',
        // What they annulled, not whose or why: that is the other person's.
        fields: { course: { column: 'course_id', lookup: { table: 'course', column: 'code' } }, status: 'status', occurredAt: 'occurred_at', annulledAt: 'annulled_at' },
        order: ['annulled_at', 'id'],
        retention: { set: { annulled_by: 'pseudonym' }, why: 'Who annulled it stays traceable to the pseudonymous person row.' },
      },
    ],
    note: 'source_ref is a statement id or a file row number; recorded_by is an employee number, a system name or xapi:<client>.',
  },
  role_grant: {
    personal: ['employee_number', 'granted_by'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'employee_number', column: 'employee_number' }],
        section: 'roleGrants',
        fields: { role: 'role', unit: 'unit_code', grantedBy: 'granted_by', grantedAt: 'granted_at' },
        order: ['id'],
        retention: { delete: 'A role ends with the person.' },
      },
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'granted_by' }],
        section: 'roleGrantsGiven',
        fields: { role: 'role', unit: 'unit_code', grantedAt: 'granted_at' },
        order: ['id'],
        retention: { set: { granted_by: 'pseudonym' }, why: 'The grant stays; who gave it becomes the pseudonym.' },
      },
    ],
    note: 'Roles granted in Kompetenskoll, by employee number.',
  },
  audit_log: {
    personal: ['actor', 'detail_json'],
    uses: [
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'actor' }],
        section: 'auditEntries',
        fields: { at: 'at', kind: 'kind', action: 'action', scope: 'scope', detail: { column: 'detail_json', as: 'json' } },
        order: ['at', 'id'],
        retention: { set: { actor: 'pseudonym' }, why: 'The log stays whole; its actor becomes the pseudonym.' },
      },
      {
        role: 'subject',
        links: [{ kind: 'json_value', column: 'detail_json' }],
        section: 'auditEntriesAbout',
        // Who read or changed what about them; the detail may name others and stays out.
        fields: { at: 'at', actor: 'actor', kind: 'kind', action: 'action', scope: 'scope' },
        order: ['at', 'id'],
        retention: { set: { detail_json: 'json_pseudonyms' }, why: 'Entries that name the person (a role granted, an extract) name the pseudonym instead.' },
      },
    ],
    note: 'Written with employee numbers only, never names or addresses (audit.ts).',
  },
  import_batch: {
    personal: ['started_by'],
    uses: [
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'started_by' }],
        section: 'importBatches',
        fields: { batchId: 'id', kind: 'kind', fileName: 'file_name', startedAt: 'started_at', status: 'status', rowsTotal: 'rows_total' },
        order: ['started_at', 'id'],
        retention: { set: { started_by: 'pseudonym' }, why: 'The batch stays (its rows carry its id); who started it becomes the pseudonym.' },
      },
    ],
    note: 'changes_json holds counts only.',
  },
  import_rejected_row: {
    personal: ['row_json'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'json_value', column: 'row_json' }],
        section: 'rejectedImportRows',
        fields: { batchId: 'batch_id', row: 'row_number', column: 'column_name', message: 'message_sv', values: { column: 'row_json', as: 'json' } },
        order: ['batch_id', 'row_number'],
        retention: { set: { row_json: null }, why: 'The values were kept so the row could be corrected; its number, column and reason stay.' },
      },
    ],
    expiry: {
      age: { via: 'batch_id', table: 'import_batch', key: 'id', column: 'started_at' },
      pending: { column: 'row_json', is: 'not_null' },
      set: { row_json: null },
      why: 'A rejected row names whoever the file named, known or not: past the retention time only its number, column and reason stay.',
    },
    note: 'row_json is the file row as read: any name, number or address in it.',
  },
  xapi_statement: {
    personal: ['statement_json', 'actor_email', 'actor_account', 'person_id'],
    uses: [
      {
        role: 'subject',
        links: [
          { kind: 'person_id', column: 'person_id' },
          { kind: 'email', column: 'actor_email' },
          { kind: 'employee_number', column: 'actor_account' },
        ],
        section: 'xapiStatements',
        fields: {
          id: 'id',
          storedAt: 'stored_at',
          verb: 'verb_id',
          activityId: 'activity_id',
          status: 'status',
          occurredAt: 'occurred_at',
          outcome: 'outcome',
          statement: { column: 'statement_json', as: 'json' },
        },
        order: ['stored_at', 'id'],
        retention: {
          set: { statement_json: 'xapi_anonymous', actor_email: null, actor_account: null, anonymised_at: 'now' },
          why: 'The statement and its completion stay (same id, same hash: a resend is still a no-op); its agents name nobody.',
        },
      },
    ],
    expiry: {
      age: { column: 'stored_at' },
      unlinked: 'person_id',
      pending: { column: 'anonymised_at', is: 'null' },
      set: { statement_json: 'xapi_anonymous', actor_email: null, actor_account: null, anonymised_at: 'now' },
      why: 'Kept to be matched when the person arrives; one that never matched in the retention time names nobody after it.',
    },
    note: 'The portal sends actor name and mbox; authority is the client credential, not a person.',
  },
  exemption: {
    personal: ['person_id', 'from_date', 'to_date', 'reason', 'created_by', 'ended_by'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'person_id', column: 'person_id' }],
        section: 'exemptions',
        fields: {
          requirement: { column: 'requirement_id', lookup: { table: 'requirement', column: 'code' } },
          from: 'from_date',
          to: 'to_date',
          reason: 'reason',
          createdBy: 'created_by',
          createdAt: 'created_at',
          endedBy: 'ended_by',
          endedAt: 'ended_at',
        },
        order: ['from_date', 'id'],
        retention: {
          set: { reason: { text: ANONYMISED_NAME } },
          why: 'The reason can say why someone was away (sick leave, parental leave): it goes with the name; the days stay, so past figures still add up.',
        },
      },
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'created_by' }],
        section: 'exemptionsMade',
        // For whom and why is the other person's.
        fields: { requirement: { column: 'requirement_id', lookup: { table: 'requirement', column: 'code' } }, from: 'from_date', to: 'to_date', createdAt: 'created_at' },
        order: ['created_at', 'id'],
        retention: { set: { created_by: 'pseudonym' }, why: 'Who made it stays traceable to the pseudonymous person row.' },
      },
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'ended_by' }],
        section: 'exemptionsEnded',
        fields: { requirement: { column: 'requirement_id', lookup: { table: 'requirement', column: 'code' } }, from: 'from_date', to: 'to_date', endedAt: 'ended_at' },
        order: ['ended_at', 'id'],
        retention: { set: { ended_by: 'pseudonym' }, why: 'Who ended it stays traceable to the pseudonymous person row.' },
      },
    ],
    note: 'An exemption (undantag) of one person from one requirement; nothing is deleted, an exemption is ended by a last day.',
  },
  reminder_outbox: {
    personal: ['employee_number', 'to_address', 'body_text', 'body_html', 'last_error', 'created_by'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'employee_number', column: 'employee_number' }],
        section: 'reminders',
        // What was sent to them and when; not the bodies (a manager's digest names their staff).
        fields: {
          kind: 'kind',
          to: 'to_address',
          requirement: 'requirement',
          dueDate: 'due_date',
          decidedFor: 'decided_for',
          subject: 'subject',
          status: 'status',
          attempts: 'attempts',
          createdAt: 'created_at',
          sentAt: 'sent_at',
        },
        order: ['created_at', 'id'],
        retention: {
          delete: 'A delivery log of messages to someone who has left: nothing counts on it, and a leaver is never berörd again, so no message is decided twice for want of its once-only key.',
        },
      },
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'created_by' }],
        section: 'remindersNudged',
        // A manager's Påminn: the unit and requirement are in the audit log; whom it reached is theirs.
        fields: { kind: 'kind', requirement: 'requirement', createdAt: 'created_at' },
        order: ['created_at', 'id'],
        retention: { set: { created_by: 'pseudonym' }, why: 'The message stays for its addressee; who asked for it becomes the pseudonym.' },
      },
    ],
    expiry: {
      age: { column: 'created_at' },
      pending: { column: 'body_text', is: 'not_null' },
      set: { body_text: null, body_html: null, last_error: null },
      why: "A digest's body names the manager's staff (name, employee number, unit) and an SMTP error may quote an address: past the retention time only who was sent what kind of message, and when, stays. Every digest naming a leaver is older than the leaver's cutoff, so their name goes in the same run.",
    },
    note: 'Addressed by employee number and e-mail; created_by is an employee number (a nudge) or the scheduler.',
  },
  report: {
    personal: ['published_by'],
    uses: [
      {
        role: 'actor',
        links: [{ kind: 'employee_number', column: 'published_by' }],
        section: 'reportsPublished',
        fields: { id: 'id', title: 'title', unit: 'unit_code', asOf: 'as_of', publishedAt: 'published_at' },
        order: ['published_at', 'id'],
        retention: { set: { published_by: 'pseudonym' }, why: 'The report stands; who published it becomes the pseudonym.' },
      },
    ],
    note: 'A published report (DESIGN.md "Reports that stand"); the analysis is the coordinator\'s prose about the unit, not about a person.',
  },
  report_person: {
    personal: ['person_id', 'employee_number', 'name', 'unit_code', 'status', 'due_date', 'overdue', 'occurred_at'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'person_id', column: 'person_id' }],
        section: 'reportedStatuses',
        fields: {
          report: 'report_id',
          requirement: 'requirement_code',
          unitCode: 'unit_code',
          status: 'status',
          dueDate: 'due_date',
          overdue: { column: 'overdue', as: 'boolean' },
          occurredAt: 'occurred_at',
        },
        order: ['report_id', 'requirement_code'],
        retention: {
          set: { employee_number: 'pseudonym', name: { text: ANONYMISED_NAME } },
          why: 'A report keeps its figures and each status it counted; the person it counted becomes the pseudonym, as in the person row.',
        },
      },
    ],
    note: 'Each person a published report counted, with their status then: frozen, so that later changes can be named.',
  },
  employment_changed: {
    personal: ['person_id', 'at'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'person_id', column: 'person_id' }],
        section: 'employmentChanged',
        one: true,
        fields: { at: 'at' },
        order: ['person_id'],
        retention: { keep: 'Pseudonymous once the person is: why a report counts them differently now.' },
      },
    ],
    note: 'When a person\'s employments last changed other than by an import\'s new rows (kept by triggers on employment, sql/0012).',
  },
  import_job: {
    personal: ['params_json'],
    uses: [
      {
        role: 'actor',
        links: [{ kind: 'json_value', column: 'params_json' }],
        section: 'importJobs',
        fields: { batchId: 'batch_id', kind: 'kind', state: 'state', updatedAt: 'updated_at' },
        order: ['batch_id'],
        retention: { set: { params_json: 'json_pseudonyms' }, why: 'A large import\'s job stays beside its batch; who asked for it becomes the pseudonym, as in import_batch.' },
      },
    ],
    note:
      'params_json holds the request of a large import on Workers, with the employee number and roles of who uploaded it (sql/0013). ' +
      "A dry run's answer (its errors with the file's values, its change list by name) is kept outside the database, in R2 under " +
      '<object_prefix>answer, for its uploader to read: it, the job row and the dry run\'s batch row are deleted DRY_RUN_KEEP_DAYS ' +
      'after the dry run (queue-import.ts expireDryRuns, sql/0014).',
  },
  import_stage_completion: {
    personal: ['person_id', 'recorded_by'],
    uses: [
      {
        role: 'subject',
        links: [{ kind: 'person_id', column: 'person_id' }],
        section: 'stagedCompletions',
        fields: { batchId: 'import_batch_id', status: 'status', occurredAt: 'occurred_at', recordedAt: 'recorded_at' },
        order: ['import_batch_id', 'id'],
        retention: { delete: 'Records of an import still running or failed: they never counted, and the import writes them again if it is retried.' },
      },
    ],
    note: 'A streamed completions import\'s records between its slices and its commit, which moves them into completion (sql/0013); emptied when the import commits or fails.',
  },
  report_requirement: none('A report\'s requirements as they read when it was published.'),
  report_figure: none('A report\'s figures: counts per unit, no person.'),
  report_trend: none('A report\'s tertial points: counts, no person.'),
  org_unit: none('Units and their codes: no person.'),
  course: none('The course catalogue.'),
  requirement: none('Requirements name decisions and roles ("Avdelningschefer"), not people.'),
  requirement_course: none('Requirement ↔ course.'),
  requirement_scope: none('Requirement ↔ unit codes.'),
  requirement_employment_type: none('Requirement ↔ employment types.'),
  requirement_title: none('Job titles a requirement targets, not anyone holding them.'),
  d1_migrations: none('Migration bookkeeping.'),
  catalog_version: none('A counter.'),
};

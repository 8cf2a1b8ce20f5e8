import type { RoleName } from '../db/schema.ts';

/** Everyone signed in is staff; the other roles come from tokens, grants and the roster. */
export type Role = 'staff' | RoleName;

export type Action =
  | 'me.read'
  | 'coverage.read'
  | 'people.read'
  | 'export.read'
  | 'export.people'
  | 'catalog.read'
  | 'course.write'
  | 'requirement.write'
  | 'import.read'
  | 'import.write'
  | 'units.write'
  | 'xapi.unmatched.read'
  | 'audit.read'
  | 'role.manage'
  | 'person.extract'
  | 'person.search'
  | 'record.read'
  | 'record.write'
  | 'record.annul'
  | 'exemption.read'
  | 'exemption.write'
  | 'reminder.run'
  | 'reminder.nudge'
  | 'reminder.outbox'
  | 'report.publish'
  | 'report.read';

/**
 * - self: only about oneself
 * - unit: within the subtree of the unit the role is held for
 * - all: anywhere
 */
export type Reach = 'self' | 'unit' | 'all';

export interface Capability {
  role: Role;
  action: Action;
  reach: Reach;
}

/** Who may do what. Routes ask `permissions.ts` for an action; nothing else names a role. */
export const CAPABILITIES: readonly Capability[] = [
  { role: 'staff', action: 'me.read', reach: 'self' },
  { role: 'staff', action: 'catalog.read', reach: 'all' },
  // Everyone may see their own records (GET /api/people/<own number>/records).
  { role: 'staff', action: 'record.read', reach: 'self' },

  { role: 'manager', action: 'coverage.read', reach: 'unit' },
  { role: 'manager', action: 'people.read', reach: 'unit' },
  { role: 'manager', action: 'export.read', reach: 'unit' },
  { role: 'manager', action: 'export.people', reach: 'unit' },
  { role: 'manager', action: 'record.read', reach: 'unit' },
  { role: 'manager', action: 'exemption.read', reach: 'unit' },
  // The "Påminn" button (issue 19): reminds the manager's own staff.
  { role: 'manager', action: 'reminder.nudge', reach: 'unit' },
  // Published reports (issue 20): a manager reads those of their units.
  { role: 'manager', action: 'report.read', reach: 'unit' },

  { role: 'coordinator', action: 'coverage.read', reach: 'unit' },
  { role: 'coordinator', action: 'people.read', reach: 'unit' },
  { role: 'coordinator', action: 'export.read', reach: 'unit' },
  { role: 'coordinator', action: 'export.people', reach: 'unit' },
  { role: 'coordinator', action: 'course.write', reach: 'all' },
  { role: 'coordinator', action: 'requirement.write', reach: 'unit' },
  { role: 'coordinator', action: 'import.read', reach: 'unit' },
  { role: 'coordinator', action: 'import.write', reach: 'unit' },
  { role: 'coordinator', action: 'xapi.unmatched.read', reach: 'all' },
  // The coordinator's corrections (issue 18): for people employed in their förvaltning.
  { role: 'coordinator', action: 'person.search', reach: 'unit' },
  { role: 'coordinator', action: 'record.read', reach: 'unit' },
  { role: 'coordinator', action: 'record.write', reach: 'unit' },
  { role: 'coordinator', action: 'record.annul', reach: 'unit' },
  { role: 'coordinator', action: 'exemption.read', reach: 'unit' },
  { role: 'coordinator', action: 'exemption.write', reach: 'unit' },
  { role: 'coordinator', action: 'reminder.nudge', reach: 'unit' },
  // The outbox of their förvaltning's staff: who was reminded, and whether it arrived.
  { role: 'coordinator', action: 'reminder.outbox', reach: 'unit' },
  // Reports to the nämnd (issue 20): published for their förvaltning, and read there.
  { role: 'coordinator', action: 'report.publish', reach: 'unit' },
  { role: 'coordinator', action: 'report.read', reach: 'unit' },

  { role: 'auditor', action: 'coverage.read', reach: 'all' },
  { role: 'auditor', action: 'people.read', reach: 'all' },
  { role: 'auditor', action: 'export.read', reach: 'all' },
  { role: 'auditor', action: 'export.people', reach: 'all' },
  { role: 'auditor', action: 'import.read', reach: 'all' },
  { role: 'auditor', action: 'audit.read', reach: 'all' },
  { role: 'auditor', action: 'record.read', reach: 'all' },
  { role: 'auditor', action: 'exemption.read', reach: 'all' },
  { role: 'auditor', action: 'report.read', reach: 'all' },

  { role: 'admin', action: 'coverage.read', reach: 'all' },
  { role: 'admin', action: 'people.read', reach: 'all' },
  { role: 'admin', action: 'export.read', reach: 'all' },
  { role: 'admin', action: 'export.people', reach: 'all' },
  { role: 'admin', action: 'course.write', reach: 'all' },
  { role: 'admin', action: 'requirement.write', reach: 'all' },
  { role: 'admin', action: 'import.read', reach: 'all' },
  { role: 'admin', action: 'import.write', reach: 'all' },
  // The organisation register names every unit every permission hangs on: admins only.
  { role: 'admin', action: 'units.write', reach: 'all' },
  { role: 'admin', action: 'xapi.unmatched.read', reach: 'all' },
  { role: 'admin', action: 'audit.read', reach: 'all' },
  { role: 'admin', action: 'role.manage', reach: 'all' },
  { role: 'admin', action: 'person.extract', reach: 'all' },
  { role: 'admin', action: 'person.search', reach: 'all' },
  { role: 'admin', action: 'record.read', reach: 'all' },
  { role: 'admin', action: 'record.write', reach: 'all' },
  { role: 'admin', action: 'record.annul', reach: 'all' },
  { role: 'admin', action: 'exemption.read', reach: 'all' },
  { role: 'admin', action: 'exemption.write', reach: 'all' },
  { role: 'admin', action: 'reminder.run', reach: 'all' },
  { role: 'admin', action: 'reminder.nudge', reach: 'all' },
  { role: 'admin', action: 'reminder.outbox', reach: 'all' },
  { role: 'admin', action: 'report.publish', reach: 'all' },
  { role: 'admin', action: 'report.read', reach: 'all' },
];

/** Words for the 403 message: what the caller tried to do. */
export const ACTION_WORDS: Record<Action, { sv: string; en: string }> = {
  'me.read': { sv: 'se din egen utbildning', en: 'see your own training' },
  'coverage.read': { sv: 'se täckningsgrad', en: 'see coverage' },
  'people.read': { sv: 'se namn på medarbetare', en: 'see staff names' },
  'export.read': { sv: 'exportera täckningsgrad', en: 'export coverage' },
  'export.people': { sv: 'exportera namn på medarbetare', en: 'export staff names' },
  'catalog.read': { sv: 'se kurser och krav', en: 'see courses and requirements' },
  'course.write': { sv: 'lägga upp eller ändra kurser', en: 'create or change courses' },
  'requirement.write': { sv: 'lägga upp eller ändra krav', en: 'create or change requirements' },
  'import.read': { sv: 'se importer', en: 'see imports' },
  'import.write': { sv: 'importera', en: 'import' },
  'units.write': { sv: 'importera organisationen', en: 'import the organisation' },
  'xapi.unmatched.read': { sv: 'se omatchade xAPI-utsagor', en: 'see unmatched xAPI statements' },
  'audit.read': { sv: 'läsa granskningsloggen', en: 'read the audit log' },
  'role.manage': { sv: 'tilldela roller', en: 'grant roles' },
  'person.extract': { sv: 'ta ut registerutdrag', en: 'take a register extract' },
  'person.search': { sv: 'söka medarbetare', en: 'search for staff' },
  'record.read': { sv: 'se en medarbetares registreringar', en: "see a person's records" },
  'record.write': { sv: 'registrera deltagande', en: 'record attendance' },
  'record.annul': { sv: 'makulera registreringar', en: 'annul records' },
  'exemption.read': { sv: 'se undantag', en: 'see exemptions' },
  'exemption.write': { sv: 'lägga in eller avsluta undantag', en: 'add or end exemptions' },
  'reminder.run': { sv: 'köra påminnelserna', en: 'run the reminders' },
  'reminder.nudge': { sv: 'påminna medarbetare', en: 'remind staff' },
  'reminder.outbox': { sv: 'läsa påminnelsernas utkorg', en: 'read the reminders outbox' },
  'report.publish': { sv: 'publicera rapporter', en: 'publish reports' },
  'report.read': { sv: 'läsa publicerade rapporter', en: 'read published reports' },
};

/** One script tag registers every element. */
export { KkMyTraining } from './kk-my-training.ts';
export { KkUnitCoverage } from './kk-unit-coverage.ts';
export { KkCoverageExport } from './kk-coverage-export.ts';
export { KkImport } from './kk-import.ts';
export { KkRequirements } from './kk-requirements.ts';
export { KkCorrections } from './kk-corrections.ts';
export { KkReminderOutbox } from './kk-reminder-outbox.ts';
export type { TokenRequestDetail } from './api.ts';

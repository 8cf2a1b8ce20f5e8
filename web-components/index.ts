/**
 * One script tag registers every element. What the intranet's pages for staff, managers and the
 * audit office show is defined at once; the coordinators' tools are defined when their tag first
 * appears on a page (see on-use.ts), so those pages never download them.
 */
import { defineOnUse } from './on-use.ts';

export { KkMyTraining } from './kk-my-training.ts';
export { KkUnitCoverage } from './kk-unit-coverage.ts';
export { KkCoverageExport } from './kk-coverage-export.ts';
export type { TokenRequestDetail } from './api.ts';

defineOnUse({
  'kk-import': () => import('./kk-import.ts'),
  'kk-requirements': () => import('./kk-requirements.ts'),
  'kk-corrections': () => import('./kk-corrections.ts'),
  'kk-reminder-outbox': () => import('./kk-reminder-outbox.ts'),
  'kk-reports': () => import('./kk-reports.ts'),
});

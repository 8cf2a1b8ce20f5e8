import type { AtomicRunner } from '../db/atomic.ts';
import type { Db } from '../db/schema.ts';
import { requireRequirement } from '../domain/coverage-report.ts';
import { insertCompletions } from '../domain/records.ts';
import { frozenPeople, publishReport } from '../domain/reports.ts';

/**
 * Two published reports for the demo city (`npm start`), so that `<kk-reports>` has something to
 * open: Hägersten-Älvsjö's tertial reports 1 and 2 of 2025, published by the demo coordinator, and
 * one completion registered afterwards, dated before T2's date, so that T2 shows a `late_record`.
 * Kept apart from `seedDemo`, whose world the browser tests build on. Does nothing when a report exists.
 */
export async function seedDemoReports(deps: { db: Db; atomic: AtomicRunner }, today: string): Promise<number> {
  const { db } = deps;
  if (await db.selectFrom('report').select('id').limit(1).executeTakeFirst()) return 0;
  if (!(await db.selectFrom('org_unit').select('id').where('code', '=', 'HAV').limit(1).executeTakeFirst())) return 0;
  const base = { unit: 'HAV', requirements: ['VBE-ALLA'] };
  await publishReport(deps, { ...base, title: 'Tertialrapport 1 2025', asOf: '2025-04-30', analysis: 'Andelen genomförda ökar sakta. Enheterna med lägst andel får påminnelser varje vecka.' }, '100007', today);
  const t2 = await publishReport(
    deps,
    { ...base, title: 'Tertialrapport 2 2025', asOf: '2025-08-31', analysis: 'Förskoleavdelningen ligger långt under målet; avdelningschefen följer upp vid APT i september.' },
    '100007',
    today,
  );
  // A seminar held in August and registered only after the report: the report stands, and says why it differs now.
  const late = (await frozenPeople(db, t2.id, 'VBE-ALLA')).find((p) => p.status === 'not_started');
  if (late) {
    const course = (await requireRequirement(db, 'VBE-ALLA')).courses[0];
    await insertCompletions(db, [
      { person_id: late.person_id, course_id: course.id, status: 'completed', occurred_at: '2025-08-20', source: 'manual', source_ref: null, recorded_by: '100007', recorded_at: new Date().toISOString(), import_batch_id: null },
    ]);
  }
  return 2;
}

import type { Db, EmploymentType, RecordStatus, UnitKind } from '../../server/db/schema.ts';
import { createCourse, type CourseInput } from '../../server/domain/courses.ts';
import { insertCompletions, insertEmployments, insertPeople, insertUnits } from '../../server/domain/records.ts';
import { saveRequirement, type RequirementInput } from '../../server/domain/requirements.ts';

/** Small hand-made worlds for tests, written through the domain's own inserts. */
export interface Fixture {
  /** [code, name, parentCode, kind, validFrom?, validTo?] */
  units?: [string, string, string | null, UnitKind, string?, string?][];
  /** [employeeNumber, name, email?] */
  people?: [string, string, string?][];
  employments?: { p: string; unit: string; from: string; to?: string; type?: EmploymentType; title?: string; manager?: boolean }[];
  courses?: CourseInput[];
  requirements?: RequirementInput[];
  completions?: { p: string; course: string; status: RecordStatus; at: string }[];
}

export async function load(db: Db, f: Fixture): Promise<void> {
  const now = '2020-01-01T00:00:00.000Z';
  if (f.units?.length) {
    await insertUnits(
      db,
      f.units.map(([code, name, parent, kind, from, to]) => ({
        code,
        name,
        parent_code: parent,
        kind,
        valid_from: from ?? '2000-01-01',
        valid_to: to ?? null,
        import_batch_id: null,
      })),
    );
  }
  if (f.people?.length) {
    await insertPeople(db, f.people.map(([employee_number, name, email]) => ({ employee_number, name, email: email ?? null, anonymised_at: null })));
  }
  const people = new Map((await db.selectFrom('person').select(['id', 'employee_number']).execute()).map((p) => [p.employee_number, p.id]));
  if (f.employments?.length) {
    await insertEmployments(
      db,
      f.employments.map((e) => ({
        person_id: people.get(e.p)!,
        unit_code: e.unit,
        title: e.title ?? null,
        employment_type: e.type ?? 'tillsvidare',
        is_manager: e.manager ? 1 : 0,
        start_date: e.from,
        end_date: e.to ?? null,
        import_batch_id: null,
      })),
    );
  }
  for (const c of f.courses ?? []) await createCourse(db, c, now);
  for (const r of f.requirements ?? []) await saveRequirement(db, r, now);
  if (f.completions?.length) {
    const courses = new Map((await db.selectFrom('course').select(['id', 'code']).execute()).map((c) => [c.code, c.id]));
    await insertCompletions(
      db,
      f.completions.map((c) => ({
        person_id: people.get(c.p)!,
        course_id: courses.get(c.course)!,
        status: c.status,
        occurred_at: c.at,
        source: 'manual' as const,
        source_ref: null,
        recorded_by: 'test',
        recorded_at: now,
        import_batch_id: null,
      })),
    );
  }
}

/** The unit tree many tests share: CITY > F1 (avdelningar F1-A, F1-B) and CITY > F2. */
export const CITY_F1_F2: NonNullable<Fixture['units']> = [
  ['CITY', 'Staden', null, 'stad'],
  ['F1', 'Förvaltning ett', 'CITY', 'forvaltning'],
  ['F1-A', 'Avdelning A', 'F1', 'avdelning'],
  ['F1-B', 'Avdelning B', 'F1', 'avdelning'],
  ['F2', 'Förvaltning två', 'CITY', 'forvaltning'],
];

/** A requirement with the defaults most tests want. */
export function requirement(over: Partial<RequirementInput> & Pick<RequirementInput, 'code' | 'courses' | 'scope'>): RequirementInput {
  return { title: over.code, effectiveFrom: '2000-01-01', source: 'test', ...over };
}

export function course(code: string, over: Partial<CourseInput> = {}): CourseInput {
  return { code, title: code, kind: 'web', ...over };
}

/**
 * The reports' world: F1 with avdelningar A (P1, P2) and B (P3, P4), F2 (P5). R1 (VBE, whole city)
 * in force from 2023-03-01, due 2024-06-30, target 75 %. Records: P1 completed 2024-02-10, P2
 * started 2024-03-01, P3 completed 2023-05-05, P4 none.
 */
export const REPORT_WORLD: Fixture = {
  units: CITY_F1_F2,
  people: [['P1', 'Ada Andersson'], ['P2', 'Bo Berg'], ['P3', 'Cia Ek'], ['P4', 'Dan Fors'], ['P5', 'Eva Gran']],
  employments: [
    { p: 'P1', unit: 'F1-A', from: '2020-01-01' },
    { p: 'P2', unit: 'F1-A', from: '2020-01-01' },
    { p: 'P3', unit: 'F1-B', from: '2020-01-01' },
    { p: 'P4', unit: 'F1-B', from: '2020-01-01' },
    { p: 'P5', unit: 'F2', from: '2020-01-01' },
  ],
  courses: [course('VBE')],
  requirements: [requirement({ code: 'R1', title: 'Grundutbildning VBE', titleEn: 'Basic course', courses: ['VBE'], scope: ['CITY'], effectiveFrom: '2023-03-01', dueDate: '2024-06-30', targetRate: 0.75 })],
  completions: [
    { p: 'P1', course: 'VBE', status: 'completed', at: '2024-02-10' },
    { p: 'P2', course: 'VBE', status: 'started', at: '2024-03-01' },
    { p: 'P3', course: 'VBE', status: 'completed', at: '2023-05-05' },
  ],
};

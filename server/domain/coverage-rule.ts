import { sql, type RawBuilder } from 'kysely';
import { addDays } from './calendar.ts';
import type { RequirementSpec } from './requirements.ts';

/**
 * docs/coverage-rules.md, each part written once as SQL. Every view builds its statement
 * from these pieces: the counts (/api/coverage, its children, the trend, the export's workbook)
 * and the people (the people list, my training). They differ only in what feeds the pieces:
 *
 * - a *probe*: each fact of a person's records read by index in a correlated subquery
 *   (`probeFacts`), what keeps the city's counts fast;
 * - an *aggregate*: every record of every person joined and grouped (`recordFacts` in a GROUP BY),
 *   where the people list also wants the deciding record.
 *
 * Both read the same records (`recordsOf`), tell them apart by the same tests (`genomford`, a
 * completion or a start) and decide by the same status (`statusOf`); the due date (`dueDate`), the
 * unbroken chain it starts from (`chainCtes`) and försenad (`overdue`) have one text each. Dates are validated YYYY-MM-DD
 * strings written into the statement as constants, which SQLite's planner needs and which keeps
 * every statement well below D1's 100 bound parameters.
 *
 * Aliases: `c` is a completion, `e` an employment.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A checked date as a SQL constant. */
export function day(d: string): RawBuilder<string> {
  if (!DATE.test(d)) throw new Error('a date must be YYYY-MM-DD');
  return sql.raw(`'${d}'`);
}

/** docs/coverage-rules.md, rule 1: employment `e` is active at D. */
export const activeAt = (D: string, e = 'e') =>
  sql.raw(`${e}.start_date <= '${D}' AND (${e}.end_date IS NULL OR ${e}.end_date >= '${D}')`);

/** A unit version (alias) valid at D. */
export const validAt = (alias: string, D: string) =>
  sql.raw(`${alias}.valid_from <= '${D}' AND (${alias}.valid_to IS NULL OR ${alias}.valid_to >= '${D}')`);

/** docs/coverage-rules.md, rule 2 — filters: R's employment types and titles, on employment alias `e`. */
export function filters(r: RequirementSpec, e: string): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (r.employmentTypes.length) {
    // Three possible values at most, from a closed set: written in as constants, which SQLite
    // plans far faster than a subquery.
    parts.push(sql`AND ${sql.ref(`${e}.employment_type`)} IN (${sql.join(r.employmentTypes.map((t) => sql.lit(t)))})`);
  }
  if (r.titles.length) {
    parts.push(sql`AND lower(${sql.ref(`${e}.title`)}) IN (SELECT lower(title) FROM requirement_title WHERE requirement_id = ${r.id})`);
  }
  return sql.join(parts, sql` `);
}

/**
 * Rules 4 and 5 read R's records (alias `c`) of person `who` that occurred on or before D. An
 * annulled record (POST /api/records/:id/annul) is passed by here, so it counts on no date and in
 * no view, as if it never happened; the row stays. The coverage index holds `annulled_at`
 * (sql/0008), so the test costs no table read.
 */
export function recordsOf(r: RequirementSpec, D: string, who: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`c.person_id = ${who} AND c.course_id IN (${sql.join(r.courses.map((x) => sql.lit(x.id)))}) AND c.occurred_at < ${day(addDays(D, 1))} AND c.annulled_at IS NULL`;
}

/** docs/coverage-rules.md, rule 5 tells records apart: a completion, or a start (started or failed). */
const isCompletion = sql`c.status = 'completed'`;
const isTry = sql`c.status <> 'completed'`;

/**
 * docs/coverage-rules.md, rule 2's exemptions, as a CTE `ex(person_id, info)`: the persons (of `who`, a SELECT of person
 * ids, when given) with an exemption from R active at D (from ≤ D ≤ to, or no to), each with the
 * one that applies as 'from|to|reason' (the earliest, should two ever overlap). Such a person is
 * not berörd for R at D: `withExemption` gives them the status 'exempt', which every view counts
 * as undantagen instead of in the population.
 */
export function exemptionCte(r: RequirementSpec, D: string, who?: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`ex(person_id, info) AS MATERIALIZED (
          SELECT x.person_id, MIN(x.from_date || '|' || COALESCE(x.to_date, '') || '|' || x.reason) FROM exemption x
          WHERE x.requirement_id = ${r.id} AND x.from_date <= ${day(D)} AND (x.to_date IS NULL OR x.to_date >= ${day(D)})
            ${who ? sql`AND x.person_id IN (${who})` : sql``}
          GROUP BY x.person_id
        ),`;
}

/** Person `who` is in `ex` (see `exemptionCte`). */
export const exempted = (who: RawBuilder<unknown>) => sql`${who} IN (SELECT person_id FROM ex)`;

/** Rule 2 before rules 4–5: an exempted person's status is 'exempt', whatever their records say. */
export function withExemption(isExempt: RawBuilder<unknown>, status: RawBuilder<unknown>): RawBuilder<Status> {
  return sql`(CASE WHEN ${isExempt} THEN 'exempt' ELSE ${status} END)`;
}

/** A person's standing for R at D: rules 4–5's three, or not berörd by an exemption. */
export type Status = 'completed' | 'started' | 'not_started' | 'exempt';

/**
 * docs/coverage-rules.md, rule 4: record `c` (one of `recordsOf`) makes its person genomförd at D: a completion not
 * expired at D. Its expiry was stored when it was written (`expiry.ts`): it counts up to the
 * day before `expires_on`.
 */
export const genomford = (D: string) => sql`(${isCompletion} AND (c.expires_on IS NULL OR c.expires_on > ${day(D)}))`;

/** What a person's records (`recordsOf`) say: the facts rule 5 decides the status from. */
export interface Facts {
  /** 1 when some record is genomförd at D. */
  done: RawBuilder<unknown>;
  /** The time of the latest completion, expired or not. */
  lastDone: RawBuilder<unknown>;
  /** The time of the latest started or failed record. */
  lastTry: RawBuilder<unknown>;
}

/** The facts as aggregates over the records `c` of a group (the people's GROUP BY). */
export const recordFacts = (D: string): Facts => ({
  done: sql`MAX(${genomford(D)})`,
  lastDone: sql`MAX(CASE WHEN ${isCompletion} THEN c.occurred_at END)`,
  lastTry: sql`MAX(CASE WHEN ${isTry} THEN c.occurred_at END)`,
});

/**
 * The same facts, each read by index for person `who` (the counts): `done` stops at the first
 * genomförd record, the latest times are read from the end of the index, and `statusOf` reads
 * the times only for those not genomförd, where one subquery grouping each person's records would
 * read them all for everyone.
 */
export function probeFacts(r: RequirementSpec, D: string, who: RawBuilder<unknown>): Facts {
  const of = recordsOf(r, D, who);
  return {
    done: sql`EXISTS (SELECT 1 FROM completion c WHERE ${of} AND ${genomford(D)})`,
    lastDone: sql`(SELECT MAX(c.occurred_at) FROM completion c WHERE ${of} AND ${isCompletion})`,
    lastTry: sql`(SELECT MAX(c.occurred_at) FROM completion c WHERE ${of} AND ${isTry})`,
  };
}

/**
 * docs/coverage-rules.md, rule 5: genomförd; else påbörjad when a started or failed record is later than every completed
 * one (so an expired completion alone leaves one ej påbörjad: the renewal has not begun); else
 * ej påbörjad.
 */
export function statusOf(f: Facts): RawBuilder<'completed' | 'started' | 'not_started'> {
  return sql`CASE
          WHEN ${f.done} = 1 THEN 'completed'
          WHEN ${f.lastTry} IS NOT NULL AND (${f.lastDone} IS NULL OR ${f.lastTry} > ${f.lastDone}) THEN 'started'
          ELSE 'not_started'
        END`;
}

/** A person's status at D from their records, read by index (`probeFacts`). */
export function probeStatus(r: RequirementSpec, D: string, who: RawBuilder<unknown>): RawBuilder<unknown> {
  return statusOf(probeFacts(r, D, who));
}

/**
 * docs/coverage-rules.md, rule 3: the due date, the later of R's due date and the first day of the person's unbroken
 * employment in R's scope (`chainStart`, see `chainCtes`) + R's grace days; NULL when R has neither.
 */
export function dueDate(r: RequirementSpec, chainStart: RawBuilder<unknown>): RawBuilder<string | null> {
  const fixed = r.dueDate === null ? null : day(r.dueDate);
  if (r.graceDays === null) return fixed ?? sql<null>`NULL`;
  const graceDue = sql<string | null>`date(${chainStart}, ${sql.lit(`+${r.graceDays} days`)})`;
  if (fixed === null) return graceDue;
  // SQLite's max() of two is NULL when either is: then R's date. One date() a row, not three (a
  // CASE naming the grace date thrice worked it out thrice: ~1 µs each, 15 000 times in the city).
  return sql<string | null>`COALESCE(max(${fixed}, ${graceDue}), ${fixed})`;
}

/**
 * docs/coverage-rules.md, rule 5 — försenad: berörd, not genomförd and the due date before D. A
 * CASE, so that the due date is worked out only for those not genomförd (an exempted person is not
 * berörd: never försenad).
 */
export function overdue(status: RawBuilder<unknown>, due: RawBuilder<unknown>, D: string): RawBuilder<0 | 1> {
  return sql`(CASE WHEN ${status} IN ('completed', 'exempt') THEN 0 WHEN ${due} IS NULL THEN 0 ELSE ${due} < ${day(D)} END)`;
}

/**
 * docs/coverage-rules.md, rule 3 — unbroken employment, for the persons `who` selects (a SELECT of person ids): `chain`
 * holds each one's first day of the unbroken chain of R-matching employments that reaches D, the
 * latest start that no earlier matching employment reaches (ends on or after the day before),
 * found in one ordered pass per person (the running latest end of the employments before it).
 * "Matching" is R's scope in any version of the tree (`ever_in_scope`), found by walking up
 * only from the units these persons have worked in. `plus` is '+' for one person: it keeps
 * SQLite from building an automatic index on a CTE of a few rows (see `one` in coverage.ts).
 */
export function chainCtes(r: RequirementSpec, D: string, who: RawBuilder<unknown>, plus: '' | '+' = ''): RawBuilder<unknown> {
  return sql`ever_up(unit_code, code) AS (
          SELECT DISTINCT e.unit_code, e.unit_code FROM employment e
          WHERE e.person_id IN (${who}) AND e.start_date <= ${day(D)}
          UNION
          SELECT ever_up.unit_code, o.parent_code FROM ever_up JOIN org_unit o ON o.code = ever_up.code WHERE o.parent_code IS NOT NULL
        ),
        ever_in_scope(code) AS (
          SELECT DISTINCT ever_up.unit_code FROM ever_up
          JOIN requirement_scope s ON s.unit_code = ${sql.raw(plus)}ever_up.code AND s.requirement_id = ${r.id}
        ),
        chain(person_id, start) AS MATERIALIZED (
          SELECT person_id, MAX(start_date) FROM (
            SELECT e.person_id, e.start_date,
              MAX(COALESCE(e.end_date, '9999-12-31')) OVER (
                PARTITION BY e.person_id ORDER BY e.start_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
              ) AS before_end
            FROM employment e
            WHERE e.person_id IN (${who}) AND e.start_date <= ${day(D)}
              AND EXISTS (SELECT 1 FROM ever_in_scope x WHERE ${sql.raw(plus)}x.code = e.unit_code) ${filters(r, 'e')}
          )
          WHERE before_end IS NULL OR before_end < date(start_date, '-1 day')
          GROUP BY person_id
        ),`;
}

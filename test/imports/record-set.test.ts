import { expect, it } from 'vitest';
import { RecordSet } from '../../server/imports/record-set.ts';

it('holds each record once, in the order first named, past several rehashes', () => {
  const set = new RecordSet();
  const at = (d: number) => `2024-01-${String((d % 28) + 1).padStart(2, '0')}${d % 3 ? 'T08:00:00' : ''}`;
  const statuses = ['completed', 'started', 'failed'] as const;
  // 30 000 records (person p, course p % 7, status p % 3, a date from p), each named twice.
  for (let round = 0; round < 2; round++) {
    for (let p = 1; p <= 30_000; p++) expect(set.add(100 + p, p, p % 7, statuses[p % 3], at(p))).toBe(round === 0);
  }
  expect(set.size).toBe(30_000);
  expect(set.times.length).toBe(56);
  // The first naming is the one kept.
  expect([set.row[0], set.person[0], set.course[0], set.statusOf(0), set.timeOf(0)]).toEqual([101, 1, 1, 'started', '2024-01-02T08:00:00']);
  expect(set.indexOf(29_999, 29_999 % 7, statuses[29_999 % 3], at(29_999))).toBe(29_998);
  // Any part different is another record.
  expect(set.indexOf(29_999, 29_999 % 7, 'failed', at(29_999))).toBe(statuses[29_999 % 3] === 'failed' ? 29_998 : -1);
  expect(set.indexOf(29_999, 29_999 % 7, statuses[29_999 % 3], '2024-01-01T08:00:01')).toBe(-1);
  expect(set.indexOf(30_001, 0, 'completed', at(1))).toBe(-1);
  expect(set.indexOf(1, 1, 'not_started', at(1))).toBe(-1);
});

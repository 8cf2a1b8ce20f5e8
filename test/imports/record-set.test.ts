import { expect, it } from 'vitest';
import { RecordSet } from '../../server/imports/record-set.ts';

const statuses = ['completed', 'started', 'failed'] as const;

it('marks every naming after the first as a repeat, and finds a record by its first naming', () => {
  const set = new RecordSet();
  const at = (d: number) => `2024-01-${String((d % 28) + 1).padStart(2, '0')}${d % 3 ? 'T08:00:00' : ''}`;
  // 30 000 records (person p, course p % 7, status p % 3, a date from p), each named twice:
  // rows 101 – 30 100, then 30 101 – 60 100 again, past several growths of the columns.
  for (let round = 0; round < 2; round++) {
    for (let p = 1; p <= 30_000; p++) set.add(100 + round * 30_000 + p, p, p % 7, statuses[p % 3], at(p));
  }
  expect(set.size).toBe(60_000);
  expect(set.times.length).toBe(56);
  const repeat = set.seal();
  // The first 30 000 kept, the second 30 000 repeats.
  expect(repeat.subarray(0, 30_000).every((r) => r === 0)).toBe(true);
  expect(repeat.subarray(30_000).every((r) => r === 1)).toBe(true);
  expect([set.row[0], set.person[0], set.course[0], set.statusOf(0), set.timeOf(0)]).toEqual([101, 1, 1, 'started', '2024-01-02T08:00:00']);
  // Person 29 999 is row 30 099's: course 4 (29 999 % 7), failed (29 999 % 3 = 2).
  expect(set.indexOf(29_999, 29_999 % 7, statuses[29_999 % 3], at(29_999))).toBe(29_998);
  // Any part different is another record.
  expect(set.indexOf(29_999, 29_999 % 7, 'started', at(29_999))).toBe(-1);
  expect(set.indexOf(29_999, 29_999 % 7, statuses[29_999 % 3], '2024-01-01T08:00:01')).toBe(-1);
  expect(set.indexOf(29_999, 0, statuses[29_999 % 3], at(29_999))).toBe(-1);
  expect(set.indexOf(30_001, 0, 'completed', at(1))).toBe(-1);
  expect(set.indexOf(1, 1, 'not_started', at(1))).toBe(-1);
});

it('groups by person, a person with many records among them, and keeps the first of each', () => {
  const set = new RecordSet();
  // Person 7: 40 records (past the insertion sort's 16), courses 1 – 20 each named on two dates,
  // written course 20 first, and course 3 on 2024-02-01 named three times (rows 2, 50 and 51).
  let row = 1;
  for (let c = 20; c >= 1; c--) {
    set.add(++row, 7, c, 'completed', '2024-02-01');
    set.add(++row, 7, c, 'completed', '2024-03-01');
  }
  // Rows 42 – 49: person 5, in the file after person 7; one record of it twice (rows 43 and 47).
  for (let c = 1; c <= 4; c++) set.add(++row, 5, c, 'started', '2024-01-15');
  set.add(++row, 5, 3, 'started', '2024-01-15');
  set.add(++row, 5, 2, 'started', '2024-01-15');
  set.add(++row, 5, 2, 'failed', '2024-01-15');
  set.add(++row, 5, 2, 'started', '2024-01-16');
  // Course 3 on 2024-02-01 again, twice.
  set.add(++row, 7, 3, 'completed', '2024-02-01');
  set.add(++row, 7, 3, 'completed', '2024-02-01');
  expect(set.size).toBe(50);
  const repeat = set.seal();
  const repeated = [...repeat.keys()].filter((i) => repeat[i]).map((i) => set.row[i]);
  // Person 5's course 3 (row 46 repeats row 44), course 2 (row 47 repeats row 43), and person 7's
  // course 3 on 2024-02-01 named first on row 36 (c = 3: rows 2 + 2 × (20 − 3) = 36), again on 50, 51.
  expect(repeated.sort((a, b) => a - b)).toEqual([46, 47, 50, 51]);
  // The first naming: row 36.
  expect(set.row[set.indexOf(7, 3, 'completed', '2024-02-01')]).toBe(36);
  expect(set.row[set.indexOf(7, 20, 'completed', '2024-03-01')]).toBe(3);
  expect(set.row[set.indexOf(5, 2, 'failed', '2024-01-15')]).toBe(48);
  expect(set.indexOf(5, 2, 'completed', '2024-01-15')).toBe(-1);
  expect(set.indexOf(6, 1, 'started', '2024-01-15')).toBe(-1);
  // By person: person 5's 8 records (rows 42 – 49) first, then person 7's 42 (rows 2 – 41, 50, 51),
  // each person's in the file's order.
  const rows = [...set.byPerson()].map((i) => set.row[i]);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
  expect(rows).toEqual([...range(42, 49), ...range(2, 41), 50, 51]);
});

it('is asked nothing before it is sealed', () => {
  const set = new RecordSet();
  set.add(2, 1, 1, 'completed', '2024-01-01');
  expect(() => set.indexOf(1, 1, 'completed', '2024-01-01')).toThrow(/seal/);
});

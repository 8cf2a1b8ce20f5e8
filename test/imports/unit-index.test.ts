import { expect, it } from 'vitest';
import type { OrgUnit } from '../../server/db/schema.ts';
import { UnitIndex } from '../../server/imports/unit-index.ts';

let id = 0;
const unit = (code: string, kind: OrgUnit['kind'], parent: string | null, from: string, to: string | null = null): OrgUnit => ({
  id: ++id,
  code,
  name: code,
  parent_code: parent,
  kind,
  valid_from: from,
  valid_to: to,
  import_batch_id: null,
});

it("finds a unit's förvaltning on each date across a reorganisation, in any order of asking", () => {
  const index = new UnitIndex([
    unit('STHLM', 'stad', null, '2000-01-01'),
    unit('F1', 'forvaltning', 'STHLM', '2000-01-01'),
    unit('F2', 'forvaltning', 'STHLM', '2000-01-01'),
    // Avdelning A moves from F1 to F2 on 2022-07-01; its enhet E goes with it.
    unit('A', 'avdelning', 'F1', '2000-01-01', '2022-06-30'),
    unit('A', 'avdelning', 'F2', '2022-07-01'),
    unit('E', 'enhet', 'A', '2000-01-01'),
    // X's two versions overlap from 2020 (bad data): on a day both are valid, the first listed counts.
    unit('X', 'enhet', 'F2', '2020-01-01'),
    unit('X', 'enhet', 'F1', '2000-01-01'),
    // Y's parent is not in the register.
    unit('Y', 'enhet', 'NOPE', '2000-01-01'),
  ]);
  const asked: [code: string, date: string, forvaltning: string][] = [
    // After the move, before it, after it again, and on either side of the day.
    ['E', '2023-01-01', 'F2'],
    ['E', '2021-05-01', 'F1'],
    ['E', '2023-01-01', 'F2'],
    ['E', '2022-06-30', 'F1'],
    ['E', '2022-07-01', 'F2'],
    ['A', '2022-07-01', 'F2'],
    ['F1', '2022-07-01', 'F1'],
    ['STHLM', '2022-07-01', 'STHLM'],
    // 2019: only X's F1 version is valid; 2021: both, and the F2 one is listed first.
    ['X', '2019-05-01', 'F1'],
    ['X', '2021-05-01', 'F2'],
    ['X', '2019-05-01', 'F1'],
    ['Y', '2021-05-01', 'Y'],
    // Before E existed nothing is valid: the code itself.
    ['E', '1999-12-31', 'E'],
  ];
  expect(asked.map(([code, date]) => index.forvaltningOf(code, date))).toEqual(asked.map(([, , f]) => f));
});

import { expect, it } from 'vitest';
import { answerJson } from '../../server/imports/answer-json.ts';
import type { ImportAnswer } from '../../server/imports/batch.ts';

const answer = (errors: number): ImportAnswer => ({
  batchId: 7,
  dryRun: false,
  kind: 'completions',
  rowsTotal: errors + 3,
  rowsAccepted: 3,
  rowsRejected: errors,
  skippedRows: 1,
  ignoredColumns: ['"errors":[]', 'Kommentar'],
  unmappedFields: ['email'],
  errors: Array.from({ length: errors }, (_, i) => ({
    row: i + 2,
    column: i % 2 ? 'Kurs' : null,
    message: `Okänd kurs "K\\${i}"`,
    messageSv: `Okänd kurs "K\\${i}"`,
    messageEn: `Unknown course "K\\${i}"`,
  })),
  changes: { added: 3 },
});

it('gives the answer as JSON.stringify does, in pieces of 1000 errors between the head and the tail', async () => {
  for (const [errors, pieces] of [[0, 2], [1, 3], [1000, 3], [2001, 5]]) {
    const out: string[] = [];
    for await (const piece of answerJson(answer(errors))) out.push(piece);
    expect(out.join(''), `${errors} errors`).toBe(JSON.stringify(answer(errors)));
    expect(out.length, `${errors} errors`).toBe(pieces);
  }
});

it('streams a roster answer\'s change list the same way, after its errors', async () => {
  const change = (i: number) => ({ change: 'ended' as const, employeeNumber: `P${i}`, name: `Namn "${i}"`, from: { code: 'U', name: 'Enhet' }, to: null, startDate: '2020-01-01', endDate: '2024-02-29' });
  for (const [n, pieces] of [[0, 4], [1500, 6]]) {
    const a: ImportAnswer = { ...answer(3), kind: 'roster', changes: { ended: n }, changeList: Array.from({ length: n }, (_, i) => change(i)), safety: { blocked: false, confirmEnded: n, reasons: ['manyEnded'], activeInScope: n } };
    const out: string[] = [];
    for await (const piece of answerJson(a)) out.push(piece);
    expect(out.join('')).toBe(JSON.stringify(a));
    expect(JSON.parse(out.join('')).changeList).toHaveLength(n);
    expect(out.length, `${n} changes`).toBe(pieces);
  }
});

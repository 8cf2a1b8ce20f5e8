import { expect, it } from 'vitest';
import { batchedLines } from '../../server/log-lines.ts';

const turn = () => new Promise((r) => setImmediate(r));

it('writes the lines of one turn together, in order, and the next turn’s apart', async () => {
  const writes: string[] = [];
  const log = batchedLines((t) => writes.push(t));
  log.line('{"n":1}');
  log.line('{"n":2}');
  expect(writes).toEqual([]);
  await turn();
  expect(writes).toEqual(['{"n":1}\n{"n":2}\n']);
  log.line('{"n":3}');
  await turn();
  expect(writes).toEqual(['{"n":1}\n{"n":2}\n', '{"n":3}\n']);
});

it('writes what is waiting at once on flush, and nothing twice', async () => {
  const writes: string[] = [];
  const log = batchedLines((t) => writes.push(t));
  log.line('a');
  log.flush();
  expect(writes).toEqual(['a\n']);
  await turn();
  log.flush();
  expect(writes).toEqual(['a\n']);
});

import type { ImportAnswer } from './batch.ts';
import { pacer } from '../pace.ts';

/** Errors serialised per piece between asking the pacer. */
const ERRORS_PER_PIECE = 1000;
const EMPTY = '"errors":[]';

/**
 * The answer as JSON text in pieces, together the text JSON.stringify gives. A file with a
 * rejection on most of its rows answers with that many errors: 150 000 took ~200 ms to serialise
 * and encode in one go, every other request waiting.
 */
export async function* answerJson(answer: ImportAnswer): AsyncGenerator<string> {
  // Every field before the errors is a number, a boolean or a kind: this is the list's place.
  const whole = JSON.stringify({ ...answer, errors: [] });
  const at = whole.indexOf(EMPTY);
  yield `${whole.slice(0, at)}"errors":[`;
  const pause = pacer();
  for (let i = 0; i < answer.errors.length; i += ERRORS_PER_PIECE) {
    const piece = JSON.stringify(answer.errors.slice(i, i + ERRORS_PER_PIECE));
    yield (i ? ',' : '') + piece.slice(1, -1);
    await pause();
  }
  yield `]${whole.slice(at + EMPTY.length)}`;
}

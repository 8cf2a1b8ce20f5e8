import type { ImportAnswer } from './batch.ts';
import { pacer } from '../pace.ts';

/** Entries serialised per piece between asking the pacer. */
const PER_PIECE = 1000;
/** The answer's lists that can be as long as the file: streamed a piece at a time. */
const LISTS = ['errors', 'changeList'] as const;

/**
 * The answer as JSON text in pieces, together the text JSON.stringify gives. A file with a
 * rejection on most of its rows answers with that many errors: 150 000 took ~200 ms to serialise
 * and encode in one go, every other request waiting; a city's snapshot lists as many changes.
 */
export async function* answerJson(answer: ImportAnswer): AsyncGenerator<string> {
  const emptied: Record<string, unknown> = { ...answer };
  for (const k of LISTS) if (answer[k]) emptied[k] = [];
  // Within string values quotes are escaped, so `"errors":[]` can only be the list's own place.
  let rest = JSON.stringify(emptied);
  let close = '';
  const pause = pacer();
  for (const k of LISTS) {
    const list = answer[k] as unknown[] | undefined;
    if (!list) continue;
    const marker = `"${k}":[]`;
    const at = rest.indexOf(marker);
    yield `${close}${rest.slice(0, at)}"${k}":[`;
    for (let i = 0; i < list.length; i += PER_PIECE) {
      const piece = JSON.stringify(list.slice(i, i + PER_PIECE));
      yield (i ? ',' : '') + piece.slice(1, -1);
      await pause();
    }
    close = ']';
    rest = rest.slice(at + marker.length);
  }
  yield close + rest;
}

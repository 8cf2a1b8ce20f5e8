import { yieldNow } from '../pace.ts';

/**
 * A large read a page at a time, by id (`read(after, limit)` gives the rows with id > after, in id
 * order, at most `limit`), with a turn of the event loop between pages: a read of every person or
 * employment in one statement held the server for 100–250 ms and its rows all at once.
 */
export async function* idPages<R extends { id: number }>(read: (after: number, limit: number) => Promise<R[]>, limit: number): AsyncGenerator<R[]> {
  for (let after = 0; ; ) {
    const page = await read(after, limit);
    if (page.length) yield page;
    if (page.length < limit) return;
    after = page[page.length - 1].id;
    await yieldNow();
  }
}

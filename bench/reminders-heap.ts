import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../server/db/schema.ts';
import { decideReminders } from '../server/domain/reminder-decision.ts';
import { notYetDecided } from '../server/domain/reminder-outbox.ts';
import { loadRequirements } from '../server/domain/requirements.ts';

export interface DecisionHeap {
  chunks: number;
  messages: number;
  /** The live heap's largest excess over its start, after a full collection at every `EVERY`th chunk. */
  maxMb: number;
  /** What is still held when the decision is done: the answer (the new messages' short views). */
  answerMb: number;
  /**
   * The largest excess apart from the answer so far (each sample less its views at the answer's
   * measured size per view): the pages in flight and the digests' candidates.
   */
  ownMb: number;
}

const MB = 1024 * 1024;
/** A full collection of the bench's own heap takes ~0.1 s: one at every 4th chunk of 500 messages. */
export const EVERY = 4;

/**
 * What a day's decision holds (issue 19, "flat memory"): the decision of `runReminders`' dry run
 * (decideReminders, the new messages' short views kept for the answer), in this process on the
 * same file, with a full collection after every 4th chunk it hands over, so that the figure is what it
 * keeps, not the garbage awaiting collection that the server's RSS also shows. Needs node's
 * --expose-gc (`npm run bench` has it); null without.
 */
export async function decisionHeap(dbFile: string, asOf: string, pageSize?: number): Promise<DecisionHeap | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  const sqlite = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    const specs = await loadRequirements(db);
    const live = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const start = live();
    let answer: { kind: string; to: string; employeeNumber: string; requirement: string; dueDate: string | null }[] = [];
    const samples: [number, number][] = [];
    let chunks = 0;
    let messages = 0;
    await decideReminders(
      db,
      specs,
      asOf,
      async (batch) => {
        const fresh = await notYetDecided(db, batch);
        for (const m of fresh) if (m.to) answer.push({ kind: m.kind, to: m.to, employeeNumber: m.employeeNumber, requirement: m.requirement, dueDate: m.dueDate });
        messages += batch.length;
        chunks++;
        if (chunks % EVERY === 0) samples.push([live() - start, answer.length]);
      },
      pageSize,
    );
    const views = answer.length;
    const held = live();
    samples.push([held - start, views]);
    answer = [];
    const perView = views ? (held - live()) / views : 0;
    const maxMb = Math.max(...samples.map(([b]) => b)) / MB;
    const ownMb = Math.max(...samples.map(([b, n]) => b - n * perView)) / MB;
    return { chunks, messages, maxMb, answerMb: (perView * views) / MB, ownMb };
  } finally {
    await db.destroy();
  }
}

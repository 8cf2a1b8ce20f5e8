import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A thread with a connection of its own to the database file. `setup` and `onMessage` are
 * CommonJS source (no loader for TypeScript runs in a worker) with `db` (better-sqlite3),
 * `workerData` and, in `onMessage`, the message `m` in scope; the message 'close' closes the
 * connection and ends the thread (`closeThread`). The thread never keeps the process alive.
 */
export function sqliteThread(file: string, code: { setup?: string; onMessage: string }, data: Record<string, unknown> = {}): Worker {
  const source = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
${code.setup ?? ''}
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  ${code.onMessage}
});
`;
  const worker = new Worker(source, { eval: true, workerData: { ...data, file, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
  worker.unref();
  return worker;
}

/** Closes the thread's connection and waits for the thread to end. */
export async function closeThread(worker: Worker): Promise<void> {
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.postMessage('close');
  await exited;
}

// `npm run backup -- <file>`: a consistent copy of the live database (KK_DB) while the server runs.
// VACUUM INTO reads one snapshot in a single read transaction, so writers carry on (WAL) and the
// copy is never a mix of before and after; it is written beside the target and renamed into place.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';

export function backup(source: string, target: string): { integrity: string; bytes: number } {
  if (!existsSync(source)) throw new Error(`No database at ${source} (set KK_DB).`);
  if (resolve(source) === resolve(target)) throw new Error('The backup must not overwrite the database itself.');
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    db.prepare('VACUUM INTO ?').run(partial);
  } finally {
    db.close();
  }
  const copy = new BetterSqlite3(partial, { readonly: true });
  let integrity: string;
  try {
    integrity = String(copy.pragma('integrity_check', { simple: true }));
  } finally {
    copy.close();
  }
  if (integrity !== 'ok') {
    rmSync(partial, { force: true });
    throw new Error(`The copy failed its integrity check: ${integrity}`);
  }
  renameSync(partial, target);
  return { integrity, bytes: statSync(target).size };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // npm runs scripts from the package folder; a relative target means where the command was typed.
  const target = process.argv[2] ? resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2]) : undefined;
  const source = process.env.KK_DB ?? 'data/kompetenskoll.db';
  if (!target) {
    console.error('Usage: npm run backup -- <file>   (reads KK_DB, default data/kompetenskoll.db)');
    process.exit(2);
  }
  try {
    const started = performance.now();
    const r = backup(source, target);
    console.log(JSON.stringify({ level: 'info', at: new Date().toISOString(), job: 'backup', target, bytes: r.bytes, integrity: r.integrity, ms: Math.round(performance.now() - started) }));
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}

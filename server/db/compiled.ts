import { CompiledQuery, type Compilable, type RawBuilder } from 'kysely';
import type { Db } from './schema.ts';

/** A compiled statement in which some parameters are stand-ins, bound afresh on each run. */
export interface Template {
  sql: string;
  parameters: readonly unknown[];
  /** For each parameter, the index of the argument that takes its place, or -1 to keep it. */
  slots: number[];
}

/** `compiled`, noting where each of `marks` (stand-in values) stands among its parameters. */
export function template(compiled: CompiledQuery, marks: readonly unknown[]): Template {
  return { sql: compiled.sql, parameters: compiled.parameters, slots: compiled.parameters.map((p) => marks.indexOf(p)) };
}

/** The template with `args` in place of its stand-ins. */
export function bind<R>(t: Template, args: readonly unknown[]): CompiledQuery<R> {
  return CompiledQuery.raw(
    t.sql,
    t.parameters.map((p, i) => (t.slots[i] >= 0 ? args[t.slots[i]] : p)),
  ) as CompiledQuery<R>;
}

/**
 * A query built and compiled once per database handle, then only bound: building and compiling a
 * small query with Kysely cost more than SQLite running it (`npm run bench`, my-training, where
 * several run on every request). The builder must use its arguments only as parameter values.
 */
export function reusable<A extends unknown[], R>(build: (db: Db, ...args: A) => Compilable<R> | RawBuilder<R>) {
  const kept = new WeakMap<Db, Template>();
  return async (db: Db, ...args: A): Promise<R[]> => {
    let t = kept.get(db);
    if (!t) {
      const marks = args.map((_, i) => `\u0000stand-in ${i}\u0000`);
      // A query builder compiles itself; a sql`` statement needs the database to compile for.
      const q = build(db, ...(marks as A)) as { compile(db: Db): CompiledQuery<R> };
      t = template(q.compile(db), marks);
      kept.set(db, t);
    }
    return (await db.executeQuery(bind<R>(t, args))).rows;
  };
}

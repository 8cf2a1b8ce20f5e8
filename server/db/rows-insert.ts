import { createQueryId, type CompiledQuery, type QueryId, type RootOperationNode } from 'kysely';

export type RowValue = string | number | null;

/**
 * A multi-row INSERT that carries its rows as well as its SQL. D1 runs the SQL (hundreds of rows a
 * statement within its 100 bound parameters, so most values written in as literals). SQLite's
 * driver runs the rows instead, through one prepared single-row statement that binds every value,
 * and the SQL is then never built: a new statement of literals parsed for every few dozen rows
 * was about half of an import's write (the city's roster, timed inside the server under
 * `npm run bench`'s import phase: its write 1.1 s against 0.5 s; docs/performance.md).
 */
export class RowsInsert implements CompiledQuery {
  readonly queryId: QueryId = createQueryId();
  #compiled: CompiledQuery | null = null;
  // Not a field named `compile`: Kysely's executeQuery takes anything with a compile() for a query
  // builder and would build the SQL.
  readonly #build: () => CompiledQuery;

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
    readonly rows: readonly RowValue[][],
    readonly orIgnore: boolean,
    /**
     * Rows of the whole load this statement is a part of, where the table's indexes may be set
     * aside for it (`bulk-load.ts`); null to keep them.
     */
    readonly load: number | null,
    /** The statement as D1 takes it, built when first asked for. */
    build: () => CompiledQuery,
  ) {
    this.#build = build;
  }

  /** One row, every value bound: the same text for every statement into this table and columns. */
  get rowSql(): string {
    return `insert${this.orIgnore ? ' or ignore' : ''} into "${this.table}" (${this.columns.map((c) => `"${c}"`).join(', ')}) values (${this.columns.map(() => '?').join(', ')})`;
  }

  get sql(): string {
    return this.#built().sql;
  }

  get parameters(): ReadonlyArray<unknown> {
    return this.#built().parameters;
  }

  get query(): RootOperationNode {
    return this.#built().query;
  }

  #built(): CompiledQuery {
    return (this.#compiled ??= this.#build());
  }
}

/**
 * D1 binds at most 100 parameters per statement, so multi-row inserts are cut into chunks of
 * floor(100 / columns) rows; SQLite would take more, but both runtimes run the same statements.
 */
export const MAX_BOUND_PARAMS = 100;

export function chunkRows<T extends object>(rows: T[]): T[][] {
  if (!rows.length) return [];
  const columns = Object.keys(rows[0]).length || 1;
  const size = Math.max(1, Math.floor(MAX_BOUND_PARAMS / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

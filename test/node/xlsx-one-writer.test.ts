import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// One xlsx writer (server/exports/xlsx-writer.ts): SheetJS only reads uploads on the server, so
// every workbook we hand out is written with the same formula-safe, filterable code.
const root = new URL('../../server/', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('xlsx on the server', () => {
  it('is written by xlsx-writer.ts only, and SheetJS is imported only to read', () => {
    const writers: string[] = [];
    const importers: string[] = [];
    for (const f of files(root)) {
      const src = readFileSync(f, 'utf8');
      const rel = f.slice(root.length);
      if (/\bXLSX\.(write|writeFile|writeXLSX|stream)\b|\butils\.(book_new|book_append_sheet|aoa_to_sheet|json_to_sheet|sheet_add_aoa|sheet_add_json)\b/.test(src)) writers.push(rel);
      if (/from ['"]xlsx['"]/.test(src)) importers.push(rel);
    }
    expect(writers).toEqual([]);
    expect(importers).toEqual(['imports/read-sheet.ts']);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROSTER_COLUMNS, UNIT_COLUMNS, COMPLETION_COLUMNS } from '../../server/imports/headers.ts';
import { BEGIN, DOC, END, renderHeaderTables, spliceHeaderTables } from '../../scripts/docs-headers.ts';

describe('the header table in docs/imports.md', () => {
  const doc = readFileSync(DOC, 'utf8');

  it('is what scripts/docs-headers.ts renders from server/imports/headers.ts (run `npm run docs`)', () => {
    const table = doc.slice(doc.indexOf(BEGIN) + BEGIN.length, doc.indexOf(END)).trim();
    expect(table).toBe(renderHeaderTables());
    expect(spliceHeaderTables(doc)).toBe(doc);
  });

  it('names every synonym of every field, so a table out of step with headers.ts is caught', () => {
    const table = doc.slice(doc.indexOf(BEGIN), doc.indexOf(END));
    for (const columns of [UNIT_COLUMNS, ROSTER_COLUMNS, COMPLETION_COLUMNS]) {
      for (const [field, spec] of Object.entries(columns)) {
        expect(table).toContain(`| \`${field}\` |`);
        for (const name of spec.names) expect(table).toContain(`\`${name}\``);
      }
    }
  });

  it('changes when a synonym is added, and the splice then puts it in', () => {
    const more = { ...UNIT_COLUMNS, code: { names: [...UNIT_COLUMNS.code.names, 'Enhets-id'] } };
    const tables = renderHeaderTables([['units', more]]);
    expect(tables).toContain('`Enhets-id`');
    const spliced = spliceHeaderTables(doc, tables);
    expect(spliced).not.toBe(doc);
    expect(spliced).toContain('`Enhets-id`');
    expect(spliced.startsWith(doc.slice(0, doc.indexOf(BEGIN)))).toBe(true);
    expect(spliced.endsWith(doc.slice(doc.indexOf(END)))).toBe(true);
  });

  it('refuses a document without its markers rather than writing the table somewhere else', () => {
    expect(() => spliceHeaderTables('# Imports\n')).toThrow(/markers/);
  });
});

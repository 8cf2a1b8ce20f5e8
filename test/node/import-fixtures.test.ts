import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { fixtures } from '../fixtures/files.ts';

// The API tests read the fixture files through files.ts (no file system in workerd): both must
// hold the same bytes, so neither drifts from what make-fixtures.ts wrote.
it('files.ts holds exactly the bytes of the fixture files', () => {
  for (const [name, bytes] of Object.entries(fixtures)) {
    expect(Buffer.from(bytes).equals(readFileSync(new URL(`../fixtures/${name}`, import.meta.url))), name).toBe(true);
  }
  // Saved as Excel saves them: a Windows-1252 Ö is one byte, the BOM file starts with EF BB BF.
  expect([...fixtures['completions-semicolon-1252.csv'].subarray(0, 6)]).toEqual([0x41, 0x6e, 0x73, 0x74, 0xe4, 0x6c]);
  expect([...fixtures['roster-utf8-bom.csv'].subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
});

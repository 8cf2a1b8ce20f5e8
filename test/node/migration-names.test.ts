import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MIGRATION_NAMES } from '../../server/db/migration-names.ts';

it('lists exactly the files in sql/, in order (run `npm run migrations:names` after adding one)', () => {
  const files = readdirSync(new URL('../../sql/', import.meta.url))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => f.replace(/\.sql$/, ''));
  expect([...MIGRATION_NAMES]).toEqual(files);
});

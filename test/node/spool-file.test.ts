import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { fileSpool, sweepStaleSpools } from '../../server/imports/spool-file.ts';
import { memorySpool } from '../../server/imports/spool.ts';

// Where an upload waits while it is imported: a temporary file on Node, read back in chunks,
// hashed as it was written, gone once disposed. The memory spool (Workers) answers the same.

const dir = mkdtempSync(join(tmpdir(), 'kk-spool-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
});

it('gives back what was written, its size, hash and first bytes, and leaves nothing behind', async () => {
  const bytes = Uint8Array.from({ length: 3_000_000 }, (_, i) => (i * 31) % 251);
  for (const spool of [fileSpool(dir), memorySpool()]) {
    for (let at = 0; at < bytes.length; at += 70_001) await spool.write(bytes.subarray(at, at + 70_001));
    const done = await spool.finish();
    expect(done.size).toBe(bytes.length);
    expect(done.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect([...done.head]).toEqual([...bytes.subarray(0, 16)]);
    // Read back twice (an import planned again reads the file again).
    for (let k = 0; k < 2; k++) {
      const parts: Uint8Array[] = [];
      for await (const c of spool.chunks()) parts.push(new Uint8Array(c));
      expect(parts.length).toBeGreaterThan(1);
      expect(Buffer.concat(parts).equals(Buffer.from(bytes))).toBe(true);
    }
    expect(Buffer.from(await spool.bytes()).equals(Buffer.from(bytes))).toBe(true);
    await spool.dispose();
    await spool.dispose();
  }
  expect(readdirSync(dir)).toEqual([]);
});

it('an empty upload is empty, and a reader stopped early is closed by dispose', async () => {
  const empty = fileSpool(dir);
  expect(await empty.finish()).toMatchObject({ size: 0, head: new Uint8Array(0) });
  for await (const _ of empty.chunks()) throw new Error('no chunk expected');
  await empty.dispose();

  const spool = fileSpool(dir);
  await spool.write(new Uint8Array(5_000_000));
  await spool.finish();
  const it = spool.chunks()[Symbol.asyncIterator]();
  expect((await it.next()).done).toBe(false);
  expect(readdirSync(dir).length).toBe(1);
  await spool.dispose();
  expect(readdirSync(dir)).toEqual([]);
  expect(existsSync(dir)).toBe(true);
});

it('sweeps the upload folders older than a day that a killed server left, and keeps a fresh one and other folders', async () => {
  const now = Date.now();
  const make = (name: string, ageHours: number) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'upload'), 'x');
    const t = new Date(now - ageHours * 3600_000);
    utimesSync(join(dir, name), t, t);
  };
  make('kk-upload-old', 25);
  make('kk-upload-fresh', 1);
  make('other-old', 48);
  expect(await sweepStaleSpools(dir, 24 * 3600_000, now)).toBe(1);
  expect(readdirSync(dir).sort()).toEqual(['kk-upload-fresh', 'other-old']);
});

import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Spool } from './spool.ts';

const PREFIX = 'kk-upload-';

/**
 * An upload spooled to a temporary file (Node): hashed as it is written, read back in 64 KiB
 * chunks, removed when the import is done.
 */
export function fileSpool(dir = tmpdir()): Spool {
  let folder: string | null = null;
  let file: FileHandle | null = null;
  let size = 0;
  const head: number[] = [];
  const hash = createHash('sha256');
  const readers = new Set<ReadStream>();
  const path = () => join(folder!, 'upload');
  return {
    async write(chunk) {
      if (!file) {
        folder = await mkdtemp(join(dir, PREFIX));
        file = await open(path(), 'w', 0o600);
      }
      for (let i = 0; i < chunk.length && head.length < 16; i++) head.push(chunk[i]);
      hash.update(chunk);
      size += chunk.length;
      let at = 0;
      while (at < chunk.length) at += (await file.write(chunk, at, chunk.length - at)).bytesWritten;
    },
    async finish() {
      await file?.close();
      file = null;
      return { size, sha256: hash.digest('hex'), head: Uint8Array.from(head) };
    },
    async *chunks() {
      if (!folder) return;
      // A megabyte at a time: each read waits for a turn of the event loop, which under load is long.
      const stream = createReadStream(path(), { highWaterMark: 1024 * 1024 });
      readers.add(stream);
      try {
        for await (const c of stream) yield c as Uint8Array;
      } finally {
        stream.destroy();
        readers.delete(stream);
      }
    },
    async bytes() {
      return folder ? new Uint8Array(await readFile(path())) : new Uint8Array(0);
    },
    async dispose() {
      for (const r of readers) r.destroy();
      readers.clear();
      await file?.close().catch(() => undefined);
      file = null;
      if (folder) await rm(folder, { recursive: true, force: true });
      folder = null;
    },
  };
}

/**
 * Removes the upload folders a server killed mid-import left behind (a finished import removes its
 * own): those older than `olderThanMs`, so that another server's import under way on the same
 * machine keeps its file. Returns how many it removed.
 */
export async function sweepStaleSpools(dir = tmpdir(), olderThanMs = 24 * 3600_000, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(PREFIX)) continue;
    const folder = join(dir, name);
    const info = await stat(folder).catch(() => null);
    if (!info?.isDirectory() || now - info.mtimeMs < olderThanMs) continue;
    await rm(folder, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

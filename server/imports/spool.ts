/**
 * Where an upload's file goes as its body streams in, to be read back once the whole form has
 * been read (a column mapping may follow the file) and the file's kind is known: CSV is then read
 * from it a chunk at a time, a workbook whole. On Node a temporary file (`spool-file.ts`), so a
 * CSV is never held in memory; elsewhere (Workers, whose uploads are bounded at a few MB) memory.
 */
export interface Spool {
  write(chunk: Uint8Array): Promise<void>;
  /** After the last write: the size, the SHA-256 (hex) and the first bytes (to tell the kind). */
  finish(): Promise<{ size: number; sha256: string; head: Uint8Array }>;
  /** The content again, a chunk at a time. */
  chunks(): AsyncIterable<Uint8Array>;
  /** The content whole (a workbook). */
  bytes(): Promise<Uint8Array>;
  /** Drops what was written. Safe to call twice. */
  dispose(): Promise<void>;
}

export type SpoolFactory = () => Spool;

const HEAD_BYTES = 16;

export const hex = (digest: ArrayBuffer | Uint8Array) => [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** In memory: the chunks as they came, joined once at the end. */
export function memorySpool(): Spool {
  let parts: Uint8Array[] = [];
  let whole: Uint8Array | null = null;
  return {
    async write(chunk) {
      parts.push(chunk.slice());
    },
    async finish() {
      const size = parts.reduce((n, p) => n + p.length, 0);
      whole = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        whole.set(p, at);
        at += p.length;
      }
      parts = [];
      const digest = await crypto.subtle.digest('SHA-256', whole as Uint8Array<ArrayBuffer>);
      return { size, sha256: hex(digest), head: whole.slice(0, HEAD_BYTES) };
    },
    async *chunks() {
      const all = whole ?? new Uint8Array(0);
      for (let at = 0; at < all.length; at += 65536) yield all.subarray(at, at + 65536);
    },
    async bytes() {
      return whole ?? new Uint8Array(0);
    },
    async dispose() {
      parts = [];
      whole = null;
    },
  };
}

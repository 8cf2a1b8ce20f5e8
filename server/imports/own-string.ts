/**
 * A copy of a string that shares nothing: text parsed from a file may be a slice of the chunk it
 * came from (V8 slices substrings of 13 characters and more), and a kept slice keeps its chunk
 * whole — a name kept per person would keep the whole file.
 */
export function ownString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/**
 * One string per distinct value, of its own: unit codes, titles and dates repeat over tens of
 * thousands of rows, and each row's copy would cost its own ~30–60 bytes.
 */
export function interner(): <T extends string | null>(s: T) => T {
  const seen = new Map<string, string>();
  return <T extends string | null>(s: T): T => {
    if (s === null) return s;
    let v = seen.get(s);
    if (v === undefined) {
      v = ownString(s);
      seen.set(v, v);
    }
    return v as T;
  };
}

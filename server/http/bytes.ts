/** Two byte chunks as one (the streamed readers' carry-over between chunks); `b` itself when `a` is empty. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (!a.length) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

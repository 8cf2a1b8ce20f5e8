/** The bytes in chunks of the given sizes, repeated over the whole (a body as a network cuts it). */
export async function* pieces(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (let k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    yield bytes.slice(at, at + n);
    at += n;
  }
}

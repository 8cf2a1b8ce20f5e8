/**
 * Lets the event loop answer other requests during a long pass. setImmediate where the runtime has
 * it (Node; workerd with nodejs_compat): a turn of the loop and no more, where setTimeout(0) also
 * waits out its minimum delay when nothing else is waiting.
 */
export const yieldNow = (): Promise<void> =>
  new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * For a long loop: `await pause()` costs nothing until 8 ms have passed since the last turn, then
 * lets other requests run (a 300 000-row pass would otherwise stall every reader for a second).
 */
export function pacer(everyMs = 8): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < everyMs) return undefined;
    return yieldNow().then(() => {
      since = performance.now();
    });
  };
}

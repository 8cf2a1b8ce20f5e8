/**
 * Log lines gathered over one turn of the event loop and written together. A write of its own per
 * request (console.log: formatting, a colour check and a system call each) measured ~4 % of the
 * event loop under load (autocannon on my-training, a CPU profile). `flush` writes what is still
 * waiting; the Node entry calls it as the process exits, so no line is lost to a normal exit or an
 * uncaught error (only a SIGKILL loses the lines of the turn it lands in).
 */
export function batchedLines(write: (text: string) => void): { line(text: string): void; flush(): void } {
  let waiting: string[] = [];
  const flush = () => {
    if (!waiting.length) return;
    const text = `${waiting.join('\n')}\n`;
    waiting = [];
    write(text);
  };
  return {
    line(text: string) {
      if (waiting.push(text) === 1) setImmediate(flush);
    },
    flush,
  };
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The server under test: the built `server/node.ts` (`dist/server/node.mjs`, as `npm start` and
 * a deployment run it) as its own process (so its memory is its own), on a free loopback port, a
 * fresh database file, development sign-in and no demo data.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerUnderTest {
  url: string;
  pid: number;
  /** Resident set now, and the peak since start or the last resetPeak(), in MB. */
  rssMb(): number;
  peakMb(): number;
  /** Starts a new peak window (Linux clear_refs 5; falls back to sampling). */
  resetPeak(): void;
  /** The peak over the server's whole life so far, in MB. */
  overallPeakMb(): number;
  /** CPU time (user + system) the server has used so far, in ms. */
  cpuMs(): number;
  stderr(): string;
  stop(): Promise<void>;
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

let built = false;
/** The server built from this checkout's source, once per bench run. */
function buildServer() {
  if (built) return;
  const r = spawnSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('scripts/build-server.mjs failed');
  built = true;
}

export async function startServer(dbFile: string, opts: { cpuProf?: string } = {}): Promise<ServerUnderTest> {
  const port = await freePort();
  buildServer();
  const args = ['--enable-source-maps'];
  if (opts.cpuProf) args.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`);
  args.push('dist/server/node.mjs');
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, KK_AUTH: 'dev', KK_DEMO: '0', KK_DB: dbFile, PORT: String(port), KK_MAX_UPLOAD_MB: '200' },
    // The request log goes nowhere: a pipe nobody reads would stall the server under load.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-20_000);
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`server exited while starting:\n${err}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer /api/health within 60 s:\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, status(pid, 'VmRSS'));
  }, 50);
  sampler.unref();
  let clearWorks = true;
  let overallPeak = 0;
  return {
    url,
    pid,
    rssMb: () => status(pid, 'VmRSS'),
    peakMb: () => {
      const hwm = clearWorks ? status(pid, 'VmHWM') : 0;
      const p = Math.max(hwm, sampledPeak);
      overallPeak = Math.max(overallPeak, p);
      return p;
    },
    resetPeak() {
      overallPeak = Math.max(overallPeak, status(pid, 'VmHWM'), sampledPeak);
      sampledPeak = status(pid, 'VmRSS');
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        clearWorks = false;
      }
    },
    overallPeakMb() {
      return Math.max(overallPeak, status(pid, 'VmHWM'), sampledPeak);
    },
    cpuMs() {
      try {
        const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
      } catch {
        return NaN;
      }
    },
    stderr: () => err,
    async stop() {
      clearInterval(sampler);
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(t);
    },
  };
}

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from './client.ts';
import { writeCityFiles, type CityFiles } from './files.ts';
import { generateCity, NOW, type Size } from './generate.ts';
import { loadCatalog, loadCompletions, loadExemptions, loadRoster, loadUnits, probeRoutes, type Routes, type Step } from './load.ts';
import { startServer, type ServerUnderTest } from './server.ts';

type City = ReturnType<typeof generateCity>;

/** The import phase: what each import took, and the server's peak RSS over all of them. */
export interface ImportPhase {
  units: Step;
  roster: { history: Step; current: Step };
  completions: Step;
  exemptions: Step;
  startRss: number;
  peakMb: number;
}

/** Rows per second of a step, as a number. */
export const rate = (s: Step) => s.rows / (s.ms / 1000);

/** The city's registers, roster and completions loaded into the server (the import phase). */
export async function importPhase(server: ServerUnderTest, client: Client, admin: string, routes: Routes, city: City, files: CityFiles, dbFile: string): Promise<ImportPhase> {
  // The generated completion records (2.4 million objects at scale 4) are only needed where no
  // route takes the file; held, they made this process's collections pause its uploads.
  if (routes.completions) {
    city.completions.length = 0;
    city.moreCompletions.length = 0;
  }
  const startRss = server.rssMb();
  server.resetPeak();
  const units = await loadUnits(client, admin, routes, city, files, dbFile);
  await loadCatalog(client, admin, city);
  const roster = await loadRoster(client, admin, routes, city, files, dbFile);
  // Counted from the file: the generated records are let go once the route takes the file (below).
  const completions = { ...(await loadCompletions(client, admin, routes, city, files.completions, city.completions, dbFile)), rows: files.rows.completions };
  // A few thousand exemptions (parental leave, long sick leave…), as a coordinator's would be.
  const exemptions = await loadExemptions(city, dbFile);
  return { units, roster, completions, exemptions, startRss, peakMb: server.peakMb() };
}

export interface Rates {
  units: number;
  rosterHistory: number;
  roster: number;
  completions: number;
  /** The server's peak RSS over the import phase, MB. */
  peakMb: number;
}

export const ratesOf = (p: ImportPhase): Rates => ({
  units: rate(p.units),
  rosterHistory: rate(p.roster.history),
  roster: rate(p.roster.current),
  completions: rate(p.completions),
  peakMb: p.peakMb,
});

/** One import phase on a fresh server and database of their own, the database removed after. */
async function onFreshServer(city: City, files: CityFiles, dbFile: string): Promise<Rates> {
  const server = await startServer(dbFile);
  try {
    const client = new Client(server.url);
    const admin = await client.token('BENCH-ADMIN', [{ role: 'admin' }]);
    const routes = await probeRoutes(client, admin, city.root, NOW);
    return ratesOf(await importPhase(server, client, admin, routes, city, files, dbFile));
  } finally {
    await server.stop();
    for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  }
}

/**
 * For `--scale N` (issue 21: every import at ≥ the city's rows per second): the unscaled city's
 * import phase `runs` times and the scaled one `runs - 1` times, each on a fresh server and
 * database, taken in turn (city, scaled, city, …, city) so that a slower spell of the machine
 * falls on both; the bench's own scaled run, after them, is the last scaled one. One run's rate
 * moves by 10–15 % on a shared VM from run to run, and by a third in a slow spell, so the two are
 * compared by their medians (of five each from `bench/run.ts`: with three, one slow spell on one
 * side decided the verdict).
 */
export async function referenceRuns(base: Size, scaled: { city: City; files: CityFiles }, dir: string, runs: number, log: (s: string) => void = () => {}): Promise<{ city: Rates[]; scaled: Rates[] }> {
  const sub = join(dir, 'reference');
  mkdirSync(sub, { recursive: true });
  const city = generateCity(base);
  const files = writeCityFiles(city, sub, NOW);
  const out = { city: [] as Rates[], scaled: [] as Rates[] };
  for (let i = 0; i < runs; i++) {
    out.city.push(await onFreshServer(city, files, join(sub, 'city.db')));
    log(`the city's import phase, run ${i + 1}: ${shown(out.city.at(-1)!)}`);
    if (i === runs - 1) break;
    out.scaled.push(await onFreshServer(scaled.city, scaled.files, join(sub, 'scaled.db')));
    log(`the scaled import phase, run ${i + 1}: ${shown(out.scaled.at(-1)!)}`);
  }
  rmSync(sub, { recursive: true, force: true });
  return out;
}

const shown = (r: Rates) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v)])));

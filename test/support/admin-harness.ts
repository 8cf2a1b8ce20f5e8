// Spelt '../support/harness.ts' on purpose: vitest's workers project swaps exactly that import
// for harness-workers.ts (vitest.config.ts), so this helper runs on Node and in workerd alike.
import { makeHarness, type Harness } from '../support/harness.ts';

/** The employee number of the admin token `adminHarness` issues (audit entries name it). */
export const ADMIN = 'ADMIN';

/** The set-up most API tests start from: the real app on a fresh database, and an admin of the whole city. */
export async function adminHarness(env: Record<string, string> = {}): Promise<{ h: Harness; admin: string }> {
  const h = await makeHarness(env);
  return { h, admin: await h.token(ADMIN, [{ role: 'admin' }]) };
}

// Finds Chromium for the component tests: CHROME_PATH, then /usr/bin/chromium. On Debian as root it
// installs Debian's package; elsewhere it stops and says how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const candidates = [process.env.CHROME_PATH, '/usr/bin/chromium'].filter(Boolean);
const found = candidates.find((p) => existsSync(p));
if (found) {
  console.log(`Chromium: ${found}`);
  process.exit(0);
}
const debian = existsSync('/etc/debian_version') || /debian/i.test(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '');
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!debian || !root) {
  console.error(
    'The component tests need Chromium. Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`) ' +
      'or set CHROME_PATH to a Chromium or Chrome binary, then run `npm test` again.',
  );
  process.exit(1);
}
console.log('Chromium not found: installing Debian\'s chromium (apt-get) …');
const run = (args) => {
  const r = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed (exit ${r.status}). Install chromium by hand or set CHROME_PATH.`);
    process.exit(1);
  }
};
run(['update']);
run(['install', '-y', '--no-install-recommends', 'chromium']);
console.log(execFileSync('/usr/bin/chromium', ['--version']).toString().trim());

// Finds the Chromium the component tests drive (never a downloaded browser): CHROME_PATH, then
// Debian's /usr/bin/chromium. On Debian as root (a fresh CI machine) it installs the package;
// anywhere else it stops with instructions, so `npm test` fails early and clearly.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const CANDIDATES = [process.env.CHROME_PATH, '/usr/bin/chromium'].filter(Boolean);

function found() {
  return CANDIDATES.find((p) => existsSync(p));
}

function isDebian() {
  try {
    return existsSync('/etc/debian_version') || /ID(_LIKE)?=.*debian/.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

function run(cmd, args) {
  console.log(`ensure-chromium: ${cmd} ${args.join(' ')}`);
  // Inherit stdio: apt prints its own progress, which a long CI install needs to show.
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) {
    console.error(`ensure-chromium: "${cmd} ${args.join(' ')}" failed (exit ${r.status ?? r.signal}).`);
    process.exit(1);
  }
}

let path = found();
if (process.env.CHROME_PATH && !existsSync(process.env.CHROME_PATH)) {
  console.error(`ensure-chromium: CHROME_PATH=${process.env.CHROME_PATH} does not exist.`);
  process.exit(1);
}
if (!path) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isDebian() && root) {
    console.log('ensure-chromium: Chromium not found; installing Debian\'s chromium package (this takes a few minutes)…');
    run('apt-get', ['update']);
    run('apt-get', ['install', '-y', 'chromium']);
    path = found();
  }
}
if (!path) {
  console.error(
    [
      'ensure-chromium: no Chromium found for the component tests.',
      '  Debian/Ubuntu: sudo apt-get install -y chromium',
      '  Elsewhere: install Chromium or Chrome and set CHROME_PATH=/path/to/chrome',
    ].join('\n'),
  );
  process.exit(1);
}
const version = spawnSync(path, ['--version'], { encoding: 'utf8' });
console.log(`ensure-chromium: ${path} ${(version.stdout || '').trim()}`);

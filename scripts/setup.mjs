// Makes a fresh clone runnable with only Node 20 and npm: fetches the pinned pnpm through npx,
// installs the locked dependencies and builds the packages. Safe to run any number of times.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { packageManager } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const pnpm = (...args) =>
  execFileSync('npx', ['-y', packageManager, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

const quiet = process.argv.includes('--quiet');
if (!quiet) console.error(`[setup] installing with ${packageManager} (locked versions)…`);
pnpm('install', '--frozen-lockfile', '--reporter=silent');
if (!quiet) console.error('[setup] building packages…');
pnpm('-r', '--reporter=silent', 'run', 'build');

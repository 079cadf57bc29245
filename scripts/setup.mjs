// Makes a fresh clone runnable with only Node 20 and npm: fetches the pinned pnpm through npx,
// installs the locked dependencies and builds the packages. Safe to run any number of times.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { packageManager } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

function pnpm(step, ...args) {
  console.error(`[setup] ${step}…`);
  try {
    execFileSync('npx', ['-y', packageManager, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    console.error(`[setup] failed while ${step} (see the output above); nothing else was run.`);
    process.exit(1);
  }
}

pnpm(`installing the locked dependencies with ${packageManager}`, 'install', '--frozen-lockfile', '--reporter=silent');
pnpm('building the packages', '-r', '--reporter=silent', 'run', 'build');
if (process.argv.includes('--typecheck')) pnpm('type-checking every package (strict)', '-r', '--reporter=silent', 'run', 'typecheck');

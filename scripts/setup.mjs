// Makes a fresh clone runnable with only Node 20 and npm: fetches the pinned pnpm through npx,
// installs the locked dependencies and builds the packages. Safe to run any number of times, and
// quick the second time: each step records a hash of its inputs (node_modules/.colophon-setup.json)
// and is skipped while they are unchanged and its outputs are still there.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const STAMP = join(root, 'node_modules', '.colophon-setup.json');
const packages = readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name));

function pnpm(step, ...args) {
  console.error(`[setup] ${step}…`);
  try {
    execFileSync('npx', ['-y', packageManager, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    console.error(`[setup] failed while ${step} (see the output above); nothing else was run.`);
    process.exit(1);
  }
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, name))
    .filter((path) => !path.includes(`${join('node_modules', '')}`) && !path.includes(`${join('dist', '')}`) && statSync(path).isFile());
}

/** One hash over the files' names and bytes (and the Node version, which decides native builds). */
function hashOf(files) {
  const hash = createHash('sha256').update(process.version).update(packageManager);
  for (const file of [...new Set(files)].filter((f) => existsSync(f)).sort()) hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

const manifests = [join(root, 'package.json'), join(root, 'pnpm-lock.yaml'), join(root, 'pnpm-workspace.yaml'), ...packages.map((p) => join(p, 'package.json'))];
const buildInputs = [
  ...manifests,
  join(root, 'tsconfig.base.json'),
  ...packages.flatMap((p) => [...filesUnder(join(p, 'src')), ...readdirSync(p).filter((name) => /\.(json|ts|mjs|js)$/.test(name) && name !== 'package.json').map((name) => join(p, name))]),
];
const testInputs = [...buildInputs, join(root, 'tsconfig.test.json'), ...filesUnder(join(root, 'test')), ...packages.flatMap((p) => filesUnder(join(p, 'test')))];

const stamp = existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) : {};
const save = () => writeFileSync(STAMP, `${JSON.stringify(stamp, null, 2)}\n`);
const force = process.argv.includes('--force');

const installHash = hashOf(manifests);
if (force || stamp.install !== installHash || !existsSync(join(root, 'node_modules', '.modules.yaml'))) {
  pnpm(`installing the locked dependencies with ${packageManager}`, 'install', '--frozen-lockfile', '--reporter=silent');
  stamp.install = installHash;
  delete stamp.build;
  save();
} else console.error('[setup] dependencies unchanged since the last install; skipping it');

const buildHash = hashOf(buildInputs);
const built = packages.every((p) => !JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')).scripts?.build || existsSync(join(p, 'dist')));
if (force || stamp.build !== buildHash || !built) {
  pnpm('building the packages', '-r', '--reporter=silent', 'run', 'build');
  stamp.build = buildHash;
  save();
} else console.error('[setup] sources unchanged since the last build; skipping it');

if (process.argv.includes('--typecheck')) {
  const typecheckHash = hashOf(testInputs);
  if (force || stamp.typecheck !== typecheckHash) {
    pnpm('type-checking every package (strict)', '-r', '--reporter=silent', 'run', 'typecheck');
    pnpm('type-checking the tests (strict)', 'exec', 'tsc', '-p', 'tsconfig.test.json');
    stamp.typecheck = typecheckHash;
    save();
  } else console.error('[setup] sources and tests unchanged since the last type-check; skipping it');
}

// `colophon watch [PATHS…]`: for writers in other editors (Obsidian, vim, Scrivener exports).
// Each saved change of a watched text file becomes a record by the signer (evidence `diff`); on
// start, what changed while nothing watched is recorded as unknown (evidence `reconciled`).
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { watch as watchFiles, type FSWatcher } from 'chokidar';
import { UsageError } from '../errors.js';
import type { Io } from '../output.js';
import { shortCid } from '../output.js';
import { recordSavedText, type SavedTextOutcome } from '../text-version.js';
import { COLOPHON_DIR, openWorkspace, signingIdentity } from '../workspace.js';

export interface WatchOptions {
  as?: string;
  /** How long a file must stay unchanged before its save is recorded (editors write in steps). */
  settleMs?: number;
}

/** Folders never watched: the ledger itself, version control, dependencies. */
const IGNORED_DIRS = new Set([COLOPHON_DIR, '.git', 'node_modules', '.hg', '.svn']);

/** A watch session; `stop()` ends it once every pending save is recorded. */
export interface Watching {
  ready: Promise<void>;
  stop(): Promise<void>;
}

export async function watch(cwd: string, paths: string[], options: WatchOptions, io: Io): Promise<Watching> {
  const ws = await openWorkspace(cwd);
  const { name, identity } = await signingIdentity(ws, options.as);
  const targets = (paths.length > 0 ? paths : ['.']).map((p) => resolve(cwd, p));
  for (const target of targets) {
    const inside = relative(ws.root, target);
    if (inside.startsWith('..')) throw new UsageError(`${target} is outside the project (${ws.root}); watch files inside it`);
    // A mistyped path would otherwise be watched for its creation, silently, forever.
    if (!(await stat(target).catch(() => undefined))) throw new UsageError(`watch: ${inside} does not exist`);
  }
  // One save at a time, in order: each version's delta is taken from the one recorded before it.
  let queue = Promise.resolve();
  const ignored = (path: string) => relative(ws.root, path).split(/[\\/]/).some((part) => IGNORED_DIRS.has(part));
  // A file that cannot be recorded (not UTF-8) is said once, not at each of its saves.
  const refused = new Set<string>();
  const report = (outcome: SavedTextOutcome, initial: boolean) => {
    if (outcome.status === 'not-text' && outcome.notes.length > 0) {
      if (refused.has(outcome.asset)) return;
      refused.add(outcome.asset);
    } else refused.delete(outcome.asset);
    for (const note of outcome.notes) io.err(`colophon: ${note}`);
    if (outcome.status !== 'recorded') return;
    const what = initial ? 'changed while nothing watched (unknown)' : `saved by ${name}`;
    io.out(`${outcome.asset}: +${outcome.inserted} -${outcome.deleted} ${what} ${shortCid(outcome.record.cid)}`);
  };
  const enqueue = (path: string, initial: boolean) => {
    queue = queue
      .then(async () => {
        const outcome = await recordSavedText(ws, identity, {
          path,
          kind: 'asset.edit',
          cls: initial ? 'unknown' : 'human',
          evidence: initial ? 'reconciled' : 'diff',
        });
        report(outcome, initial);
      })
      .catch((error: Error) => io.err(`colophon: ${relative(ws.root, path)} was not recorded: ${error.message}`));
  };
  const watcher: FSWatcher = watchFiles(targets, {
    ignored,
    ignoreInitial: true,
    // A link may point anywhere (a key, another project): the project's files are what it holds.
    followSymlinks: false,
    awaitWriteFinish: { stabilityThreshold: options.settleMs ?? 200, pollInterval: 50 },
    atomic: true,
  });
  watcher.on('add', (path) => enqueue(path, false));
  watcher.on('change', (path) => enqueue(path, false));
  watcher.on('error', (error) => io.err(`colophon: watching failed: ${(error as Error).message}`));
  const ready = new Promise<void>((resolveReady) => {
    watcher.on('ready', () => {
      // Saves from now on are seen; what is on disk now but not in the ledger changed unwatched.
      void filesUnder(targets, ignored).then((files) => {
        for (const file of files) enqueue(file, true);
        return queue.then(() => {
          io.out(`watching ${targets.map((t) => relative(ws.root, t) || '.').join(', ')} as ${name}; Ctrl-C stops`);
          resolveReady();
        });
      });
    });
  });
  return {
    ready,
    async stop() {
      await watcher.close();
      // A save made just before Ctrl-C may still be settling in the watcher (awaitWriteFinish),
      // and closing drops it: record what differs from the ledger now, as the saves it was.
      for (const file of await filesUnder(targets, ignored)) enqueue(file, false);
      await queue;
    },
  };
}

/** Every file under the targets (a target may be a file), skipping ignored folders. */
async function filesUnder(targets: readonly string[], ignored: (path: string) => boolean): Promise<string[]> {
  const files: string[] = [];
  for (const target of targets) {
    const info = await stat(target).catch(() => undefined);
    if (!info) continue;
    if (info.isFile()) {
      files.push(target);
      continue;
    }
    const entries = await readdir(target, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      const path = join(entry.parentPath, entry.name);
      if (entry.isFile() && !ignored(path)) files.push(path);
    }
  }
  return files.sort();
}

/** Runs `watch` until SIGINT or SIGTERM, then stops cleanly (every save seen so far is recorded). */
export async function watchUntilSignal(cwd: string, paths: string[], options: WatchOptions, io: Io): Promise<void> {
  const watching = await watch(cwd, paths, options, io);
  await new Promise<void>((resolveStop) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void watching.stop().then(() => {
        io.err('colophon: stopped watching');
        resolveStop();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

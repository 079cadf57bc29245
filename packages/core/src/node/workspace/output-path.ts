import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { WorkspaceError } from './errors.js';
import { COLOPHON_DIR, findProjectRoot } from './project-files.js';

/** The real path of `path`, resolving links in its existing folders (the file itself may not exist yet). */
async function realTarget(path: string): Promise<string> {
  let dir = dirname(path);
  const rest = [basename(path)];
  for (;;) {
    try {
      return join(await realpath(dir), ...rest);
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return path;
      rest.unshift(basename(dir));
      dir = parent;
    }
  }
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Checks that a command may write its output to `path`: never inside a project's `.colophon/`
 * (whatever links lead there), and never over an existing file unless `force` says so.
 * Returns the absolute path to write.
 */
export async function checkOutputPath(path: string, options: { force?: boolean; what?: string } = {}): Promise<string> {
  const target = resolve(path);
  const what = options.what ?? '--out';
  const real = await realTarget(target);
  for (const candidate of new Set([target, real])) {
    const root = await findProjectRoot(dirname(candidate));
    if (root && isInside(candidate, join(root, COLOPHON_DIR))) {
      throw new WorkspaceError('usage', `${what} ${path} is inside ${join(root, COLOPHON_DIR)}, which only Colophon writes; choose a file outside it`);
    }
    const colophon = candidate.split(sep).indexOf(COLOPHON_DIR);
    if (colophon >= 0) throw new WorkspaceError('usage', `${what} ${path} is inside a ${COLOPHON_DIR} folder, which only Colophon writes; choose a file outside it`);
  }
  let existing;
  try {
    existing = await lstat(target);
  } catch {
    return target;
  }
  if (existing.isDirectory()) throw new WorkspaceError('usage', `${what} ${path} is a folder; give a file name`);
  if (!options.force) throw new WorkspaceError('usage', `${what} ${path} already exists; pass --force to replace it`);
  return target;
}

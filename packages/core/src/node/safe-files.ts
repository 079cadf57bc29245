import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';

/**
 * A path inside `.colophon/` that is not what Colophon wrote there: a symbolic link (which could
 * send a write outside the project, or a read to someone else's file) or not a regular file.
 * Colophon never follows links inside `.colophon/`; it refuses and names the path.
 */
export class UnsafePathError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}; Colophon never follows links inside .colophon/ (replace it with the real file)`);
  }
}

/** O_NOFOLLOW where the platform has it (not on Windows, which has no such links to follow). */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** Why `path` may not be used, or undefined when it is a regular file (or `directory` when asked). Missing is fine. */
export async function unsafeReason(path: string, expect: 'file' | 'directory'): Promise<string | undefined> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (stats.isSymbolicLink()) return 'is a symbolic link';
  if (expect === 'file' && !stats.isFile()) return 'is not a regular file';
  if (expect === 'directory' && !stats.isDirectory()) return 'is not a directory';
  return undefined;
}

/** Throws UnsafePathError when `path` exists and is a link or of the wrong type. */
export async function assertSafe(path: string, expect: 'file' | 'directory'): Promise<void> {
  const reason = await unsafeReason(path, expect);
  if (reason) throw new UnsafePathError(path, reason);
}

/** Opens a file inside `.colophon/` without following a link planted in place of it. */
export async function openNoFollow(path: string, flags: 'r' | 'a' | 'w' | 'r+'): Promise<FileHandle> {
  const base = { r: constants.O_RDONLY, 'r+': constants.O_RDWR, a: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, w: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC }[flags];
  try {
    return await open(path, base | NO_FOLLOW, 0o644);
  } catch (error) {
    // ELOOP is what O_NOFOLLOW reports for a link.
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new UnsafePathError(path, 'is a symbolic link');
    throw error;
  }
}

// Where an export goes: a file given with --out (checked, written atomically), else standard output.
import { resolve } from 'node:path';
import { checkOutputPath, writeFileAtomic } from '@colophon/core/node';
import type { Io } from './output.js';

/** Writes `text` to --out (returns its path) or prints it (returns undefined). */
export async function writeOrPrint(cwd: string, out: string | undefined, text: string, io: Io, force?: boolean): Promise<string | undefined> {
  if (out === undefined) {
    io.out(text);
    return undefined;
  }
  const path = await checkOutputPath(resolve(cwd, out), { force: force === true });
  await writeFileAtomic(path, `${text}\n`);
  return path;
}

import { open, rename, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Makes a directory's entries (a rename, a new file) survive a crash. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a whole file so that a crash leaves either the old content or the new, never a mix. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await fsyncDirectory(dirname(path));
}

/** writeFileAtomic for output made piece by piece: only the pieces in hand are ever in memory. Returns the bytes written. */
export async function writeFileAtomicFrom(path: string, pieces: AsyncIterable<Uint8Array>, mode = 0o644): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temp, 'wx', mode);
  let bytes = 0;
  try {
    try {
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for await (const piece of pieces) {
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= 1 << 20) {
          await handle.writev(pending);
          bytes += pendingBytes;
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length > 0) await handle.writev(pending);
      bytes += pendingBytes;
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await rename(temp, path);
  await fsyncDirectory(dirname(path));
  return bytes;
}

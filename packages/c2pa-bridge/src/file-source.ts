/** A file on disk as a ByteSource (Node only): read by position, never whole. */
import { readSync } from 'node:fs';
import { EnvironmentError } from '@colophon/core/node';
import type { ByteSource } from './byte-source.js';

/** A file open as `fd` (the caller closes it), `size` bytes long. */
export function fileSource(fd: number, size: number, name: string): ByteSource {
  return {
    size,
    readSync(offset, length) {
      const out = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < out.length) {
        const n = readSync(fd, out, done, out.length - done, offset + done);
        if (n === 0) throw new EnvironmentError(`${name} became shorter while it was being read (it changed during the export)`);
        done += n;
      }
      return out;
    },
  };
}

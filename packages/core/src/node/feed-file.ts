import type { FileHandle } from 'node:fs/promises';
import { MAX_SECTION_BYTES, readSectionLength } from '../ledger/car-format.js';

const CHUNK_BYTES = 1 << 20;

export interface Section {
  /** Offset of the section's length prefix in the file. */
  offset: number;
  /** Offset just past the section. */
  end: number;
  body: Uint8Array;
}

export class CorruptFeedError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    reason: string,
  ) {
    super(`${file}: corrupt at byte ${offset}: ${reason}`);
  }
}

/**
 * Reads the length-prefixed sections of a CAR file from `start`, a chunk at a time so a large
 * feed never sits in memory whole. A final section cut short (a crash mid-append) ends the walk;
 * `torn` then says where the complete part ends.
 */
export async function* readSections(handle: FileHandle, file: string, start: number, size: number): AsyncGenerator<Section, { end: number; torn: boolean }> {
  let buffer = new Uint8Array(0);
  let bufferStart = start;
  let readPosition = start;
  let offset = start;
  for (;;) {
    const local = offset - bufferStart;
    let prefix: ReturnType<typeof readSectionLength>;
    try {
      prefix = readSectionLength(buffer, local);
    } catch (error) {
      throw new CorruptFeedError(file, offset, (error as Error).message);
    }
    if (prefix && prefix.length > MAX_SECTION_BYTES) {
      throw new CorruptFeedError(file, offset, `section of ${prefix.length} bytes exceeds the ${MAX_SECTION_BYTES}-byte bound`);
    }
    if (prefix && prefix.length === 0) throw new CorruptFeedError(file, offset, 'empty section');
    const needed = prefix ? local + prefix.headerBytes + prefix.length : Infinity;
    if (prefix && needed <= buffer.length) {
      const body = buffer.subarray(local + prefix.headerBytes, needed);
      const end = offset + prefix.headerBytes + prefix.length;
      yield { offset, end, body };
      offset = end;
      continue;
    }
    if (readPosition >= size) {
      return { end: offset, torn: offset < size };
    }
    const chunk = new Uint8Array(Math.min(Math.max(CHUNK_BYTES, prefix ? prefix.length + 16 : 0), size - readPosition));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, readPosition);
    if (bytesRead === 0) return { end: offset, torn: offset < size };
    readPosition += bytesRead;
    const rest = buffer.subarray(local);
    const next = new Uint8Array(rest.length + bytesRead);
    next.set(rest, 0);
    next.set(chunk.subarray(0, bytesRead), rest.length);
    buffer = next;
    bufferStart = offset;
  }
}

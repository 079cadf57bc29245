/**
 * Bytes read by position, synchronously: a file in memory, a file on disk, or a signed file that
 * exists only as "the asset with a manifest spliced in". The C2PA SDK reads its inputs through
 * Blob.slice and FileReaderSync, so a SourceBlob hands it exactly the ranges it asks for and a
 * large file never has to be in memory whole. Platform-neutral; a file on disk is file-source.ts (Node).
 */

export interface ByteSource {
  readonly size: number;
  /** `length` bytes from `offset` (fewer only at the end). May be a view of memory the source owns. */
  readSync(offset: number, length: number): Uint8Array;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    readSync: (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** The whole source in pieces of `chunk` bytes, in order. */
export function* chunksOf(source: ByteSource, chunk = 1 << 20): Generator<Uint8Array> {
  for (let offset = 0; offset < source.size; offset += chunk) yield source.readSync(offset, chunk);
}

/** A Blob the SDK can read without the bytes being copied into it: size, slice and FileReaderSync only. */
export class SourceBlob extends Blob {
  constructor(
    readonly source: ByteSource,
    readonly start = 0,
    readonly end = source.size,
    type = '',
  ) {
    super([]);
    // Blob's own size and type are getters over its (empty) parts; these say what the source holds.
    Object.defineProperties(this, { size: { value: end - start }, type: { value: type } });
  }

  override slice(start = 0, end = this.size, type = ''): SourceBlob {
    const clamp = (n: number) => this.start + Math.max(0, Math.min(this.size, n < 0 ? this.size + n : n));
    return new SourceBlob(this.source, clamp(start), Math.max(clamp(start), clamp(end)), type);
  }

  /** The blob's bytes as an ArrayBuffer (what FileReaderSync hands back; the SDK copies it and never writes to it). */
  readArrayBuffer(): ArrayBuffer {
    const bytes = this.source.readSync(this.start, this.size);
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
}

/** Bytes in memory as a Blob for the SDK. */
export class BytesBlob extends SourceBlob {
  constructor(data: Uint8Array, type = '') {
    super(bytesSource(data), 0, data.length, type);
  }
}

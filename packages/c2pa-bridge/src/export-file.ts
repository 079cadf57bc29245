/**
 * Export of a file on disk (Node only): hashed and copied in pieces, so a large PNG or JPEG is
 * never in memory whole; the signed copy is written atomically. The manifest and the signing are
 * export.ts's, shared with the in-memory and browser path.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { EnvironmentError, writeFileAtomic, writeFileAtomicFrom } from '@colophon/core/node';
import { chunksOf, type ByteSource } from './byte-source.js';
import { fileSource } from './file-source.js';
import { prepare, signBySplice, signWhole, type ExportInput, type ExportResult } from './export.js';
import { assetFormat, checkExportSize } from './formats.js';
import { canSplice, type Splice } from './splice.js';
import { initSdk } from './sdk.js';

/** Enough of a file's start to tell its format by its magic bytes. */
const HEAD_BYTES = 4096;

export interface FileExportResult extends Omit<ExportResult, 'asset'> {
  /**
   * Writes the signed file to `path` atomically, copying the input again piece by piece; refuses
   * (and writes nothing) if the input no longer has the content that was signed.
   */
  writeTo(path: string): Promise<void>;
}

/** SHA-256 of a whole source, read in pieces. */
function digestOf(source: ByteSource): Uint8Array {
  const hash = createHash('sha256');
  for (const piece of chunksOf(source)) hash.update(piece);
  return new Uint8Array(hash.digest());
}

/**
 * The input's pieces with the manifest inserted at its place, hashing the input as it passes: if
 * it no longer hashes to what was signed, this throws before the last piece (nothing is written).
 */
async function* splicedPieces(input: ByteSource, splice: Splice, digest: Uint8Array, path: string): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let offset = 0;
  for (const piece of chunksOf(input)) {
    hash.update(piece);
    const cut = splice.at - offset;
    if (cut >= 0 && cut < piece.length) yield* [piece.subarray(0, cut), splice.manifest, piece.subarray(cut)];
    else yield piece;
    offset += piece.length;
  }
  if (Buffer.compare(hash.digest(), digest) !== 0) throw new EnvironmentError(`${path} changed during the export; nothing was written`);
}

function readWhole(source: ByteSource, fileName: string): Uint8Array {
  checkExportSize(fileName, source.size, 'whole');
  return source.readSync(0, source.size);
}

async function withFile<T>(path: string, use: (source: ByteSource) => Promise<T>): Promise<T> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const { size } = await handle.stat();
    return await use(fileSource(handle.fd, size, path));
  } finally {
    await handle.close();
  }
}

/**
 * exportC2pa for a file on disk. PNG and JPEG are never read whole: one pass hashes the file,
 * the SDK signs a carrier, the reader checks the spliced result by position, and writeTo copies
 * the file with the manifest inserted; memory stays a few MiB whatever the file's size (up to
 * MAX_SPLICED_EXPORT_BYTES). Other formats are read whole (up to MAX_EXPORT_BYTES).
 */
export async function exportC2paFile(input: Omit<ExportInput, 'bytes'> & { path: string }): Promise<FileExportResult> {
  initSdk();
  return withFile(input.path, async (source) => {
    checkExportSize(input.fileName, source.size, 'spliced');
    const named = assetFormat(input.fileName, source.readSync(0, HEAD_BYTES));
    // Anything but a PNG or JPEG without credentials is read whole (text is checked as UTF-8 all
    // through), so that limit is checked before any reading.
    const whole = canSplice(named, source) ? undefined : readWhole(source, input.fileName);
    const format = whole ? assetFormat(input.fileName, whole) : named;
    const digest = digestOf(source);
    const prepared = await prepare(input, format, digest);
    const splice = whole ? undefined : await signBySplice(prepared.plan, format, source, digest, input.identity, input.chain, input.fileName);
    const signed = splice ? undefined : await signWhole(prepared, input, whole ?? readWhole(source, input.fileName), digest);
    const result: FileExportResult = {
      ...prepared,
      writeTo: splice
        ? (path) => withFile(input.path, async (again) => void (await writeFileAtomicFrom(path, splicedPieces(again, splice, digest, input.path))))
        : (path) => writeFileAtomic(path, signed!.asset),
    };
    if (signed?.sidecar) result.sidecar = signed.sidecar;
    return result;
  });
}

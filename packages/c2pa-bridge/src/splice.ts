/**
 * Embedding by data hash, for PNG and JPEG: the official SDK signs the manifest, we hash and copy
 * the file. A manifest's hard binding (`c2pa.hash.data`) is SHA-256 over the file minus one
 * excluded range, the manifest itself. When the definition already carries that assertion, the
 * SDK's Builder does not hash the asset (c2pa-rs Store::start_save_stream: "we will not do
 * automatic hashing if we detect a box hash present"), so it can sign against a carrier of a few
 * hundred bytes: the real file's own header with no image data (JPEG: up to the scan header). We take the manifest out of the
 * signed carrier (PNG: the caBX chunk; JPEG: the APP11 segments) and splice it into the real file
 * at the same place. Since the excluded range is exactly the spliced-in manifest, the file's hash
 * with that exclusion is the SHA-256 of the original file, computed in one streaming pass.
 *
 * Everything the SDK did to the carrier besides inserting the manifest must be nothing: the
 * carrier's bytes before and after the manifest are checked to be unchanged, or the splice is
 * refused (and the export falls back to the SDK signing the whole file).
 */
import type { ByteSource } from './byte-source.js';
import { equalBytes, u32 } from './bytes.js';
import type { AssetFormat } from './formats.js';

/** The assertion the SDK checks the file against (c2pa-rs DataHash, JSON form). */
export interface DataHashAssertion {
  label: 'c2pa.hash.data';
  data: { exclusions: { start: number; length: number }[]; name: string; alg: 'sha256'; hash: number[]; pad: number[] };
}

/** The signed manifest (as the format carries it) and where it goes in the file. */
export interface Splice {
  at: number;
  manifest: Uint8Array;
  /** The carrier the SDK signed, without the manifest (with it spliced in, it is what the SDK returned). */
  carrier: Uint8Array;
}

/** Headers larger than this (metadata before the image data) are not worth a carrier: the SDK signs the whole file. */
const MAX_CARRIER_HEAD = 1 << 20;
const SIGN_ROUNDS = 4;

const PNG_IEND = Uint8Array.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
const JPEG_EOI = Uint8Array.from([0xff, 0xd9]);


function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

interface Part {
  at: number;
  length: number;
  /** PNG chunk type; JPEG marker as "ffxx". */
  kind: string;
  /** A piece of C2PA manifest (PNG caBX; JPEG APP11 carrying JUMBF). */
  manifest: boolean;
}

/** PNG chunks from the signature on, headers only; stops at `stop` (a chunk type) or the end. */
function* pngParts(source: ByteSource, stop?: string): Generator<Part> {
  for (let at = 8; at + 12 <= source.size; ) {
    const head = source.readSync(at, 8);
    const kind = latin1(head.subarray(4, 8));
    const length = 12 + u32(head, 0);
    if (kind === stop) return;
    yield { at, length, kind, manifest: kind === 'caBX' };
    at += length;
  }
}

/** JPEG marker segments after SOI, up to the start of scan (SOS) or EOI; image data is not walked. */
function* jpegParts(source: ByteSource): Generator<Part> {
  for (let at = 2; at + 4 <= source.size; ) {
    const head = source.readSync(at, 12);
    if (head[0] !== 0xff) return;
    const marker = head[1]!;
    if (marker === 0xda || marker === 0xd9) return;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = 2 + ((head[2]! << 8) | head[3]!);
    // APP11 with the JPEG XT "JP" header is where C2PA puts its JUMBF.
    yield { at, length, kind: `ff${marker.toString(16)}`, manifest: marker === 0xeb && head[4] === 0x4a && head[5] === 0x50 };
    at += length;
  }
}

function parts(format: AssetFormat, source: ByteSource, stop?: string): Generator<Part> {
  return format.mime === 'image/png' ? pngParts(source, stop) : jpegParts(source);
}

/** PNG and JPEG without credentials are signed by splice; anything else by the SDK over the whole file. */
export function canSplice(format: AssetFormat, source: ByteSource): boolean {
  if (format.mime !== 'image/png' && format.mime !== 'image/jpeg') return false;
  // A manifest already there is the SDK's to replace (or to take as the parent), not ours to splice around.
  for (const part of parts(format, source)) if (part.manifest) return false;
  return true;
}

/**
 * The real file's header (PNG: every chunk before the image data; JPEG: every segment up to and
 * including the start-of-scan header) closed as a file of its own, or undefined when that header is unusually large.
 */
function carrierOf(format: AssetFormat, source: ByteSource): Uint8Array | undefined {
  let end = format.mime === 'image/png' ? 8 : 2;
  for (const part of parts(format, source, 'IDAT')) end = part.at + part.length;
  if (format.mime === 'image/jpeg') {
    // The SDK refuses a JPEG without a scan: keep the start-of-scan header, not its image data.
    const sos = source.readSync(end, 4);
    if (sos[0] !== 0xff || sos[1] !== 0xda || sos.length < 4) return undefined;
    end += 2 + ((sos[2]! << 8) | sos[3]!);
  }
  if (end > MAX_CARRIER_HEAD || end > source.size) return undefined;
  const tail = format.mime === 'image/png' ? PNG_IEND : JPEG_EOI;
  const carrier = new Uint8Array(end + tail.length);
  carrier.set(source.readSync(0, end));
  carrier.set(tail, end);
  return carrier;
}


/** Where the SDK put the manifest in the signed carrier, if that is all it changed. */
function insertionIn(format: AssetFormat, carrier: Uint8Array, signed: Uint8Array): Splice | undefined {
  const added = signed.length - carrier.length;
  const signedSource = { size: signed.length, readSync: (o: number, n: number) => signed.subarray(o, o + n) };
  const manifestParts = [...parts(format, signedSource)].filter((p) => p.manifest);
  const at = manifestParts[0]?.at;
  if (at === undefined || manifestParts.reduce((n, p) => n + p.length, 0) !== added) return undefined;
  if (manifestParts.some((p, i) => p.at !== at + manifestParts.slice(0, i).reduce((n, q) => n + q.length, 0))) return undefined;
  if (!equalBytes(signed.subarray(0, at), carrier.subarray(0, at)) || !equalBytes(signed.subarray(at + added), carrier.subarray(at))) return undefined;
  return { at, manifest: signed.slice(at, at + added), carrier };
}

export function dataHashAssertion(digest: Uint8Array, at: number, length: number): DataHashAssertion {
  return { label: 'c2pa.hash.data', data: { exclusions: [{ start: at, length }], name: 'jumbf manifest', alg: 'sha256', hash: [...digest], pad: [] } };
}

/**
 * Signs by splice: `sign` must have the SDK sign the manifest definition plus `hash` over
 * `carrier` (no verify-after-sign: the carrier is not the file the hash is of). The exclusion
 * names the manifest's own offset and length, which are known only once signed, so this signs
 * until they agree (twice, as a rule). Undefined when the file cannot be signed this way.
 */
export async function spliceManifest(
  format: AssetFormat,
  source: ByteSource,
  digest: Uint8Array,
  sign: (hash: DataHashAssertion, carrier: Uint8Array) => Promise<Uint8Array>,
): Promise<Splice | undefined> {
  if (!canSplice(format, source)) return undefined;
  const carrier = carrierOf(format, source);
  if (!carrier) return undefined;
  let guess = { at: 0, length: 0 };
  for (let round = 0; round < SIGN_ROUNDS; round++) {
    const splice = insertionIn(format, carrier, await sign(dataHashAssertion(digest, guess.at, guess.length), carrier));
    if (!splice) return undefined;
    if (splice.at === guess.at && splice.manifest.length === guess.length) return splice;
    guess = { at: splice.at, length: splice.manifest.length };
  }
  return undefined;
}

/** The signed file: `source` with the manifest inserted, read by position like any source. */
export function splicedSource(source: ByteSource, splice: Splice): ByteSource {
  const { at, manifest } = splice;
  const size = source.size + manifest.length;
  return {
    size,
    readSync(offset, length) {
      const end = Math.min(size, offset + length);
      const out = new Uint8Array(Math.max(0, end - offset));
      // [0, at) from the source, [at, at + m) the manifest, then the source shifted by m.
      const copy = (from: number, to: number, read: (o: number, n: number) => Uint8Array, base: number) => {
        const start = Math.max(offset, from);
        const stop = Math.min(end, to);
        if (start < stop) out.set(read(start - base, stop - start), start - offset);
      };
      copy(0, at, (o, n) => source.readSync(o, n), 0);
      copy(at, at + manifest.length, (o, n) => manifest.subarray(o, o + n), at);
      copy(at + manifest.length, size, (o, n) => source.readSync(o, n), manifest.length);
      return out;
    },
  };
}

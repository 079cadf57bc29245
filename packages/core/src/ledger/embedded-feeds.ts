// Feeds stored inside a host document's key/value entries (Figma's shared plugin data): the
// format is a contract with every reader (the plugin, `colophon import figma`, anyone's script).
import { bytesToHex } from '@noble/hashes/utils.js';
import type { CID } from 'multiformats/cid';
import { sha256 } from '../crypto/backend.js';
import { base64Decode, base64Encode } from '../text/base64.js';
import { isDidKey } from '../identity/did-key.js';
import type { RawBlock } from './verify.js';
import { MAX_SECTION_BYTES, parseCarHeader, readSectionLength, splitBlock } from './car-format.js';

/**
 * Layout (format 1), all entries in one namespace of string keys to string values:
 *
 *     feeds/<did>       {"v":1,"chunks":N,"bytes":L,"sha256":"<hex of the CAR bytes>"}
 *     feeds/<did>/<i>   base64 (RFC 4648, padded) of CAR bytes [i*67500, (i+1)*67500), i = 0..N-1
 *
 * The CAR bytes are the signer's feed exactly as `.colophon/feeds/<did>.car` holds it: a CARv1
 * header whose one root is the project's genesis, then the signer's records in seq order. One
 * signer writes only its own keys, so multiplayer last-writer-wins per key never loses another
 * writer's records. A feed only grows, so an append rewrites only the last chunk and adds new
 * ones; the index key is written last. 67,500 bytes (a multiple of 3) make 90,000 base64
 * characters with no padding inside the sequence, well under the 100 kB per-entry limit
 * (namespace + key + value).
 */
export const EMBEDDED_FEED_NAMESPACE = 'colophon';
export const EMBEDDED_FEED_FORMAT = 1;
export const EMBEDDED_CHUNK_BYTES = 67_500;
/** Bounds what a reader accepts from an untrusted document. */
export const MAX_EMBEDDED_FEED_BYTES = 256 * 1024 * 1024;
const FEED_PREFIX = 'feeds/';

export interface EmbeddedFeedIndex {
  v: typeof EMBEDDED_FEED_FORMAT;
  chunks: number;
  bytes: number;
  sha256: string;
}

export function embeddedFeedIndexKey(signer: string): string {
  return `${FEED_PREFIX}${signer}`;
}

export function embeddedFeedChunkKey(signer: string, index: number): string {
  return `${FEED_PREFIX}${signer}/${index}`;
}

/**
 * The entries to write so the stored feed becomes `car`, given the bytes stored before
 * (`storedBytes`, 0 when none): the chunks from the first one that changed, then the index.
 * Entries are returned in write order.
 */
export function embeddedFeedWrites(signer: string, car: Uint8Array, storedBytes = 0): [key: string, value: string][] {
  if (!isDidKey(signer)) throw new RangeError(`not a did:key: ${signer}`);
  const chunks = Math.ceil(car.length / EMBEDDED_CHUNK_BYTES);
  const first = Math.min(Math.floor(storedBytes / EMBEDDED_CHUNK_BYTES), chunks);
  const writes: [string, string][] = [];
  for (let i = first; i < chunks; i++) {
    writes.push([embeddedFeedChunkKey(signer, i), base64Encode(car.subarray(i * EMBEDDED_CHUNK_BYTES, (i + 1) * EMBEDDED_CHUNK_BYTES))]);
  }
  const index: EmbeddedFeedIndex = { v: EMBEDDED_FEED_FORMAT, chunks, bytes: car.length, sha256: bytesToHex(sha256(car)) };
  writes.push([embeddedFeedIndexKey(signer), JSON.stringify(index)]);
  return writes;
}

export interface EmbeddedFeed {
  signer: string;
  car: Uint8Array;
}

export interface EmbeddedFeedProblem {
  /** The key at fault. */
  key: string;
  message: string;
}

/**
 * Reassembles every feed in a namespace's entries, trusting nothing: a feed whose index is
 * malformed, whose chunks are missing or whose bytes do not match the index's length and hash (a
 * torn multiplayer write, tampering) is reported and left out, never half-read. The records
 * themselves still have to be verified (see embeddedFeedBlocks and verifyBlocks).
 */
export function readEmbeddedFeeds(entries: Readonly<Record<string, string>>): { feeds: EmbeddedFeed[]; problems: EmbeddedFeedProblem[] } {
  const feeds: EmbeddedFeed[] = [];
  const problems: EmbeddedFeedProblem[] = [];
  const signers = Object.keys(entries)
    .filter((key) => key.startsWith(FEED_PREFIX) && !key.slice(FEED_PREFIX.length).includes('/'))
    .map((key) => key.slice(FEED_PREFIX.length))
    .sort();
  for (const signer of signers) {
    const key = embeddedFeedIndexKey(signer);
    const fail = (at: string, message: string): void => {
      problems.push({ key: at, message });
    };
    if (!isDidKey(signer)) {
      fail(key, `the key does not name a did:key signer`);
      continue;
    }
    const index = parseIndex(entries[key]!);
    if (typeof index === 'string') {
      fail(key, index);
      continue;
    }
    const car = new Uint8Array(index.bytes);
    let filled = 0;
    let ok = true;
    for (let i = 0; i < index.chunks && ok; i++) {
      const chunkKey = embeddedFeedChunkKey(signer, i);
      const value = entries[chunkKey];
      if (value === undefined || value === '') {
        fail(chunkKey, `chunk ${i} of ${index.chunks} is missing`);
        ok = false;
        break;
      }
      let bytes: Uint8Array;
      try {
        bytes = base64Decode(value);
      } catch (error) {
        fail(chunkKey, `not base64: ${(error as Error).message}`);
        ok = false;
        break;
      }
      const expected = Math.min(EMBEDDED_CHUNK_BYTES, index.bytes - i * EMBEDDED_CHUNK_BYTES);
      if (bytes.length !== expected) {
        fail(chunkKey, `chunk ${i} holds ${bytes.length} bytes; the index implies ${expected}`);
        ok = false;
        break;
      }
      car.set(bytes, filled);
      filled += bytes.length;
    }
    if (!ok) continue;
    if (bytesToHex(sha256(car)) !== index.sha256) {
      fail(key, `the chunks do not hash to the index's sha256 (a torn or altered write)`);
      continue;
    }
    feeds.push({ signer, car });
  }
  return { feeds, problems };
}

function parseIndex(value: string): EmbeddedFeedIndex | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'the index is not JSON';
  }
  const index = parsed as Partial<EmbeddedFeedIndex> | null;
  if (index === null || typeof index !== 'object' || Array.isArray(index)) return 'the index is not a JSON object';
  if (index.v !== EMBEDDED_FEED_FORMAT) return `unknown format version ${JSON.stringify(index.v)} (this reader knows ${EMBEDDED_FEED_FORMAT})`;
  const { bytes, chunks, sha256: hash } = index;
  if (!Number.isSafeInteger(bytes) || bytes! < 0 || bytes! > MAX_EMBEDDED_FEED_BYTES) return `"bytes" must be an integer from 0 to ${MAX_EMBEDDED_FEED_BYTES}`;
  if (chunks !== Math.ceil(bytes! / EMBEDDED_CHUNK_BYTES)) return `"chunks" must be ceil(bytes / ${EMBEDDED_CHUNK_BYTES}) = ${Math.ceil(bytes! / EMBEDDED_CHUNK_BYTES)}`;
  if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) return '"sha256" must be 64 lowercase hex digits';
  return { v: EMBEDDED_FEED_FORMAT, bytes: bytes!, chunks: chunks!, sha256: hash };
}

/**
 * The blocks of one feed's CAR bytes, strictly: a CARv1 header with exactly one root (the
 * project), then complete block sections. Throws RangeError naming the byte on damage.
 */
export function carBytesBlocks(car: Uint8Array, source: string): { root: CID; blocks: RawBlock[] } {
  const sections: { offset: number; body: Uint8Array }[] = [];
  for (let offset = 0; offset < car.length; ) {
    const length = readSectionLength(car, offset);
    if (!length) throw new RangeError(`${source}: incomplete section length at byte ${offset}`);
    if (length.length > MAX_SECTION_BYTES) throw new RangeError(`${source}: section at byte ${offset} claims ${length.length} bytes, above ${MAX_SECTION_BYTES}`);
    const start = offset + length.headerBytes;
    const end = start + length.length;
    if (end > car.length) throw new RangeError(`${source}: incomplete block at byte ${offset}`);
    sections.push({ offset, body: car.subarray(start, end) });
    offset = end;
  }
  const header = sections.shift();
  if (!header) throw new RangeError(`${source}: empty (no CAR header)`);
  let roots: CID[];
  try {
    roots = parseCarHeader(header.body);
  } catch (error) {
    throw new RangeError(`${source}: not a CARv1 header: ${(error as Error).message}`);
  }
  if (roots.length !== 1) throw new RangeError(`${source}: the CAR header names ${roots.length} roots; a feed names exactly one (the project)`);
  const blocks = sections.map(({ offset, body }) => {
    try {
      const { cid, data } = splitBlock(body);
      return { source, position: offset, cid, bytes: data };
    } catch (error) {
      throw new RangeError(`${source}: block at byte ${offset}: ${(error as Error).message}`);
    }
  });
  return { root: roots[0]!, blocks };
}

import { varint } from 'multiformats';
import { CID } from 'multiformats/cid';
import { decode, encode } from '../cbor/codec.js';

/** CARv1 header bytes: varint length, then DAG-CBOR {roots, version: 1}. */
export function carHeader(roots: CID[]): Uint8Array {
  return frame(encode({ roots, version: 1 }));
}

/** One CARv1 block section: varint(length of CID + data), CID bytes, data. */
export function carBlock(cid: CID, data: Uint8Array): Uint8Array {
  const body = new Uint8Array(cid.bytes.length + data.length);
  body.set(cid.bytes, 0);
  body.set(data, cid.bytes.length);
  return frame(body);
}

function frame(body: Uint8Array): Uint8Array {
  const length = varint.encodeTo(body.length, new Uint8Array(varint.encodingLength(body.length)));
  const out = new Uint8Array(length.length + body.length);
  out.set(length, 0);
  out.set(body, length.length);
  return out;
}

export const MAX_SECTION_BYTES = 1 << 20;

/** A section's length prefix at `offset`: undefined when the bytes end before the varint does. */
export function readSectionLength(bytes: Uint8Array, offset: number): { length: number; headerBytes: number } | undefined {
  let value = 0;
  let shift = 0;
  for (let i = offset; i < bytes.length && i < offset + 9; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) {
      const headerBytes = i - offset + 1;
      if (headerBytes > 1 && b === 0) throw new RangeError('section length is not a minimal varint');
      return { length: value, headerBytes };
    }
  }
  if (bytes.length - offset >= 9) throw new RangeError('section length varint is too long');
  return undefined;
}

export function parseCarHeader(body: Uint8Array): CID[] {
  const header = decode(body) as { version?: unknown; roots?: unknown };
  if (header === null || typeof header !== 'object' || header.version !== 1 || !Array.isArray(header.roots)) {
    throw new RangeError('not a CARv1 header ({version: 1, roots})');
  }
  return header.roots.map((root) => {
    const cid = CID.asCID(root);
    if (!cid) throw new RangeError('CAR header roots must be CIDs');
    return cid;
  });
}

/** Splits a block section body into its CID and data. */
export function splitBlock(body: Uint8Array): { cid: CID; data: Uint8Array } {
  const [cid, data] = CID.decodeFirst(body);
  return { cid, data };
}

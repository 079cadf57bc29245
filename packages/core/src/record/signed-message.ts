import { RecordError } from '../errors.js';
import { signatureMessage } from './sign.js';

const SIG_KEY = [0x63, 0x73, 0x69, 0x67]; // text(3) "sig"

/**
 * The message a record's signature covers, cut straight out of its signed bytes: the canonical
 * encoding without `sig` is the same map minus that one entry, so verifying needs no re-encoding.
 * `bytes` must already have passed the strict decoder.
 */
export function signedMessageOf(bytes: Uint8Array): Uint8Array {
  const head = bytes[0]!;
  if (head >> 5 !== 5 || (head & 31) >= 24) throw new RecordError('record is not a small map', '');
  const count = head & 31;
  let pos = 1;
  for (let i = 0; i < count; i++) {
    const keyStart = pos;
    pos = itemEnd(bytes, pos);
    const valueEnd = itemEnd(bytes, pos);
    if (pos - keyStart === 4 && SIG_KEY.every((b, k) => bytes[keyStart + k] === b)) {
      const unsigned = new Uint8Array(bytes.length - (valueEnd - keyStart));
      unsigned[0] = 0xa0 | (count - 1);
      unsigned.set(bytes.subarray(1, keyStart), 1);
      unsigned.set(bytes.subarray(valueEnd), keyStart);
      return signatureMessage(unsigned);
    }
    pos = valueEnd;
  }
  throw new RecordError('record has no sig field', 'sig');
}

/** Offset just past the CBOR item at `pos` (definite lengths only, as strict DAG-CBOR has). */
function itemEnd(bytes: Uint8Array, pos: number): number {
  const head = bytes[pos]!;
  const major = head >> 5;
  const info = head & 31;
  let arg = info;
  let next = pos + 1;
  if (info >= 24) {
    const size = 1 << (info - 24);
    arg = 0;
    for (let k = 0; k < size; k++) arg = arg * 256 + bytes[next + k]!;
    next += size;
  }
  switch (major) {
    case 2:
    case 3:
      return next + arg;
    case 4:
      for (let i = 0; i < arg; i++) next = itemEnd(bytes, next);
      return next;
    case 5:
      for (let i = 0; i < arg * 2; i++) next = itemEnd(bytes, next);
      return next;
    case 6:
      return itemEnd(bytes, next);
    default:
      return next;
  }
}

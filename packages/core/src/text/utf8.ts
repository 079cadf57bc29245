// Hand-rolled because Figma's QuickJS sandbox has no TextEncoder/TextDecoder. Decoding is strict:
// signed text and canonical CBOR must never accept two spellings of the same bytes.

/** UTF-8 bytes of a string; throws RangeError on a lone surrogate, which has no UTF-8 form. */
export function utf8Encode(text: string): Uint8Array {
  const out = new Uint8Array(utf8Length(text));
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      code = surrogatePairAt(text, i);
      i++;
    }
    if (code < 0x80) {
      out[o++] = code;
    } else if (code < 0x800) {
      out[o++] = 0xc0 | (code >> 6);
      out[o++] = 0x80 | (code & 63);
    } else if (code < 0x10000) {
      out[o++] = 0xe0 | (code >> 12);
      out[o++] = 0x80 | ((code >> 6) & 63);
      out[o++] = 0x80 | (code & 63);
    } else {
      out[o++] = 0xf0 | (code >> 18);
      out[o++] = 0x80 | ((code >> 12) & 63);
      out[o++] = 0x80 | ((code >> 6) & 63);
      out[o++] = 0x80 | (code & 63);
    }
  }
  return out;
}

/** Length in bytes of the UTF-8 form of a string; throws RangeError on a lone surrogate. */
export function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += 1;
    else if (code < 0x800) length += 2;
    else if (code >= 0xd800 && code <= 0xdfff) {
      surrogatePairAt(text, i);
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

/** Index of the first lone surrogate in a string, or -1: such a string has no UTF-8 form. */
export function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xd800 || code > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return i;
    i++;
  }
  return -1;
}

function surrogatePairAt(text: string, i: number): number {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  if (high > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
    throw new RangeError(`lone surrogate at index ${i} has no UTF-8 encoding`);
  }
  return 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
}

/** Decodes strict UTF-8 (no overlongs, surrogates, truncation or values above U+10FFFF); throws otherwise. */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const problem = utf8Problem(bytes, start, end);
  if (problem) throw new RangeError(`invalid UTF-8 at byte ${problem.at}: ${problem.reason}`);
  const parts: string[] = [];
  let units: number[] = [];
  for (let i = start; i < end; ) {
    const b = bytes[i]!;
    let code: number;
    if (b < 0x80) {
      code = b;
      i += 1;
    } else if (b < 0xe0) {
      code = ((b & 31) << 6) | (bytes[i + 1]! & 63);
      i += 2;
    } else if (b < 0xf0) {
      code = ((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
      i += 3;
    } else {
      code = ((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
      i += 4;
    }
    if (code < 0x10000) units.push(code);
    else units.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    // String.fromCharCode takes its arguments on the stack; flush before large inputs overflow it.
    if (units.length >= 8192) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  }
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}

export interface Utf8Problem {
  at: number;
  reason: string;
}

/** The first place bytes[start, end) breaks strict UTF-8, or undefined when it is valid. */
export function utf8Problem(bytes: Uint8Array, start: number, end: number): Utf8Problem | undefined {
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let code: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      code = b & 31;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      code = b & 15;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      code = b & 7;
    } else {
      return { at: i, reason: b < 0xc0 ? 'unexpected continuation byte' : 'byte never appears in UTF-8' };
    }
    if (i + need >= end) return { at: i, reason: 'truncated sequence' };
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return { at: i + k, reason: 'expected a continuation byte' };
      code = (code << 6) | (c & 63);
    }
    if (code < min) return { at: i, reason: 'overlong encoding' };
    if (code >= 0xd800 && code <= 0xdfff) return { at: i, reason: 'encoded surrogate' };
    if (code > 0x10ffff) return { at: i, reason: 'code point out of range' };
    i += need + 1;
  }
  return undefined;
}

// Hand-rolled because the QuickJS sandbox has no TextEncoder/TextDecoder/atob/btoa. Decoders are
// strict: notes and checkpoints are signed as text, so two spellings of the same bytes must never
// both be accepted.

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

/** Decodes strict UTF-8 (no overlongs, surrogates, truncation or values above U+10FFFF). */
export function utf8Decode(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    let code: number;
    if (b < 0x80) {
      need = 0;
      min = 0;
      code = b;
    } else if (b >= 0xc2 && b <= 0xdf) {
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
      throw new RangeError(`invalid UTF-8 at byte ${i}`);
    }
    if (i + need >= bytes.length) {
      throw new RangeError(`invalid UTF-8 at byte ${i}: truncated sequence`);
    }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) throw new RangeError(`invalid UTF-8 at byte ${i + k}`);
      code = (code << 6) | (c & 63);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new RangeError(`invalid UTF-8 at byte ${i}: overlong, surrogate or out of range`);
    }
    if (code < 0x10000) {
      chunk.push(code);
    } else {
      chunk.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
    }
    // String.fromCharCode takes its arguments on the stack; flush before large inputs overflow it.
    if (chunk.length >= 8192) {
      parts.push(String.fromCharCode(...chunk));
      chunk = [];
    }
    i += need + 1;
  }
  parts.push(String.fromCharCode(...chunk));
  return parts.join('');
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const BASE64_VALUES: Int16Array = (() => {
  const values = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE64_ALPHABET.length; i++) values[BASE64_ALPHABET.charCodeAt(i)] = i;
  return values;
})();

/** Standard (RFC 4648 section 4) base64 with padding. */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const b2 = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    out += BASE64_ALPHABET[b0 >> 2];
    out += BASE64_ALPHABET[((b0 & 3) << 4) | (b1 >> 4)];
    out += i + 1 < bytes.length ? BASE64_ALPHABET[((b1 & 15) << 2) | (b2 >> 6)] : '=';
    out += i + 2 < bytes.length ? BASE64_ALPHABET[b2 & 63] : '=';
  }
  return out;
}

/**
 * Decodes canonical standard base64 only: padding required, no whitespace, and the unused low bits
 * of the last character must be zero (otherwise several strings would decode to the same bytes).
 * Throws RangeError saying what is wrong.
 */
export function base64Decode(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new RangeError(`base64 length ${text.length} is not a multiple of 4`);
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - padding);
  const dataChars = text.length - padding;
  let o = 0;
  let acc = 0;
  for (let i = 0; i < dataChars; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? BASE64_VALUES[code]! : -1;
    if (value < 0) throw new RangeError(`base64 character ${JSON.stringify(text[i])} at index ${i} is not allowed`);
    acc = (acc << 6) | value;
    if (i % 4 === 3) {
      out[o++] = (acc >> 16) & 255;
      out[o++] = (acc >> 8) & 255;
      out[o++] = acc & 255;
      acc = 0;
    }
  }
  if (padding === 1) {
    if ((acc & 3) !== 0) throw new RangeError('base64 has non-zero bits after its last byte');
    out[o++] = (acc >> 10) & 255;
    out[o++] = (acc >> 2) & 255;
  } else if (padding === 2) {
    if ((acc & 15) !== 0) throw new RangeError('base64 has non-zero bits after its last byte');
    out[o++] = (acc >> 4) & 255;
  }
  return out;
}

// Hand-rolled because Figma's QuickJS sandbox has no atob/btoa.

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

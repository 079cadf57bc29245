import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode } from '../src/text/base64.js';
import { utf8Decode, utf8Encode, utf8Length } from '../src/text/utf8.js';

describe('base64', () => {
  it('matches Node for any bytes, both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = base64Encode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(base64Decode(text)).toEqual(bytes);
      }),
    );
  });

  it('accepts only the canonical spelling', () => {
    expect(base64Decode('')).toEqual(new Uint8Array(0));
    expect(() => base64Decode('QQ')).toThrow(/length 2 is not a multiple of 4/);
    expect(() => base64Decode('QR==')).toThrow(/non-zero bits/);
    expect(() => base64Decode('QUJ=')).toThrow(/non-zero bits/);
    expect(() => base64Decode('Q===')).toThrow(/"=" at index 1/);
    expect(() => base64Decode('QQ=A')).toThrow(/"=" at index 2/);
    expect(() => base64Decode('QU I')).toThrow(/" " at index 2/);
    expect(() => base64Decode('QUJ-')).toThrow(/"-" at index 3/);
    expect(() => base64Decode('QUJé')).toThrow(/"é" at index 3/);
  });
});

describe('UTF-8', () => {
  it('matches Node for any well-formed string, both ways', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (text) => {
        const bytes = utf8Encode(text);
        expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(text, 'utf8').toString('hex'));
        expect(utf8Length(text)).toBe(bytes.length);
        expect(utf8Decode(bytes)).toBe(text);
      }),
    );
  });

  it('decodes long input without overflowing the call stack', () => {
    const text = 'é😀a'.repeat(100_000);
    expect(utf8Decode(utf8Encode(text))).toBe(text);
  });

  it('rejects lone surrogates and ill-formed bytes', () => {
    expect(() => utf8Encode('a\udc00')).toThrow(/lone surrogate at index 1/);
    expect(() => utf8Length('\ud800b')).toThrow(/lone surrogate at index 0/);
    const bad: Array<[number[], RegExp]> = [
      [[0x80], /byte 0/],
      [[0x61, 0xc0, 0x80], /byte 1/], // overlong NUL
      [[0xc1, 0xbf], /byte 0/], // overlong
      [[0xe0, 0x80, 0x80], /byte 0: overlong/],
      [[0xed, 0xa0, 0x80], /byte 0: encoded surrogate/], // encoded surrogate
      [[0xf4, 0x90, 0x80, 0x80], /out of range/],
      [[0xf5, 0x80, 0x80, 0x80], /byte 0/],
      [[0xe2, 0x80], /truncated/],
      [[0xe2, 0x28, 0xa1], /byte 1/],
    ];
    for (const [bytes, message] of bad) expect(() => utf8Decode(Uint8Array.from(bytes))).toThrow(message);
  });
});

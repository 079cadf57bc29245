import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  MAX_NOTE_BYTES,
  NoteError,
  cosignNote,
  formatSignerKey,
  formatVerifierKey,
  noteKeyHash,
  noteSignerFromSeed,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from '../../src/transparency/index.js';
import type { NoteVerifier } from '../../src/transparency/index.js';

interface Vector {
  signerKey: string;
  verifierKey: string;
  text: string;
  note: string;
}

const vector = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/signed-note/go-sumdb-vector.json', import.meta.url), 'utf8'),
) as Vector;

// Key data is base64 and may contain '+' itself (this one does).
const signerKeyData = vector.signerKey.split('+').slice(4).join('+');
const seedOf = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const nonCanonical = (last: string): string => BASE64[BASE64.indexOf(last) | 1]!;
const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

describe('the golang.org/x/mod/sumdb/note vector', () => {
  const signer = parseSignerKey(vector.signerKey);
  const verifier = parseVerifierKey(vector.verifierKey);

  it('signs the text into the exact note', () => {
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyHash).toBe(0xc74f20a3);
    expect(signNote(vector.text, [signer])).toBe(vector.note);
  });

  it('derives the verifier key and re-encodes the signer key', () => {
    expect(signer.verifierKey).toBe(vector.verifierKey);
    const seed = new Uint8Array(Buffer.from(signerKeyData, 'base64')).subarray(1);
    expect(formatSignerKey('PeterNeumann', seed)).toBe(vector.signerKey);
    expect(noteSignerFromSeed('PeterNeumann', seed).verifierKey).toBe(vector.verifierKey);
    expect(verifier.keyHash).toBe(noteKeyHash('PeterNeumann', new Uint8Array(Buffer.from(vector.verifierKey.split('+')[2]!, 'base64')).subarray(1)));
  });

  it('opens the note, as a string and as bytes', () => {
    const expected = { text: vector.text, verifiedBy: ['PeterNeumann'], unverified: [] };
    expect(openNote(vector.note, [verifier])).toEqual(expected);
    expect(openNote(utf8(vector.note), [verifier])).toEqual(expected);
  });

  it('rejects the note after any single byte changes', () => {
    const bytes = utf8(vector.note);
    const accepted: string[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const replacements = new Set<number>([0x41, 0x7a, 0x0a, 0x20, 0x2b, 0x3d, 0x00, 0xff]);
      for (let bit = 0; bit < 8; bit++) replacements.add(bytes[i]! ^ (1 << bit));
      replacements.delete(bytes[i]!);
      for (const value of replacements) {
        const changed = bytes.slice();
        changed[i] = value;
        let opened;
        try {
          opened = openNote(changed, [verifier]);
        } catch (error) {
          expect(error).toBeInstanceOf(NoteError);
          continue;
        }
        accepted.push(`byte ${i} -> 0x${value.toString(16)}: ${JSON.stringify(opened.text)}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('rejects a changed text even when the signature line is intact', () => {
    const note = vector.note.replace('cryptography', 'cryptographY');
    expect(() => openNote(note, [verifier])).toThrow(/note line 4: signature by PeterNeumann\+c74f20a3 does not verify/);
  });
});

describe('keys', () => {
  it('rejects malformed verifier keys, saying what is wrong', () => {
    const [name, hash, data] = vector.verifierKey.split('+') as [string, string, string];
    expect(() => parseVerifierKey(`${name}+${hash}`)).toThrow(/must have the form <name>\+<hash>\+<key data>/);
    expect(() => parseVerifierKey(`+${hash}+${data}`)).toThrow(/key name is empty/);
    expect(() => parseVerifierKey(`${name}+c74f20a+${data}`)).toThrow(/key hash must be 8 hex digits/);
    expect(() => parseVerifierKey(`${name}+c74f20a4+${data}`)).toThrow(/key hash c74f20a4 does not match the key's c74f20a3/);
    expect(() => parseVerifierKey(`Peter+${hash}+${data}`)).toThrow(/does not match/);
    expect(() => parseVerifierKey(`${name}+${hash}+${data.slice(1)}`)).toThrow(/not canonical base64/);
    const alg2 = Buffer.from(data, 'base64');
    alg2[0] = 2;
    expect(() => parseVerifierKey(`${name}+${hash}+${alg2.toString('base64')}`)).toThrow(/key type is 0x02, only Ed25519/);
    const short = Buffer.from(data, 'base64').subarray(0, 30).toString('base64');
    expect(() => parseVerifierKey(`${name}+${hash}+${short}`)).toThrow(/must be 1 \+ 32 bytes, got 30/);
  });

  it('rejects malformed signer keys without quoting the key data', () => {
    const data = signerKeyData;
    const cases: Array<[string, RegExp]> = [
      [vector.signerKey.replace('PRIVATE+KEY+', 'PRIVATE+KEYS+'), /must start with PRIVATE\+KEY\+/],
      [vector.signerKey.replace('c74f20a3', 'c74f20a4'), /key hash c74f20a4 does not match the key's c74f20a3/],
      [vector.signerKey.replace(data, `${data.slice(0, 10)}*${data.slice(11)}`), /key data is not canonical base64$/],
      [vector.signerKey.replace(data, Buffer.from(data, 'base64').subarray(0, 31).toString('base64')), /must be 1 \+ 32 bytes, got 31/],
    ];
    for (const [key, message] of cases) {
      let error: unknown;
      try {
        parseSignerKey(key);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(NoteError);
      expect((error as Error).message).toMatch(message);
      for (let i = 0; i + 6 <= data.length; i++) expect((error as Error).message).not.toContain(data.slice(i, i + 6));
    }
  });

  it('enforces key name rules: non-empty, no plus, no Unicode spaces', () => {
    for (const name of ['', 'a+b', 'a b', 'a\tb', 'a\u00a0b', 'a\u2003b', 'a\u3000b', 'a\u2028b', 'a\u0085b', 'a\u0001b', 'a\ud800']) {
      expect(() => noteSignerFromSeed(name, seedOf(1)), JSON.stringify(name)).toThrow(NoteError);
    }
    for (const name of ['example.com/log', 'ünïcødé', 'a\u200bb', '😀']) {
      expect(noteSignerFromSeed(name, seedOf(1)).name).toBe(name);
    }
    expect(() => noteSignerFromSeed('ok', new Uint8Array(31))).toThrow(/seed must be 32 bytes, got 31/);
    expect(() => formatVerifierKey('ok', new Uint8Array(33))).toThrow(/public key must be 32 bytes, got 33/);
  });

  it('round-trips generated keys through their strings', () => {
    const key = formatSignerKey('example.com/log', seedOf(9));
    const signer = parseSignerKey(key);
    const verifier = parseVerifierKey(signer.verifierKey);
    expect(verifier.name).toBe('example.com/log');
    expect(verifier.keyHash).toBe(signer.keyHash);
    expect(openNote(signNote('hello\n', [signer]), [verifier]).text).toBe('hello\n');
  });
});

describe('note format', () => {
  const alice = noteSignerFromSeed('example.com/alice', seedOf(1));
  const bob = noteSignerFromSeed('example.com/bob', seedOf(2));
  const aliceV = parseVerifierKey(alice.verifierKey);
  const bobV = parseVerifierKey(bob.verifierKey);

  it('keeps texts with blank lines, including at the end', () => {
    for (const text of ['\n', 'a\n\nb\n', 'a\n\n', 'a\n\n\n', 'Ognuno sta solo sul cuor della terra\n\ned è subito sera.\n']) {
      expect(openNote(signNote(text, [alice]), [aliceV]).text).toBe(text);
    }
  });

  it('rejects texts it cannot sign', () => {
    expect(() => signNote('no newline', [alice])).toThrow(/must end with a newline/);
    expect(() => signNote('', [alice])).toThrow(/must end with a newline/);
    expect(() => signNote('a\nb\tc\n', [alice])).toThrow(/note text line 2 contains control character U\+0009/);
    expect(() => signNote('a\r\n', [alice])).toThrow(/control character U\+000D/);
    expect(() => signNote('a\ud800\n', [alice])).toThrow(/line 1 is not valid UTF-8/);
    expect(() => signNote('a\n', [])).toThrow(/at least one signer/);
    expect(() => signNote('a\n', [alice, alice])).toThrow(/signers\[1\] repeats key example.com\/alice\+/);
    expect(() => signNote(`${'x'.repeat(MAX_NOTE_BYTES)}\n`, [alice])).toThrow(/over the 1048576 allowed/);
  });

  it('rejects malformed notes, saying where', () => {
    const good = signNote('hello\n', [alice]);
    const sigLine = good.split('\n')[2]!;
    const b64 = sigLine.split(' ')[2]!;
    const cases: Array<[string | Uint8Array, RegExp]> = [
      ['hello\n' + sigLine + '\n', /no blank line/],
      ['hello\n\n', /no signature lines/],
      [good.slice(0, -1), /does not end with a newline/],
      [good.replace('\u2014', '-'), /note line 3: signature lines must start with an em dash/],
      [good.replace('\u2014 ', '\u2014'), /must start with an em dash/],
      [good.replace(` ${b64}`, b64), /note line 3: expected "<key name> <base64 signature>"/],
      // Same bytes, but with a non-zero unused bit in the last character: must not be a second spelling.
      [good.replace(b64, `${b64.slice(0, -2)}${nonCanonical(b64[b64.length - 2]!)}=`), /not canonical base64 \(base64 has non-zero bits/],
      [good.replace(b64, b64.slice(1)), /not canonical base64 \(base64 length/],
      [good.replace(b64, 'AAAAAA=='), /signature is 4 bytes, needs a 4-byte key hash and a signature/],
      [good.replace(b64, ''), /not canonical base64|signature is 0 bytes/],
      [good.replace('example.com/alice', 'example.com/a+lice'), /contains '\+'/],
      [good.replace('hello', 'hel\u0007lo'), /note line 1 contains control character U\+0007/],
      [good + sigLine + '\n\n', /no signature lines/],
      // The last blank line splits, so the first signature line becomes text and no longer verifies.
      [good + '\n' + sigLine + '\n', /note line 5: signature by example.com\/alice\+[0-9a-f]{8} does not verify/],
      [Uint8Array.of(...utf8('hello\n\n\u2014 a ')).map((b, i) => (i === 1 ? 0xc0 : b)), /not valid UTF-8: invalid UTF-8 at byte 1/],
      [good + `${sigLine}\n`.repeat(100), /101 signature lines, over the 100 allowed/],
      [`${'x'.repeat(MAX_NOTE_BYTES)}\n\n${sigLine}\n`, /note has 1048\d+ characters, over the 1048576 bytes allowed/],
      [`${'é'.repeat(MAX_NOTE_BYTES / 2)}\n\n${sigLine}\n`, /note is \d+ bytes, over the 1048576 allowed/],
      [new Uint8Array(MAX_NOTE_BYTES + 1), /note is 1048577 bytes/],
    ];
    for (const [note, message] of cases) {
      expect(() => openNote(note, [aliceV]), String(message)).toThrow(NoteError);
      expect(() => openNote(note, [aliceV])).toThrow(message);
    }
  });

  it('ignores unknown keys but needs one known key to verify', () => {
    const both = signNote('hello\n', [alice, bob]);
    expect(openNote(both, [aliceV])).toMatchObject({ verifiedBy: ['example.com/alice'], unverified: [{ name: 'example.com/bob', keyHash: bob.keyHash }] });
    expect(() => openNote(both, [])).toThrow(/no signature by a known key \(signed by example.com\/alice\+[0-9a-f]{8}, example.com\/bob\+/);
    // Same name, other key: a different key hash, so ignored as unknown rather than failed.
    const impostor = noteSignerFromSeed('example.com/alice', seedOf(3));
    expect(() => openNote(signNote('hello\n', [impostor]), [aliceV])).toThrow(/no signature by a known key/);
  });

  it('rejects a note with a bad signature by a known key even if another verifies', () => {
    const both = signNote('hello\n', [alice, bob]);
    const bobLine = both.split('\n')[3]!;
    const forged = both.replace(bobLine, signNote('hellO\n', [bob]).split('\n')[2]!);
    expect(() => openNote(forged, [aliceV, bobV])).toThrow(/note line 4: signature by example.com\/bob\+[0-9a-f]{8} does not verify/);
    expect(openNote(forged, [aliceV]).verifiedBy).toEqual(['example.com/alice']);
  });

  it('refuses ambiguous verifier lists', () => {
    const twin: NoteVerifier = { ...aliceV, verify: () => true };
    expect(() => openNote(signNote('a\n', [alice]), [aliceV, bobV, twin])).toThrow(/verifiers\[2\] and verifiers\[0\] are both example.com\/alice\+/);
  });
});

describe('cosigning', () => {
  const log = noteSignerFromSeed('example.com/log', seedOf(4));
  const witness = noteSignerFromSeed('example.com/witness', seedOf(5));
  const logV = parseVerifierKey(log.verifierKey);
  const witnessV = parseVerifierKey(witness.verifierKey);
  const note = signNote('tree head\n', [log]);

  it('adds a witness signature that verifies alongside the log one', () => {
    const cosigned = cosignNote(note, witness, [logV]);
    expect(cosigned).toBe(`${note}${cosigned.split('\n')[3]}\n`);
    expect(openNote(cosigned, [logV, witnessV]).verifiedBy).toEqual(['example.com/log', 'example.com/witness']);
    expect(openNote(cosigned, [witnessV])).toMatchObject({ verifiedBy: ['example.com/witness'], unverified: [{ name: 'example.com/log' }] });
    expect(cosigned).toBe(signNote('tree head\n', [log, witness]));
  });

  it('will not cosign a note it cannot verify', () => {
    expect(() => cosignNote(note, witness, [witnessV])).toThrow(/no signature by a known key/);
    const tampered = note.replace('tree head', 'tree heap');
    expect(() => cosignNote(tampered, witness, [logV])).toThrow(/does not verify/);
  });

  it('replaces its own earlier signature instead of repeating it, and keeps order deterministic', () => {
    const cosigned = cosignNote(note, witness, [logV]);
    expect(cosignNote(cosigned, witness, [logV])).toBe(cosigned);
    const other = noteSignerFromSeed('example.com/other', seedOf(6));
    const three = cosignNote(cosigned, other, [logV]);
    expect(three.split('\n').slice(2, 5).map((line) => line.split(' ')[1])).toEqual([
      'example.com/log',
      'example.com/witness',
      'example.com/other',
    ]);
    expect(cosignNote(three, witness, [logV]).split('\n').slice(2, 5).map((line) => line.split(' ')[1])).toEqual([
      'example.com/log',
      'example.com/other',
      'example.com/witness',
    ]);
  });

  it('catches a forged witness signature only when the witness key is known', () => {
    const cosigned = cosignNote(note, witness, [logV]);
    const lines = cosigned.split('\n');
    const fake = signNote('other head\n', [witness]).split('\n')[2]!;
    const forged = cosigned.replace(lines[3]!, fake);
    expect(() => openNote(forged, [logV, witnessV])).toThrow(/example.com\/witness\+[0-9a-f]{8} does not verify/);
    expect(openNote(forged, [logV]).verifiedBy).toEqual(['example.com/log']);
  });
});

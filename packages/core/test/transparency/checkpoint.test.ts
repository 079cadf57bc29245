import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  MerkleTree,
  NoteError,
  cosignNote,
  formatCheckpoint,
  leafHash,
  noteSignerFromSeed,
  openCheckpoint,
  parseCheckpoint,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifyConsistency,
  verifyInclusion,
} from '../../src/transparency/index.js';
import type { Checkpoint } from '../../src/transparency/index.js';

const ORIGIN = 'example.com/behind-the-sofa';
// The example body from c2sp.org/tlog-checkpoint.
const SPEC_BODY = `${ORIGIN}\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`;

const rootOf = (fill: number): Uint8Array => new Uint8Array(32).fill(fill);

describe('checkpoint text', () => {
  it('parses the spec example and formats it back byte for byte', () => {
    const checkpoint = parseCheckpoint(SPEC_BODY);
    expect(checkpoint.origin).toBe(ORIGIN);
    expect(checkpoint.size).toBe(20852163);
    expect(Buffer.from(checkpoint.rootHash).toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(checkpoint.extensions).toBeUndefined();
    expect(formatCheckpoint(checkpoint)).toBe(SPEC_BODY);
  });

  it('round-trips sizes from 0 to 2^53 - 1 and extension lines', () => {
    const cases: Checkpoint[] = [
      { origin: 'o', size: 0, rootHash: rootOf(0) },
      { origin: 'log with spaces+plus', size: Number.MAX_SAFE_INTEGER, rootHash: rootOf(255) },
      { origin: ORIGIN, size: 7, rootHash: rootOf(1), extensions: ['ext one', '— two'] },
    ];
    for (const checkpoint of cases) expect(parseCheckpoint(formatCheckpoint(checkpoint))).toEqual(checkpoint);
  });

  it('rejects malformed checkpoint text, naming the line', () => {
    const root = 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=';
    const cases: Array<[string, RegExp]> = [
      [`${ORIGIN}\n1\n${root}`, /must end with a newline/],
      [`${ORIGIN}\n1\n`, /checkpoint has 2 lines, needs origin, tree size and root hash lines/],
      [`\n1\n${root}\n`, /line 1: origin is empty/],
      [`${ORIGIN}\n01\n${root}\n`, /line 2: tree size "01" is not a decimal number without leading zeros/],
      [`${ORIGIN}\n-1\n${root}\n`, /line 2: tree size "-1"/],
      [`${ORIGIN}\n+1\n${root}\n`, /line 2/],
      [`${ORIGIN}\n1.0\n${root}\n`, /line 2/],
      [`${ORIGIN}\n1e3\n${root}\n`, /line 2/],
      [`${ORIGIN}\n 1\n${root}\n`, /line 2/],
      [`${ORIGIN}\n\n${root}\n`, /line 2: tree size ""/],
      [`${ORIGIN}\n9007199254740992\n${root}\n`, /line 2: tree size 9007199254740992 is over 2\^53 - 1/],
      [`${ORIGIN}\n1\n${root.slice(1)}\n`, /line 3: root hash is not canonical base64/],
      [`${ORIGIN}\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n`, /line 3: root hash is not canonical base64 \(base64 has non-zero bits/],
      [`${ORIGIN}\n1\n${root.replace('=', '')}\n`, /line 3: root hash is not canonical base64/],
      [`${ORIGIN}\n1\n ${root}\n`, /line 3/],
      [`${ORIGIN}\n1\nAAAA\n`, /line 3: root hash is 3 bytes, want 32/],
      [`${ORIGIN}\n1\n${root}\n\n`, /line 4: extension lines must be non-empty/],
      [`${ORIGIN}\n1\n${root}\next\n\nmore\n`, /line 5: extension lines must be non-empty/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseCheckpoint(text), JSON.stringify(text)).toThrow(CheckpointError);
      expect(() => parseCheckpoint(text)).toThrow(message);
    }
  });

  it('refuses to format checkpoints that would not parse', () => {
    expect(() => formatCheckpoint({ origin: '', size: 1, rootHash: rootOf(1) })).toThrow(/origin is empty/);
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: rootOf(1) })).toThrow(/origin contains a newline/);
    expect(() => formatCheckpoint({ origin: 'a', size: -1, rootHash: rootOf(1) })).toThrow(/size must be a non-negative safe integer/);
    expect(() => formatCheckpoint({ origin: 'a', size: 1.5, rootHash: rootOf(1) })).toThrow(/size must be/);
    expect(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: new Uint8Array(31) })).toThrow(/rootHash must be 32 bytes, got 31/);
    expect(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: rootOf(1), extensions: ['ok', ''] })).toThrow(
      /extensions\[1\] must be one non-empty line/,
    );
  });
});

describe('signed checkpoints', () => {
  const log = noteSignerFromSeed(ORIGIN, new Uint8Array(32).fill(7));
  const witness = noteSignerFromSeed('witness.example/w1', new Uint8Array(32).fill(8));
  const logV = parseVerifierKey(log.verifierKey);
  const witnessV = parseVerifierKey(witness.verifierKey);

  const tree = new MerkleTree();
  for (let i = 0; i < 10; i++) tree.append(leafHash(Uint8Array.of(i)));
  const head = (size: number): Checkpoint => ({ origin: ORIGIN, size, rootHash: tree.root(size) });

  it('signs and opens a checkpoint whose root proves inclusion and consistency', () => {
    const older = openCheckpoint(signCheckpoint(head(6), [log]), ORIGIN, [logV]);
    const newer = openCheckpoint(signCheckpoint(head(10), [log]), ORIGIN, [logV]);
    expect(newer).toEqual({ checkpoint: head(10), verifiedBy: [ORIGIN], unverified: [] });
    const a = older.checkpoint;
    const b = newer.checkpoint;
    verifyConsistency(a.size, b.size, tree.consistencyProof(a.size, b.size), a.rootHash, b.rootHash);
    verifyInclusion(leafHash(Uint8Array.of(3)), 3, b.size, tree.inclusionProof(3, b.size), b.rootHash);
  });

  it('rejects a checkpoint for another origin, an unsigned one and a tampered one', () => {
    const note = signCheckpoint(head(10), [log]);
    expect(() => openCheckpoint(note, 'example.com/other', [logV])).toThrow(
      /checkpoint origin "example.com\/behind-the-sofa" is not the expected "example.com\/other"/,
    );
    expect(() => openCheckpoint(note, ORIGIN, [witnessV])).toThrow(NoteError);
    expect(() => openCheckpoint(note.replace('\n10\n', '\n11\n'), ORIGIN, [logV])).toThrow(/does not verify/);
  });

  it('rejects a validly signed note whose text is not a checkpoint', () => {
    const root = Buffer.from(tree.root(10)).toString('base64');
    expect(() => openCheckpoint(signNote('not a checkpoint\n', [log]), ORIGIN, [logV])).toThrow(
      /checkpoint has 1 lines/,
    );
    expect(() => openCheckpoint(signNote(`${ORIGIN}\n010\n${root}\n`, [log]), ORIGIN, [logV])).toThrow(
      CheckpointError,
    );
  });

  it('is cosigned by a witness, and both signatures verify', () => {
    const note = signCheckpoint(head(10), [log]);
    const cosigned = cosignNote(note, witness, [logV]);
    const opened = openCheckpoint(cosigned, ORIGIN, [logV, witnessV]);
    expect(opened.verifiedBy).toEqual([ORIGIN, 'witness.example/w1']);
    expect(opened.checkpoint).toEqual(head(10));

    // A client that requires the witness sees it missing on the log-only note.
    expect(openCheckpoint(note, ORIGIN, [logV, witnessV]).verifiedBy).toEqual([ORIGIN]);
    // And a witness signature over a different head fails the whole note.
    const otherHead = cosignNote(signCheckpoint(head(9), [log]), witness, [logV]).split('\n').slice(-2)[0]!;
    const forged = cosigned.replace(cosigned.split('\n').slice(-2)[0]!, otherHead);
    expect(() => openCheckpoint(forged, ORIGIN, [logV, witnessV])).toThrow(/witness.example\/w1\+[0-9a-f]{8} does not verify/);
  });
});

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cryptoBackend, useCryptoBackend } from '../../src/crypto/backend.js';
import {
  MerkleTree,
  ProofError,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from '../../src/transparency/index.js';

const MERKLE_FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/merkle/', import.meta.url));

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(path);
    return entry.name.endsWith('.json') ? [path] : [];
  });
}

function loadCases<T>(kind: 'inclusion' | 'consistency'): Array<T & { file: string }> {
  return jsonFiles(join(MERKLE_FIXTURES, kind)).map((path) => ({
    ...(JSON.parse(readFileSync(path, 'utf8')) as T),
    file: relative(MERKLE_FIXTURES, path),
  }));
}

const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const proofOf = (proof: string[] | null): Uint8Array[] => (proof ?? []).map(b64);

const inclusionCases = loadCases<InclusionCase>('inclusion');
const consistencyCases = loadCases<ConsistencyCase>('consistency');

describe('RFC 9162 proof vectors from transparency-dev/merkle', () => {
  it('finds the fixture files', () => {
    expect(inclusionCases.length).toBeGreaterThan(50);
    expect(consistencyCases.length).toBeGreaterThan(50);
    expect(inclusionCases.length + consistencyCases.length).toBeGreaterThan(100);
  });

  it.each(inclusionCases)('inclusion $file', (c) => {
    const verify = () => verifyInclusion(b64(c.leafHash), c.leafIdx, c.treeSize, proofOf(c.proof), b64(c.root));
    if (c.wantErr) expect(verify).toThrow(ProofError);
    else expect(verify).not.toThrow();
  });

  it.each(consistencyCases)('consistency $file', (c) => {
    const verify = () => verifyConsistency(c.size1, c.size2, proofOf(c.proof), b64(c.root1), b64(c.root2));
    if (c.wantErr) expect(verify).toThrow(ProofError);
    else expect(verify).not.toThrow();
  });
});

describe('the README tree of 8 leaves', () => {
  const readme = readFileSync(join(MERKLE_FIXTURES, 'README.md'), 'utf8');
  const leafList = /leaves \(hex\):([\s\S]*?)\. Root/.exec(readme)?.[1] ?? '';
  const leaves = [...leafList.matchAll(/"([0-9a-f]*)"/g)].map((m) => new Uint8Array(Buffer.from(m[1]!, 'hex')));
  const roots = [...readme.matchAll(/^(\d) ([0-9a-f]{64})$/gm)].map((m) => ({ size: Number(m[1]), root: m[2]! }));
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.append(leafHash(leaf));

  it('has the leaves and roots the README lists', () => {
    expect(leaves.map(hex)[3]).toBe('2021');
    expect(leaves).toHaveLength(8);
    expect(roots.map((r) => r.size)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reproduces the root at every size 0..8, also via merkleRoot', () => {
    for (const { size, root } of roots) {
      expect(hex(tree.root(size)), `size ${size}`).toBe(root);
      expect(hex(merkleRoot(leaves.slice(0, size).map(leafHash)))).toBe(root);
    }
  });

  it('generates the fixture inclusion proofs and proofs that verify for every (index, size)', () => {
    const fixtures = inclusionCases.filter((c) => !c.wantErr && c.treeSize <= 8 && c.treeSize >= 1);
    let compared = 0;
    for (let size = 1; size <= 8; size++) {
      for (let index = 0; index < size; index++) {
        const proof = tree.inclusionProof(index, size);
        verifyInclusion(leafHash(leaves[index]!), index, size, proof, tree.root(size));
        for (const c of fixtures) {
          if (c.leafIdx !== index || c.treeSize !== size || c.root !== b64str(tree.root(size))) continue;
          expect(proof.map(b64str), c.file).toEqual(c.proof ?? []);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('generates the fixture consistency proofs and proofs that verify for every (size1, size2)', () => {
    const fixtures = consistencyCases.filter((c) => !c.wantErr && c.size2 <= 8);
    let compared = 0;
    for (let size2 = 1; size2 <= 8; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const proof = tree.consistencyProof(size1, size2);
        verifyConsistency(size1, size2, proof, tree.root(size1), tree.root(size2));
        for (const c of fixtures) {
          if (c.size1 !== size1 || c.size2 !== size2 || c.root2 !== b64str(tree.root(size2))) continue;
          expect(proof.map(b64str), c.file).toEqual(c.proof ?? []);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});

function b64str(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

// Straight transcriptions of RFC 9162 sections 2.1.1, 2.1.3.1 and 2.1.4.1, hashing with node:crypto,
// as an independent oracle for the memoized tree.
function sha(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}
const split = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
function refRoot(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha();
  if (d.length === 1) return d[0]!;
  const k = split(d.length);
  return sha(Uint8Array.of(1), refRoot(d.slice(0, k)), refRoot(d.slice(k)));
}
function refPath(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), refRoot(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), refRoot(d.slice(0, k))];
}
function refSubproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [refRoot(d)];
  const k = split(d.length);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), refRoot(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), refRoot(d.slice(0, k))];
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function flipProofBit(proof: Uint8Array[], bit: number): Uint8Array[] {
  const at = Math.floor(bit / 256);
  return proof.map((hash, i) => (i === at ? flipBit(hash, bit % 256) : hash));
}

describe('generated proofs (property)', () => {
  const MAX = 300;
  const leafHashes = Array.from({ length: MAX }, (_, i) => leafHash(Uint8Array.of(i >> 8, i & 255, 7)));
  const big = new MerkleTree();
  for (const hash of leafHashes) big.append(hash);

  it('split() used by the oracle is the largest power of two below n', () => {
    expect([2, 3, 4, 5, 8, 9].map(split)).toEqual([1, 2, 2, 4, 4, 8]);
  });

  it('inclusion proofs match the RFC oracle, verify, and fail with any bit flipped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.nat(), fc.nat(), (size, indexSeed, bitSeed) => {
        const index = indexSeed % size;
        const fresh = new MerkleTree();
        for (const hash of leafHashes.slice(0, size)) fresh.append(hash);
        const root = fresh.root();
        const proof = fresh.inclusionProof(index);
        expect(root).toEqual(refRoot(leafHashes.slice(0, size)));
        expect(big.root(size)).toEqual(root);
        expect(proof).toEqual(refPath(index, leafHashes.slice(0, size)));
        expect(big.inclusionProof(index, size)).toEqual(proof);
        verifyInclusion(leafHashes[index]!, index, size, proof, root);

        const leaf = leafHashes[index]!;
        if (proof.length > 0) {
          const bad = flipProofBit(proof, bitSeed % (proof.length * 256));
          expect(() => verifyInclusion(leaf, index, size, bad, root)).toThrow(ProofError);
        }
        expect(() => verifyInclusion(flipBit(leaf, bitSeed % 256), index, size, proof, root)).toThrow(ProofError);
        expect(() => verifyInclusion(leaf, index, size, proof, flipBit(root, bitSeed % 256))).toThrow(ProofError);
      }),
      { numRuns: 300 },
    );
  });

  it('consistency proofs match the RFC oracle, verify, and fail with any bit flipped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), fc.nat(), fc.nat(), (size2, sizeSeed, bitSeed) => {
        const size1 = 1 + (sizeSeed % size2);
        const fresh = new MerkleTree();
        for (const hash of leafHashes.slice(0, size2)) fresh.append(hash);
        const root1 = fresh.root(size1);
        const root2 = fresh.root();
        const proof = fresh.consistencyProof(size1);
        expect(proof).toEqual(size1 === size2 ? [] : refSubproof(size1, leafHashes.slice(0, size2), true));
        expect(big.consistencyProof(size1, size2)).toEqual(proof);
        verifyConsistency(size1, size2, proof, root1, root2);

        if (proof.length > 0) {
          const bad = flipProofBit(proof, bitSeed % (proof.length * 256));
          expect(() => verifyConsistency(size1, size2, bad, root1, root2)).toThrow(ProofError);
        }
        if (size1 !== size2) {
          // With equal sizes root1 = root2 is the whole check, so flipping one is covered below.
          expect(() => verifyConsistency(size1, size2, proof, flipBit(root1, bitSeed % 256), root2)).toThrow(ProofError);
        }
        expect(() => verifyConsistency(size1, size2, proof, root1, flipBit(root2, bitSeed % 256))).toThrow(ProofError);
      }),
      { numRuns: 300 },
    );
  });

  it('inclusion and consistency proofs for a wrong position or size do not verify', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: MAX }), fc.nat(), (size, seed) => {
        const index = seed % size;
        const other = (index + 1 + (seed % (size - 1))) % size;
        const proof = big.inclusionProof(index, size);
        expect(() => verifyInclusion(leafHashes[index]!, other, size, proof, big.root(size))).toThrow(ProofError);
        const size1 = 1 + (seed % (size - 1));
        const consistency = big.consistencyProof(size1, size);
        expect(() => verifyConsistency(size1, size, consistency, big.root(size1 + 1), big.root(size))).toThrow(ProofError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('a large tree', () => {
  it('serves proofs for 100k+ leaves with O(log n) hashing', () => {
    const size = (1 << 17) + 3;
    const tree = new MerkleTree();
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < size; i++) hashes.push(leafHash(Uint8Array.of(i >>> 16, (i >>> 8) & 255, i & 255)));

    const previous = cryptoBackend();
    let calls = 0;
    useCryptoBackend({ ...previous, sha256: (data) => (calls++, previous.sha256(data)) });
    try {
      for (const hash of hashes) tree.append(hash);
      expect(calls).toBeLessThanOrEqual(size); // one node hash per leaf, amortized

      const budget = 2 * 18; // about two walks of the tree's height
      for (const [index, atSize] of [[0, size], [size - 1, size], [77_777, 100_003], [65_535, 65_537]] as const) {
        calls = 0;
        const proof = tree.inclusionProof(index, atSize);
        const root = tree.root(atSize);
        expect(calls).toBeLessThanOrEqual(budget);
        verifyInclusion(hashes[index]!, index, atSize, proof, root);
      }
      for (const [size1, size2] of [[1, size], [100_000, size], [65_536, 65_537], [99_999, 100_001]] as const) {
        calls = 0;
        const proof = tree.consistencyProof(size1, size2);
        expect(calls).toBeLessThanOrEqual(budget);
        verifyConsistency(size1, size2, proof, tree.root(size1), tree.root(size2));
      }
    } finally {
      useCryptoBackend(previous);
    }
  });
});

describe('argument checking', () => {
  const tree = new MerkleTree();
  for (let i = 0; i < 5; i++) tree.append(leafHash(Uint8Array.of(i)));
  const root = tree.root();
  const leaf = leafHash(Uint8Array.of(0));
  const proof = tree.inclusionProof(0);

  it('rejects sizes and indices that are not non-negative safe integers', () => {
    expect(() => verifyInclusion(leaf, -1, 5, proof, root)).toThrow(/index must be a non-negative safe integer, got -1/);
    expect(() => verifyInclusion(leaf, 0.5, 5, proof, root)).toThrow(/index must be/);
    expect(() => verifyInclusion(leaf, 0, 2 ** 53, proof, root)).toThrow(/size must be/);
    expect(() => verifyInclusion(leaf, 0, Number.NaN, proof, root)).toThrow(/size must be/);
    expect(() => verifyInclusion(leaf, 5, 5, proof, root)).toThrow(/index 5 is not less than tree size 5/);
    expect(() => verifyConsistency(-1, 5, [], root, root)).toThrow(/size1 must be/);
    expect(() => verifyConsistency(3, 2, [], root, root)).toThrow(/size1 3 is greater than size2 2/);
    expect(() => verifyConsistency(0, 5, [], root, root)).toThrow(/size1 is 0/);
  });

  it('rejects hashes that are not 32 bytes and proofs of the wrong length', () => {
    expect(() => verifyInclusion(leaf.subarray(1), 0, 5, proof, root)).toThrow(/leafHash must be a 32-byte hash, got 31 bytes/);
    expect(() => verifyInclusion(leaf, 0, 5, proof, new Uint8Array(33))).toThrow(/root must be a 32-byte hash/);
    const short = [...proof.slice(0, 2), proof[2]!.subarray(0, 16)];
    expect(() => verifyInclusion(leaf, 0, 5, short, root)).toThrow(/proof\[2\] must be a 32-byte hash, got 16 bytes/);
    expect(() => verifyInclusion(leaf, 0, 5, proof.slice(1), root)).toThrow(/proof has 2 hashes, a proof for leaf 0 in a tree of size 5 has 3/);
    const huge = Array.from({ length: 65 }, () => leaf);
    expect(() => verifyInclusion(leaf, 0, 5, huge, root)).toThrow(/proof has 65 hashes, more than the 64 allowed/);
    expect(() => verifyConsistency(5, 5, [leaf], root, root)).toThrow(/proof has 1 hashes/);
    expect(() => verifyConsistency(2, 5, [], tree.root(2), root)).toThrow(/proof has 0 hashes/);
  });

  it('says which root a bad proof fails to reach', () => {
    const consistency = tree.consistencyProof(3);
    expect(() => verifyConsistency(3, 5, consistency, tree.root(2), root)).toThrow(/does not lead to root1/);
    expect(() => verifyConsistency(3, 5, consistency, tree.root(3), tree.root(4))).toThrow(/does not lead to root2/);
    expect(() => verifyInclusion(leaf, 0, 5, proof, tree.root(4))).toThrow(/does not lead to the root/);
  });

  it('refuses to make proofs for positions the tree does not have', () => {
    expect(() => tree.inclusionProof(5)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 6)).toThrow(/size 6 is out of range for a tree of 5 leaves \(allowed: 1 to 5\)/);
    expect(() => tree.consistencyProof(0)).toThrow(/size1 0 is out of range/);
    expect(() => tree.consistencyProof(4, 3)).toThrow(/size1 4 is out of range/);
    expect(() => tree.root(-1)).toThrow(RangeError);
    expect(() => new MerkleTree().inclusionProof(0)).toThrow(/allowed: none/);
    expect(() => tree.append(new Uint8Array(31))).toThrow(/leaf hash must be 32 bytes, got 31/);
    expect(() => nodeHash(leaf, new Uint8Array(3))).toThrow(RangeError);
  });

  it('returns copies, so callers cannot corrupt the tree', () => {
    const before = tree.root(4);
    tree.inclusionProof(0, 4)[1]!.fill(0);
    tree.root(4).fill(0);
    expect(tree.root(4)).toEqual(before);
  });

  it('hashes the empty tree as SHA-256 of nothing', () => {
    expect(hex(new MerkleTree().root())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

/**
 * RFC 9162 (Certificate Transparency v2) Merkle trees: hashing, an append-only tree that serves
 * inclusion and consistency proofs at any past size, and the proof verifiers of section 2.1.
 *
 * Verifiers throw ProofError (never return a flag): a rejected proof cannot be mistaken for an
 * accepted one by a caller who forgets to look at a result. MerkleTree methods throw RangeError
 * when asked for something the tree does not hold; that is a caller bug, not a bad proof.
 */
import { equals as bytesEqual } from 'multiformats/bytes';
import { sha256 } from '../crypto/backend.js';
import { ColophonError } from '../errors.js';

export const HASH_SIZE = 32;

/** No tree addressable with safe integers (< 2^53 leaves) needs more than 53 hashes per proof. */
export const MAX_PROOF_LENGTH = 64;

/** A Merkle proof, or the sizes, indices or hashes presented with it, was rejected. */
export class ProofError extends ColophonError {}

/** SHA-256(0x00 || leaf): the hash of one leaf's bytes. */
export function leafHash(leaf: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + leaf.length);
  input[0] = 0x00;
  input.set(leaf, 1);
  return sha256(input);
}

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`node hash inputs must be ${HASH_SIZE} bytes, got ${left.length} and ${right.length}`);
  }
  const input = new Uint8Array(1 + 2 * HASH_SIZE);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + HASH_SIZE);
  return sha256(input);
}

/** The root of the tree whose leaves have these hashes (SHA-256 of nothing for no leaves). */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const tree = new MerkleTree();
  for (const hash of leafHashes) tree.append(hash);
  return tree.root();
}

/**
 * Hashes of the complete subtrees of one height, packed into one growing buffer: a tree of n
 * leaves keeps about 2n hashes in a handful of allocations instead of 2n objects.
 */
class Level {
  private bytes = new Uint8Array(HASH_SIZE * 16);
  count = 0;

  push(hash: Uint8Array): void {
    if ((this.count + 1) * HASH_SIZE > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.count * HASH_SIZE);
    this.count++;
  }

  /** A view, not a copy: hashes are never rewritten, and public methods copy before returning. */
  at(index: number): Uint8Array {
    return this.bytes.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }
}

/**
 * An append-only Merkle tree over leaf hashes. Every complete subtree's hash is computed once, when
 * its last leaf arrives, so roots and proofs for any size up to the current one cost O(log n)
 * hashes: only the right edge of a past tree, which is not a complete subtree, is rehashed.
 */
export class MerkleTree {
  /** levels[h][i] is the hash of leaves [i * 2^h, (i + 1) * 2^h). */
  private readonly levels: Level[] = [new Level()];

  get size(): number {
    return this.levels[0]!.count;
  }

  /** Appends a leaf hash (see leafHash) and returns its index. */
  append(leaf: Uint8Array): number {
    if (leaf.length !== HASH_SIZE) {
      throw new RangeError(`leaf hash must be ${HASH_SIZE} bytes, got ${leaf.length}`);
    }
    const index = this.size;
    this.levels[0]!.push(leaf);
    // Leaf `index` completes one subtree per trailing 1 bit of its index.
    let hash = leaf;
    let height = 0;
    for (let n = index; n % 2 === 1; n = (n - 1) / 2) {
      const level = this.levels[height]!;
      hash = nodeHash(level.at(level.count - 2), hash);
      height++;
      if (this.levels.length === height) this.levels.push(new Level());
      this.levels[height]!.push(hash);
    }
    return index;
  }

  /** The root of the tree as it was when it had `size` leaves. */
  root(size: number = this.size): Uint8Array {
    this.checkArgument('size', size, 0, this.size);
    return size === 0 ? sha256(new Uint8Array(0)) : this.subtreeHash(0, size).slice();
  }

  /** RFC 9162 section 2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.checkArgument('size', size, 1, this.size);
    this.checkArgument('index', index, 0, size - 1);
    // Walk down from the root; the path lists siblings from the leaf up, hence the final reverse.
    const path: Uint8Array[] = [];
    let start = 0;
    let end = size;
    while (end - start > 1) {
      const split = start + largestPowerOfTwoBelow(end - start);
      if (index < split) {
        path.push(this.subtreeHash(split, end).slice());
        end = split;
      } else {
        path.push(this.subtreeHash(start, split).slice());
        start = split;
      }
    }
    return path.reverse();
  }

  /** RFC 9162 section 2.1.4.1: proof that the tree of `size1` leaves is a prefix of the one of `size2`. */
  consistencyProof(size1: number, size2: number = this.size): Uint8Array[] {
    this.checkArgument('size2', size2, 1, this.size);
    // The empty tree is a prefix of every tree, so a proof from size 0 would prove nothing.
    this.checkArgument('size1', size1, 1, size2);
    const path: Uint8Array[] = [];
    let start = 0;
    let end = size2;
    let oldSize = size1; // relative to start
    // Whether the old tree is exactly the current subtree's left edge from the root down, so its
    // hash is known to the verifier (root1) and need not be sent.
    let knownToVerifier = true;
    for (;;) {
      const n = end - start;
      if (oldSize === n) {
        if (!knownToVerifier) path.push(this.subtreeHash(start, end).slice());
        break;
      }
      const k = largestPowerOfTwoBelow(n);
      if (oldSize <= k) {
        path.push(this.subtreeHash(start + k, end).slice());
        end = start + k;
      } else {
        path.push(this.subtreeHash(start, start + k).slice());
        start += k;
        oldSize -= k;
        knownToVerifier = false;
      }
    }
    return path.reverse();
  }

  private checkArgument(name: string, value: number, min: number, max: number): void {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const allowed = max < min ? 'none' : `${min} to ${max}`;
      throw new RangeError(`${name} ${String(value)} is out of range for a tree of ${this.size} leaves (allowed: ${allowed})`);
    }
  }

  /** MTH(D[start:end]); a lookup when the range is a complete subtree, else split as RFC 9162 does. */
  private subtreeHash(start: number, end: number): Uint8Array {
    const n = end - start;
    const height = exactLog2(n);
    if (height >= 0 && start % n === 0) return this.levels[height]!.at(start / n);
    const split = start + largestPowerOfTwoBelow(n);
    return nodeHash(this.subtreeHash(start, split), this.subtreeHash(split, end));
  }
}

/** Verifies an RFC 9162 section 2.1.3.2 inclusion proof; throws ProofError saying what failed. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkCount('index', index);
  checkCount('size', size);
  if (index >= size) throw new ProofError(`index ${index} is not less than tree size ${size}`, 'index');
  checkHash('leafHash', leafHash);
  checkHash('root', root);
  checkProof(proof, pathLength(index, size - 1), `leaf ${index} in a tree of size ${size}`);

  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn !== 0 && fn % 2 === 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (!bytesEqual(r, root)) {
    throw new ProofError(`inclusion proof for leaf ${index} in a tree of size ${size} does not lead to the root`, 'root');
  }
}

/** Verifies an RFC 9162 section 2.1.4.2 consistency proof; throws ProofError saying what failed. */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkCount('size1', size1);
  checkCount('size2', size2);
  if (size1 > size2) throw new ProofError(`size1 ${size1} is greater than size2 ${size2}`, 'size1');
  if (size1 === 0) {
    throw new ProofError('size1 is 0: every tree extends the empty tree, so there is nothing to prove', 'size1');
  }
  if (size1 === size2) {
    // Same tree: nothing is hashed, so the roots are compared as given (RFC 9162 2.1.4.2 step 1).
    checkProof(proof, 0, `equal sizes ${size1}`);
    if (!bytesEqual(root1, root2)) throw new ProofError(`sizes are both ${size1} but the roots differ`, 'root2');
    return;
  }
  checkHash('root1', root1);
  checkHash('root2', root2);

  // Strip the levels where the old tree's last leaf is a right child: they are shared by both trees.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  // When size1 is a power of two the old tree is a complete subtree whose hash is root1 itself.
  const oldTreeIsSubtree = fn === 0;
  checkProof(proof, (oldTreeIsSubtree ? 0 : 1) + pathLength(fn, sn), `sizes ${size1} and ${size2}`);

  const path = oldTreeIsSubtree ? [root1, ...proof] : proof;
  let fr = path[0]!;
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn !== 0 && fn % 2 === 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (!bytesEqual(fr, root1)) {
    throw new ProofError(`consistency proof from ${size1} to ${size2} does not lead to root1`, 'root1');
  }
  if (!bytesEqual(sr, root2)) {
    throw new ProofError(`consistency proof from ${size1} to ${size2} does not lead to root2`, 'root2');
  }
}

/**
 * Number of hashes the RFC 9162 verification loop consumes walking from node fn to the root of a
 * tree whose last node is sn: one per level while their paths differ, then one per set bit of fn.
 * Checking the proof length against it first replaces the RFC's in-loop "sn is 0" failure and the
 * final "sn is 0" check with one precise error.
 */
function pathLength(fn: number, sn: number): number {
  let length = 0;
  while (fn !== sn) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    length++;
  }
  for (; fn > 0; fn = Math.floor(fn / 2)) length += fn % 2;
  return length;
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProofError(`${name} must be a non-negative safe integer, got ${String(value)}`, name);
  }
}

function checkHash(name: string, hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    const got = hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash;
    throw new ProofError(`${name} must be a ${HASH_SIZE}-byte hash, got ${got}`, name);
  }
}

function checkProof(proof: readonly Uint8Array[], expected: number, what: string): void {
  if (proof.length > MAX_PROOF_LENGTH) {
    throw new ProofError(`proof has ${proof.length} hashes, more than the ${MAX_PROOF_LENGTH} allowed`, 'proof');
  }
  if (proof.length !== expected) {
    throw new ProofError(`proof has ${proof.length} hashes, a proof for ${what} has ${expected}`, 'proof');
  }
  proof.forEach((hash, i) => checkHash(`proof[${i}]`, hash));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2(n) when n is a power of two, else -1. */
function exactLog2(n: number): number {
  let height = 0;
  for (; n > 1; n /= 2) {
    if (n % 2 !== 0) return -1;
    height++;
  }
  return n === 1 ? height : -1;
}

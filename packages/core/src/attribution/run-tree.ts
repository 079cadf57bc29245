/**
 * A sequence of runs (length, tag) as a B+ tree keyed by position: leaves hold up to MAX runs in
 * two parallel arrays, branches hold up to MAX children with their lengths in a packed array, so
 * finding a position scans contiguous numbers instead of chasing 64 child objects per level.
 * Finding a position, splitting a run, inserting and deleting a range cost O(log n) node visits
 * plus a splice of at most MAX entries — where one array of runs would splice across the whole
 * document (a 1 MB text with 50k runs is the target). Tags are small integers; the caller owns
 * what they mean. Adjacent runs with the same tag are merged within a leaf; across a leaf
 * boundary they may stay apart, so `forEachRun` merges them on the way out.
 */

const MAX = 64;
/** Non-root nodes keep at least MIN entries, which keeps the height logarithmic. */
const MIN = 16;

interface Leaf {
  leaf: true;
  lens: number[];
  tags: number[];
  size: number;
}

interface Branch {
  leaf: false;
  kids: Node[];
  /** sizes[k] === kids[k].size, kept in step on every change. */
  sizes: number[];
  size: number;
}

type Node = Leaf | Branch;

function sum(values: readonly number[]): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

const newLeaf = (lens: number[] = [], tags: number[] = []): Leaf => ({ leaf: true, lens, tags, size: sum(lens) });

function newBranch(kids: Node[]): Branch {
  const sizes = kids.map((kid) => kid.size);
  return { leaf: false, kids, sizes, size: sum(sizes) };
}

// Hand-written shifts instead of splice on the hot paths: V8's splice allocates a result array
// and takes a slow path when inserting, which made it most of an edit's cost on small arrays.
function insertAt<T>(array: T[], i: number, value: T): void {
  for (let k = array.length; k > i; k--) array[k] = array[k - 1]!;
  array[i] = value;
}

function insertTwoAt<T>(array: T[], i: number, a: T, b: T): void {
  for (let k = array.length + 1; k > i + 1; k--) array[k] = array[k - 2]!;
  array[i] = a;
  array[i + 1] = b;
}

function removeAt<T>(array: T[], i: number, n: number): void {
  if (n === 0) return;
  const length = array.length;
  for (let k = i; k + n < length; k++) array[k] = array[k + n]!;
  array.length = length - n;
}

function count(node: Node): number {
  return node.leaf ? node.lens.length : node.kids.length;
}

export class RunTree {
  private root: Node = newLeaf();

  get length(): number {
    return this.root.size;
  }

  /** Inserts `len` units of `tag` at `pos` (0 <= pos <= length). */
  insert(pos: number, len: number, tag: number): void {
    if (len === 0) return;
    const split = insertInto(this.root, pos, len, tag);
    if (split) this.root = newBranch([this.root, split]);
  }

  /** Deletes the units in [pos, pos + len). */
  delete(pos: number, len: number): void {
    if (len === 0) return;
    deleteFrom(this.root, pos, pos + len);
    while (!this.root.leaf && this.root.kids.length === 1) this.root = this.root.kids[0]!;
    if (!this.root.leaf && this.root.kids.length === 0) this.root = newLeaf();
  }

  /** The tag of the unit at `pos` (0 <= pos < length). */
  tagAt(pos: number): number {
    let node = this.root;
    while (!node.leaf) {
      let k = 0;
      while (pos >= node.sizes[k]!) pos -= node.sizes[k++]!;
      node = node.kids[k]!;
    }
    let i = 0;
    while (pos >= node.lens[i]!) pos -= node.lens[i++]!;
    return node.tags[i]!;
  }

  /**
   * Calls `visit(start, length, tag)` for each maximal run overlapping [from, to), clipped to it,
   * in order. Runs with equal tags that sit in different leaves are reported as one.
   */
  forEachRun(visit: (start: number, length: number, tag: number) => void, from = 0, to = this.length): void {
    if (from >= to) return;
    let start = from;
    let length = 0;
    let tag = -1;
    walk(this.root, 0, from, to, (runStart, runLength, runTag) => {
      const a = runStart > from ? runStart : from;
      const b = runStart + runLength < to ? runStart + runLength : to;
      if (runTag === tag) {
        length += b - a;
        return;
      }
      if (length > 0) visit(start, length, tag);
      start = a;
      length = b - a;
      tag = runTag;
    });
    if (length > 0) visit(start, length, tag);
  }

  /** Checks the structure (used by tests): sizes, fill, equal depth, no empty runs. */
  checkInvariants(): void {
    const depths = new Set<number>();
    const check = (node: Node, depth: number, isRoot: boolean): number => {
      const n = count(node);
      if (n > MAX) throw new Error(`node holds ${n} entries, above ${MAX}`);
      if (!isRoot && n < MIN) throw new Error(`non-root node holds ${n} entries, below ${MIN}`);
      let size = 0;
      if (node.leaf) {
        depths.add(depth);
        if (node.lens.length !== node.tags.length) throw new Error('leaf arrays differ in length');
        node.lens.forEach((len, i) => {
          if (!(len > 0)) throw new Error('empty run in a leaf');
          if (i > 0 && node.tags[i - 1] === node.tags[i]) throw new Error('adjacent runs with the same tag in a leaf');
          size += len;
        });
      } else {
        if (node.sizes.length !== node.kids.length) throw new Error('branch sizes and children differ in number');
        node.kids.forEach((kid, k) => {
          const kidSize = check(kid, depth + 1, false);
          if (node.sizes[k] !== kidSize) throw new Error(`branch records size ${node.sizes[k]} for a child of size ${kidSize}`);
          size += kidSize;
        });
      }
      if (size !== node.size) throw new Error(`node size ${node.size} but its entries sum to ${size}`);
      return size;
    };
    check(this.root, 0, true);
    if (depths.size > 1) throw new Error(`leaves at different depths: ${[...depths].join(', ')}`);
  }
}

function walk(node: Node, offset: number, from: number, to: number, visit: (start: number, length: number, tag: number) => void): void {
  let start = offset;
  if (node.leaf) {
    const { lens, tags } = node;
    for (let i = 0; i < lens.length && start < to; i++) {
      const len = lens[i]!;
      if (start + len > from) visit(start, len, tags[i]!);
      start += len;
    }
    return;
  }
  const { kids, sizes } = node;
  for (let k = 0; k < kids.length && start < to; k++) {
    const size = sizes[k]!;
    if (start + size > from) walk(kids[k]!, start, from, to, visit);
    start += size;
  }
}

/** Inserts into the subtree; returns a new right sibling when the node had to split. */
function insertInto(node: Node, pos: number, len: number, tag: number): Node | undefined {
  node.size += len;
  if (node.leaf) {
    insertIntoLeaf(node, pos, len, tag);
    return node.lens.length > MAX ? splitLeaf(node) : undefined;
  }
  // A position on a boundary goes to the left child, so text typed at the end of a run joins it.
  const { kids, sizes } = node;
  let k = 0;
  while (k < kids.length - 1 && pos > sizes[k]!) pos -= sizes[k++]!;
  sizes[k]! += len;
  const split = insertInto(kids[k]!, pos, len, tag);
  if (!split) return undefined;
  sizes[k] = kids[k]!.size;
  insertAt(kids, k + 1, split);
  insertAt(sizes, k + 1, split.size);
  return kids.length > MAX ? splitBranch(node) : undefined;
}

function insertIntoLeaf(leaf: Leaf, pos: number, len: number, tag: number): void {
  const { lens, tags } = leaf;
  if (lens.length === 0) {
    lens.push(len);
    tags.push(tag);
    return;
  }
  // The run that ends at or after pos (the left one on a boundary).
  let i = 0;
  while (i < lens.length - 1 && pos > lens[i]!) pos -= lens[i++]!;
  const runLen = lens[i]!;
  if (tags[i] === tag) {
    lens[i] = runLen + len;
  } else if (pos === runLen) {
    if (i + 1 < lens.length && tags[i + 1] === tag) lens[i + 1]! += len;
    else {
      insertAt(lens, i + 1, len);
      insertAt(tags, i + 1, tag);
    }
  } else if (pos === 0) {
    insertAt(lens, i, len);
    insertAt(tags, i, tag);
  } else {
    // Inside a run of another author: the run splits around the new text.
    lens[i] = pos;
    insertTwoAt(lens, i + 1, len, runLen - pos);
    insertTwoAt(tags, i + 1, tag, tags[i]!);
  }
}

function splitLeaf(leaf: Leaf): Leaf {
  const half = leaf.lens.length >> 1;
  const right = newLeaf(leaf.lens.splice(half), leaf.tags.splice(half));
  leaf.size -= right.size;
  return right;
}

function splitBranch(branch: Branch): Branch {
  const half = branch.kids.length >> 1;
  const right = newBranch(branch.kids.splice(half));
  branch.sizes.length = half;
  branch.size -= right.size;
  return right;
}

/** Deletes [from, to) (relative to the node) from the subtree. */
function deleteFrom(node: Node, from: number, to: number): void {
  node.size -= to - from;
  if (node.leaf) return deleteFromLeaf(node, from, to);
  // Children k..j overlap the range; those between them go without being visited. Found by
  // index and spliced in place: deletes are hot, and allocating per level showed up in GC.
  const { kids, sizes } = node;
  let k = 0;
  let start = 0;
  while (start + sizes[k]! <= from) start += sizes[k++]!;
  let j = k;
  let jStart = start;
  while (jStart + sizes[j]! < to) jStart += sizes[j++]!;
  if (k === j) {
    if (from === start && to === start + sizes[k]!) {
      removeAt(kids, k, 1);
      removeAt(sizes, k, 1);
    } else {
      sizes[k]! -= to - from;
      deleteFrom(kids[k]!, from - start, to - start);
      if (count(kids[k]!) < MIN) refillAround(node, k);
    }
    return;
  }
  const keepFirst = from > start;
  const keepLast = to < jStart + sizes[j]!;
  if (keepFirst) {
    deleteFrom(kids[k]!, from - start, sizes[k]!);
    sizes[k] = from - start;
  }
  if (keepLast) {
    deleteFrom(kids[j]!, 0, to - jStart);
    sizes[j]! -= to - jStart;
  }
  const removeFrom = keepFirst ? k + 1 : k;
  const removeCount = (keepLast ? j : j + 1) - removeFrom;
  removeAt(kids, removeFrom, removeCount);
  removeAt(sizes, removeFrom, removeCount);
  // Only the (at most two, now adjacent) partly deleted children can have fallen below MIN.
  if (keepFirst || keepLast) refillAround(node, keepFirst ? k : removeFrom);
}

/** Refills underfull children in the window around index p until none is left there. */
function refillAround(parent: Branch, p: number): void {
  for (;;) {
    if (parent.kids.length < 2) return;
    let k = p > 0 ? p - 1 : 0;
    const end = Math.min(parent.kids.length, p + 3);
    while (k < end && count(parent.kids[k]!) >= MIN) k++;
    if (k === end) return;
    refill(parent, k);
    p = k > 0 ? k - 1 : 0;
  }
}

function deleteFromLeaf(leaf: Leaf, from: number, to: number): void {
  const { lens, tags } = leaf;
  let i = 0;
  let start = 0;
  while (start + lens[i]! <= from) start += lens[i++]!;
  let j = i;
  let jStart = start;
  while (jStart + lens[j]! < to) jStart += lens[j++]!;
  if (i === j) {
    lens[i]! -= to - from;
    if (lens[i] === 0) {
      removeAt(lens, i, 1);
      removeAt(tags, i, 1);
      mergeAt(leaf, i);
    }
    return;
  }
  // Run i keeps its head, run j its tail; the runs between go.
  let removeFrom = i + 1;
  let removeTo = j;
  if (from > start) lens[i] = from - start;
  else removeFrom = i;
  const tail = jStart + lens[j]! - to;
  if (tail > 0) lens[j] = tail;
  else removeTo = j + 1;
  removeAt(lens, removeFrom, removeTo - removeFrom);
  removeAt(tags, removeFrom, removeTo - removeFrom);
  // Removing runs can bring two runs of one author together: join them.
  mergeAt(leaf, removeFrom);
}

/** Joins runs seam-1 and seam when they have the same tag. */
function mergeAt(leaf: Leaf, seam: number): void {
  if (seam <= 0 || seam >= leaf.lens.length) return;
  if (leaf.tags[seam - 1] !== leaf.tags[seam]) return;
  leaf.lens[seam - 1]! += leaf.lens[seam]!;
  removeAt(leaf.lens, seam, 1);
  removeAt(leaf.tags, seam, 1);
}

/**
 * Child k of `parent` has fewer than MIN entries: merge it with a neighbour, then split the
 * result evenly if it is too big — the usual B-tree borrow, in one step.
 */
function refill(parent: Branch, k: number): void {
  if (parent.kids.length < 2) return;
  const left = k > 0 ? k - 1 : k;
  const a = parent.kids[left]!;
  const b = parent.kids[left + 1]!;
  let merged: Node;
  if (a.leaf && b.leaf) {
    merged = newLeaf(a.lens.concat(b.lens), a.tags.concat(b.tags));
    mergeAt(merged, a.lens.length);
  } else {
    const seam = (a as Branch).kids.length;
    merged = newBranch((a as Branch).kids.concat((b as Branch).kids));
    // A branch left with a single underfull child (its siblings all deleted) could not refill
    // it; now that child has neighbours, so it can.
    refillAround(merged, seam);
  }
  const replacement: Node[] = [merged];
  if (count(merged) > MAX) replacement.push(merged.leaf ? splitLeaf(merged) : splitBranch(merged));
  parent.kids.splice(left, 2, ...replacement);
  parent.sizes.splice(left, 2, ...replacement.map((node) => node.size));
}

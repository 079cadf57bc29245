import { AUTHOR_CLASSES, contributorId, type Author, type AuthorClass } from './classes.js';
import { RunTree } from './run-tree.js';
import { compareStrings, isUint } from '../values.js';

/**
 * One edit: at `pos` delete `del` characters, then insert `ins` characters. Positions and
 * lengths count UTF-16 code units of the JavaScript string (what `text.length` and
 * `text.slice` use), the unit every editor API Colophon captures from reports; a character
 * outside the BMP (an emoji) counts 2.
 */
export interface TextEdit {
  pos: number;
  del: number;
  ins: number;
}

/** A maximal stretch of text by one author: [start, start + length) in UTF-16 code units. */
export interface AuthorRun {
  start: number;
  length: number;
  author: Author;
}

/** How many code units an author holds in the current text. */
export interface AuthorUnits {
  author: Author;
  units: number;
}

function authorKey(author: Author): string {
  return `${author.class}\u0000${author.who}\u0000${author.record?.toString() ?? ''}\u0000${author.evidence ?? ''}`;
}

/**
 * Who wrote each character of a document, as runs of one author each. Backed by a B+ tree of
 * runs (see run-tree.ts), so an edit costs O(log runs) whatever the document size. Authors are
 * interned: runs carry a small integer, and per-author totals are kept up to date on every
 * edit, so shares are O(authors) to read.
 */
export class TextAuthorshipMap {
  private readonly tree = new RunTree();
  private readonly authorList: Author[] = [];
  private readonly ids = new Map<string, number>();
  private readonly units: number[] = [];

  /** Length of the document in UTF-16 code units. */
  get length(): number {
    return this.tree.length;
  }

  /**
   * Applies one edit: the deleted characters disappear whoever wrote them, the inserted ones
   * are `author`'s. Inserting inside another author's run splits it around the new text.
   * Throws RangeError when the edit does not fit the current document.
   */
  apply(edit: TextEdit, author: Author): void {
    const { pos, del, ins } = edit;
    if (!isUint(pos) || !isUint(del) || !isUint(ins)) throw new RangeError(`edit ${JSON.stringify(edit)} needs non-negative integer pos, del and ins`);
    const length = this.tree.length;
    if (pos > length) throw new RangeError(`edit at ${pos} is past the end of the text (length ${length})`);
    if (pos + del > length) throw new RangeError(`edit deletes ${del} at ${pos}, past the end of the text (length ${length})`);
    if (del > 0) {
      this.tree.forEachRun((_, len, tag) => {
        this.units[tag]! -= len;
      }, pos, pos + del);
      this.tree.delete(pos, del);
    }
    if (ins > 0) {
      const tag = this.intern(author);
      this.tree.insert(pos, ins, tag);
      this.units[tag]! += ins;
    }
  }

  /** The runs of the whole document (or of [from, to)), in order, adjacent equal authors merged. */
  runs(from = 0, to = this.length): AuthorRun[] {
    const out: AuthorRun[] = [];
    this.forEachRun((start, length, author) => out.push({ start, length, author }), from, to);
    return out;
  }

  /** Like runs(), without building an array (a 50k-run document need not allocate 50k objects). */
  forEachRun(visit: (start: number, length: number, author: Author) => void, from = 0, to = this.length): void {
    const lo = Math.max(0, from);
    const hi = Math.min(this.length, to);
    this.tree.forEachRun((start, length, tag) => visit(start, length, this.authorList[tag]!), lo, hi);
  }

  get runCount(): number {
    let n = 0;
    this.tree.forEachRun(() => n++);
    return n;
  }

  /** The author of the character at `pos`. */
  authorAt(pos: number): Author {
    if (!isUint(pos) || pos >= this.length) throw new RangeError(`position ${pos} is outside the text (length ${this.length})`);
    return this.authorList[this.tree.tagAt(pos)]!;
  }

  /** Code units per author still present, largest first (ties by contributor id, then record). */
  unitsByAuthor(): AuthorUnits[] {
    const out: AuthorUnits[] = [];
    this.authorList.forEach((author, tag) => {
      const units = this.units[tag]!;
      if (units > 0) out.push({ author, units });
    });
    return out.sort((a, b) => b.units - a.units || compareStrings(authorKey(a.author), authorKey(b.author)));
  }

  /** Fraction of the text per contributor id (see contributorId), summing to 1 for a non-empty text. */
  shareByAuthor(): Map<string, number> {
    const shares = new Map<string, number>();
    const total = this.length;
    if (total === 0) return shares;
    for (const { author, units } of this.unitsByAuthor()) {
      const id = contributorId(author);
      shares.set(id, (shares.get(id) ?? 0) + units / total);
    }
    return shares;
  }

  /** Code units per class. */
  unitsByClass(): Record<AuthorClass, number> {
    const out = Object.fromEntries(AUTHOR_CLASSES.map((c) => [c, 0])) as Record<AuthorClass, number>;
    this.authorList.forEach((author, tag) => {
      out[author.class] += this.units[tag]!;
    });
    return out;
  }

  /** Every author that ever wrote into this map, in order of first appearance. */
  authors(): readonly Author[] {
    return this.authorList;
  }

  /** Checks the run tree (tests). */
  checkInvariants(): void {
    this.tree.checkInvariants();
    let total = 0;
    for (const u of this.units) total += u;
    if (total !== this.length) throw new Error(`per-author totals sum to ${total}, the text is ${this.length} long`);
  }

  private intern(author: Author): number {
    const key = authorKey(author);
    let tag = this.ids.get(key);
    if (tag === undefined) {
      tag = this.authorList.length;
      this.authorList.push(author);
      this.units.push(0);
      this.ids.set(key, tag);
    }
    return tag;
  }
}

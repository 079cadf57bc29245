import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextAuthorshipMap, type Author } from '../src/index.js';
import { RunTree } from '../src/attribution/run-tree.js';

const alice: Author = { class: 'human', who: 'did:key:alice' };
const bob: Author = { class: 'human', who: 'did:key:bob' };
const model: Author = { class: 'ai', who: 'acme/writer@2' };
const fmt: Author = { class: 'tool', who: 'prettier@3' };
const AUTHORS = [alice, bob, model, fmt];

/** The obvious model: one tag per character. */
class CharModel {
  tags: number[] = [];
  apply(pos: number, del: number, ins: number, tag: number): void {
    this.tags.splice(pos, del, ...new Array<number>(ins).fill(tag));
  }
  runs(): [number, number, number][] {
    const out: [number, number, number][] = [];
    this.tags.forEach((tag, i) => {
      const last = out[out.length - 1];
      if (last && last[2] === tag) last[1]++;
      else out.push([i, 1, tag]);
    });
    return out;
  }
}

function treeRuns(tree: RunTree, from?: number, to?: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  tree.forEachRun((start, length, tag) => out.push([start, length, tag]), from, to);
  return out;
}

/** An op that fits a document of `length`: fractions pick the position and deletion size. */
const opArb = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.double({ min: 0, max: 1, noNaN: true }), ins: fc.nat({ max: 40 }), tag: fc.nat({ max: 3 }), bigCut: fc.boolean() });

function concrete(length: number, op: { at: number; cut: number; ins: number; tag: number; bigCut: boolean }): [number, number, number, number] {
  const pos = Math.min(length, Math.floor(op.at * (length + 1)));
  const room = length - pos;
  const del = Math.min(room, Math.floor(op.cut * (op.bigCut ? room + 1 : Math.min(room, 12) + 1)));
  return [pos, del, op.ins, op.tag];
}

describe('RunTree (B+ tree of runs) against a per-character model', () => {
  it('agrees with the model on random op sequences (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const tree = new RunTree();
        const model = new CharModel();
        for (const op of ops) {
          const [pos, del, ins, tag] = concrete(model.tags.length, op);
          model.apply(pos, del, ins, tag);
          tree.delete(pos, del);
          tree.insert(pos, ins, tag);
        }
        tree.checkInvariants();
        expect(tree.length).toBe(model.tags.length);
        expect(treeRuns(tree)).toEqual(model.runs());
        if (model.tags.length > 0) {
          const probe = Math.floor(model.tags.length / 3);
          expect(tree.tagAt(probe)).toBe(model.tags[probe]);
          expect(treeRuns(tree, probe, probe + 17)).toEqual(clip(model.runs(), probe, Math.min(model.tags.length, probe + 17)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stays correct and balanced through three levels and back (30k seeded ops, huge deletions)', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const tree = new RunTree();
    const model = new CharModel();
    for (let i = 0; i < 30_000; i++) {
      const length = model.tags.length;
      // Grow for the first half (to > 64 * 64 runs, so the tree is three levels deep), then shrink.
      const growing = i < 15_000;
      const pos = Math.floor(rand() * (length + 1));
      const del = growing ? Math.floor(rand() * Math.min(3, length - pos + 1)) : Math.floor(rand() * Math.min(i % 500 === 0 ? length : 40, length - pos + 1));
      const ins = growing ? 1 + Math.floor(rand() * 6) : Math.floor(rand() * 3);
      const tag = Math.floor(rand() * 6);
      model.apply(pos, del, ins, tag);
      tree.delete(pos, del);
      tree.insert(pos, ins, tag);
      if (i % 997 === 0) tree.checkInvariants();
      if (i === 15_000) expect(treeRuns(tree).length).toBeGreaterThan(64 * 64);
    }
    tree.checkInvariants();
    expect(treeRuns(tree)).toEqual(model.runs());
    tree.delete(0, tree.length);
    tree.checkInvariants();
    expect(tree.length).toBe(0);
    tree.insert(0, 5, 1);
    expect(treeRuns(tree)).toEqual([[0, 5, 1]]);
  });
});

function clip(runs: [number, number, number][], from: number, to: number): [number, number, number][] {
  return runs
    .filter(([s, l]) => s + l > from && s < to)
    .map(([s, l, t]) => {
      const a = Math.max(s, from);
      return [a, Math.min(s + l, to) - a, t];
    });
}

describe('TextAuthorshipMap', () => {
  it('splits an AI run when a person replaces a few characters inside it', () => {
    const map = new TextAuthorshipMap();
    map.apply({ pos: 0, del: 0, ins: 20 }, model);
    map.apply({ pos: 5, del: 3, ins: 4 }, alice);
    expect(map.length).toBe(21);
    expect(map.runs().map((r) => [r.start, r.length, r.author.class])).toEqual([
      [0, 5, 'ai'],
      [5, 4, 'human'],
      [9, 12, 'ai'],
    ]);
    expect(map.authorAt(5)).toBe(alice);
    expect(map.authorAt(9)).toBe(model);
    expect(map.unitsByClass()).toEqual({ human: 4, ai: 17, tool: 0, pasted: 0, unknown: 0 });
    expect(map.shareByAuthor().get('human:did:key:alice')).toBeCloseTo(4 / 21);
    map.checkInvariants();
  });

  it('merges text typed at the end of a run, and deleted text disappears from every total', () => {
    const map = new TextAuthorshipMap();
    map.apply({ pos: 0, del: 0, ins: 5 }, alice);
    map.apply({ pos: 5, del: 0, ins: 5 }, alice);
    map.apply({ pos: 10, del: 0, ins: 5 }, bob);
    expect(map.runCount).toBe(2);
    map.apply({ pos: 3, del: 10, ins: 0 }, bob);
    expect(map.runs().map((r) => [r.length, r.author.who])).toEqual([
      [3, 'did:key:alice'],
      [2, 'did:key:bob'],
    ]);
    expect(map.unitsByAuthor().map((u) => [u.author.who, u.units])).toEqual([
      ['did:key:alice', 3],
      ['did:key:bob', 2],
    ]);
    map.apply({ pos: 0, del: 5, ins: 0 }, alice);
    expect(map.length).toBe(0);
    expect(map.runs()).toEqual([]);
    expect(map.shareByAuthor().size).toBe(0);
  });

  it('refuses edits that do not fit the text', () => {
    const map = new TextAuthorshipMap();
    map.apply({ pos: 0, del: 0, ins: 3 }, fmt);
    expect(() => map.apply({ pos: 4, del: 0, ins: 1 }, alice)).toThrow(/past the end of the text \(length 3\)/);
    expect(() => map.apply({ pos: 1, del: 5, ins: 0 }, alice)).toThrow(/deletes 5 at 1/);
    expect(() => map.apply({ pos: -1, del: 0, ins: 1 }, alice)).toThrow(RangeError);
    expect(() => map.apply({ pos: 0.5, del: 0, ins: 1 }, alice)).toThrow(RangeError);
    expect(map.length).toBe(3);
  });

  it('matches the per-character model through the author-level API (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const map = new TextAuthorshipMap();
        const model = new CharModel();
        for (const op of ops) {
          const [pos, del, ins, tag] = concrete(model.tags.length, op);
          model.apply(pos, del, ins, tag);
          map.apply({ pos, del, ins }, AUTHORS[tag]!);
        }
        map.checkInvariants();
        const expected = model.runs().map(([s, l, t]) => [s, l, AUTHORS[t]]);
        expect(map.runs().map((r) => [r.start, r.length, r.author])).toEqual(expected);
        const counts = new Map<Author, number>();
        for (const t of model.tags) counts.set(AUTHORS[t]!, (counts.get(AUTHORS[t]!) ?? 0) + 1);
        for (const { author, units } of map.unitsByAuthor()) expect(units).toBe(counts.get(author));
      }),
      { numRuns: 200 },
    );
  });
});

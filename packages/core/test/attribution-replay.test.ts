import { describe, expect, it } from 'vitest';
import {
  AttributionError,
  AUTHOR_CLASSES,
  DIGITAL_SOURCE_TYPES,
  MemoryRecordStore,
  Project,
  assetAttribution,
  causalOrder,
  contentCid,
  identityFromSeed,
  loadAssetAttribution,
  replayNodeAuthorship,
  replayTextAuthorship,
  replayTextHistory,
  signRecord,
  unattributableRecords,
  utf8Encode,
  verifyTextAuthorship,
  type AgentRef,
  type ContributionRecord,
  type LedgerEntry,
  type Contribution,
  type DecodedRecord,
  type RecordFields,
  type SigningIdentity,
  type TextAuthorshipMap,
} from '../src/index.js';

const ASSET = 'file:story.md';
const MODEL: AgentRef = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } };
const PRETTIER: AgentRef = { type: 'tool', name: 'prettier', version: '3.3.3' };

const person = (n: number): SigningIdentity => identityFromSeed(new Uint8Array(32).fill(n));

/** An op as the capture plugin computes it, with the inserted text so the test can track content. */
type Edit = [pos: number, del: number, text: string, cls: string];

/** A project plus the text of each asset, so every record names the right `out`. */
class Studio {
  readonly texts = new Map<string, string>();
  readonly all: DecodedRecord[] = [];
  private now = 1_767_225_600_000;
  private constructor(readonly project: Project) {}

  static async open(owner: SigningIdentity): Promise<Studio> {
    let now = 1_767_225_600_000;
    const project = await Project.create('attribution', owner, new MemoryRecordStore(), () => now++);
    const studio = new Studio(project);
    studio.all.push(project.genesis);
    return studio;
  }

  async edit(by: SigningIdentity, edits: Edit[], extra: Partial<Contribution> = {}, asset = ASSET): Promise<DecodedRecord> {
    let text = this.texts.get(asset) ?? '';
    for (const [pos, del, ins] of edits) text = text.slice(0, pos) + ins + text.slice(pos + del);
    this.texts.set(asset, text);
    return this.add(by, {
      kind: extra.agent?.type === 'ai' ? 'ai.generate' : 'asset.edit',
      asset,
      out: contentCid(utf8Encode(text)),
      delta: { text: edits.map(([pos, del, ins, cls]) => [pos, del, ins.length, cls]) },
      ...extra,
    });
  }

  /** Records written as an imported feed brings them: signed by their author, checked by no Project.record. */
  unchecked = false;

  async add(by: SigningIdentity, contribution: Contribution): Promise<DecodedRecord> {
    let record: DecodedRecord;
    if (this.unchecked) {
      const head = await this.project.store.head(by.did);
      const fields: RecordFields = { at: this.now++, ...contribution, proj: this.project.id, by: by.did, seq: head ? head.seq + 1 : 0 };
      if (head) fields.prev = head.cid;
      record = signRecord(fields, by);
      await this.project.store.append(record);
    } else record = await this.project.record(by, { at: this.now++, ...contribution });
    this.all.push(record);
    return record;
  }

  text(asset = ASSET): string {
    return this.texts.get(asset) ?? '';
  }
}

const summary = (map: TextAuthorshipMap) => map.runs().map((r) => `${r.start}+${r.length}:${r.author.class}:${r.author.who}:${r.author.record}`);

/** A deterministic shuffle (the order a store or a merge might hand records over in). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const alice = person(1);
const bob = person(2);

/** brief -> AI draft -> Alice rewrites a few words -> Bob (linking Alice) adds a line -> prettier. */
async function story(): Promise<Studio> {
  const studio = await Studio.open(alice);
  const brief = await studio.add(alice, { kind: 'intent', asset: ASSET, intent: { text: 'a short story about a lighthouse' } });
  await studio.edit(alice, [[0, 0, 'The lighthouse keeper counted ships every night.\n', 'ai']], { agent: MODEL, links: [brief.cid] });
  await studio.edit(alice, [[4, 10, 'old tower', 'human'], [34, 0, ' in the fog', 'human']]);
  await studio.add(bob, { kind: 'review', asset: ASSET, links: [studio.all[studio.all.length - 1]!.cid] });
  const review = studio.all[studio.all.length - 1]!;
  await studio.edit(bob, [[studio.text().length, 0, 'Nobody knew why.\n', 'human']], { links: [review.cid] });
  await studio.edit(bob, [[0, 0, '# Keeper\n\n', 'tool']], { agent: PRETTIER });
  // A record of another asset in between: it must not disturb anything.
  await studio.edit(alice, [[0, 0, 'unrelated', 'human']], {}, 'file:other.md');
  return studio;
}

describe('text authorship replay', () => {
  it('rebuilds the same map whatever order the records come in', async () => {
    const studio = await story();
    const reference = summary(replayTextAuthorship(studio.all, { asset: ASSET }));
    for (const seed of [1, 2, 3, 42, 1000]) {
      expect(summary(replayTextAuthorship(shuffled(studio.all, seed), { asset: ASSET }))).toEqual(reference);
    }
    expect(summary(replayTextAuthorship([...studio.all].reverse(), { asset: ASSET }))).toEqual(reference);
  });

  it('gives AI text that people edited a partly human map, with runs split where they typed', async () => {
    const studio = await story();
    const map = replayTextAuthorship(studio.all, { asset: ASSET });
    const text = studio.text();
    const by = (cls: string) =>
      map
        .runs()
        .filter((r) => r.author.class === cls)
        .map((r) => text.slice(r.start, r.start + r.length));
    expect(by('tool')).toEqual(['# Keeper\n\n']);
    expect(by('human')).toEqual(['old tower', ' in the fog', 'Nobody knew why.\n']);
    expect(by('ai')).toEqual(['The ', ' keeper counted ships', ' every night.\n']);
    const aiRun = map.runs().find((r) => r.author.class === 'ai')!;
    expect(aiRun.author.who).toBe('acme/writer@2');
    expect(aiRun.author.record?.equals(studio.all[2]!.cid)).toBe(true);
    const humans = map.runs().filter((r) => r.author.class === 'human');
    expect(humans.map((r) => r.author.who)).toEqual([alice.did, alice.did, bob.did]);
  });

  it('verifies against the text and the last out, and fails for a changed text', async () => {
    const studio = await story();
    const replay = replayTextHistory(studio.all, { asset: ASSET });
    expect(replay.records).toHaveLength(4);
    expect(replay.concurrent).toEqual([]);
    const good = verifyTextAuthorship(replay.map, studio.text(), replay.out);
    expect(good).toMatchObject({ ok: true, problems: [] });
    expect(good.actual?.equals(replay.out!)).toBe(true);

    const sameLength = studio.text().replace('Nobody', 'Nobodz');
    const tampered = verifyTextAuthorship(replay.map, sameLength, replay.out);
    expect(tampered.ok).toBe(false);
    expect(tampered.problems).toEqual([expect.stringMatching(/content id .* is not the last record's out/)]);

    const longer = verifyTextAuthorship(replay.map, `${studio.text()}!`, replay.out);
    expect(longer.ok).toBe(false);
    expect(longer.problems).toHaveLength(2);
    expect(longer.problems[1]).toMatch(/the map covers \d+ UTF-16 code units, the text has \d+/);

    expect(verifyTextAuthorship(replay.map, studio.text(), undefined).problems).toEqual([expect.stringMatching(/names no out/)]);
  });

  it('counts UTF-16 code units: an emoji is two', async () => {
    const studio = await Studio.open(alice);
    await studio.edit(alice, [[0, 0, 'ok 🌸 ok', 'human']]);
    await studio.edit(alice, [[3, 2, '✿', 'ai']], { agent: MODEL });
    const replay = replayTextHistory(studio.all);
    expect(replay.map.length).toBe('ok ✿ ok'.length);
    expect(verifyTextAuthorship(replay.map, studio.text(), replay.out).ok).toBe(true);
  });

  it('rejects an unknown class naming the record CID and the op', async () => {
    const studio = await Studio.open(alice);
    await studio.edit(alice, [[0, 0, 'hello', 'human']]);
    // Refused when written...
    await expect(studio.edit(alice, [[5, 0, '!', 'human'], [6, 0, '?', 'robot']])).rejects.toThrow(/asset\.edit record: delta\.text\[1\]\[3\]: unknown class "robot"/);
    // ...and when it arrives anyway (an imported feed), replay names it.
    studio.unchecked = true;
    const bad = await studio.edit(alice, [[5, 0, '!', 'human'], [6, 0, '?', 'robot']]);
    let error: unknown;
    try {
      replayTextAuthorship(studio.all);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AttributionError);
    const message = (error as Error).message;
    expect(message).toContain(bad.cid.toString());
    expect(message).toContain('delta.text[1][3]');
    expect(message).toMatch(/unknown class "robot"; classes are "human", "ai", "tool", "paste", "unknown"/);
    expect((error as AttributionError).record?.equals(bad.cid)).toBe(true);
  });

  it('refuses an "ai" op without a model, an op past the end, and takes the model from a linked ai.generate record', async () => {
    const studio = await Studio.open(alice);
    const gen = await studio.add(alice, { kind: 'ai.generate', agent: MODEL, out: contentCid(utf8Encode('Draft')) });
    // Alice pastes the model's output into the document in her own edit, linking the generation.
    await studio.edit(alice, [[0, 0, 'Draft', 'ai']], { links: [gen.cid] });
    const map = replayTextAuthorship(studio.all);
    expect(map.runs()[0]!.author).toMatchObject({ class: 'ai', who: 'acme/writer@2' });
    expect(map.runs()[0]!.author.record?.equals(gen.cid)).toBe(true);

    await expect(studio.edit(alice, [[5, 0, '!', 'ai']])).rejects.toThrow(/delta\.text\[0\]\[3\]: class "ai" needs the AI model/);
    studio.unchecked = true;
    const noModel = await studio.edit(alice, [[5, 0, '!', 'ai']]);
    expect(() => replayTextAuthorship(studio.all)).toThrow(new RegExp(`record ${noModel.cid} delta.text\\[0\\]\\[3\\]: class "ai" needs the AI model`));

    const other = await Studio.open(bob);
    await other.edit(bob, [[0, 0, 'abc', 'human']]);
    // The delta does not fit the previous version: 1 inserted at 9 of a 3-unit text.
    await expect(other.add(bob, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode('x')), delta: { text: [[9, 0, 1, 'human']] } })).rejects.toThrow(
      /delta\.text\[0\]: edit at 9 is past the end of the text \(length 3\)/,
    );
    other.unchecked = true;
    const past = await other.add(bob, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode('x')), delta: { text: [[9, 0, 1, 'human']] } });
    expect(() => replayTextAuthorship(other.all)).toThrow(new RegExp(`record ${past.cid} delta.text\\[0\\]: edit at 9 is past the end of the text \\(length 3\\)`));
  });

  it('reports an edit made without seeing the previous one', async () => {
    const studio = await Studio.open(alice);
    const first = await studio.edit(alice, [[0, 0, 'base text', 'human']]);
    // Bob saw only `first`; Alice edits again in parallel.
    const aliceAgain = await studio.edit(alice, [[0, 0, 'A', 'human']]);
    const bobs = await studio.edit(bob, [[9, 0, 'B', 'human']], { links: [first.cid] });
    const replay = replayTextHistory(shuffled(studio.all, 7));
    expect(replay.concurrent).toHaveLength(1);
    expect(replay.concurrent[0]!.record.equals(bobs.cid)).toBe(true);
    expect(replay.concurrent[0]!.previous.equals(aliceAgain.cid)).toBe(true);
  });
});

describe('asset attribution', () => {
  it('text: shares per class sum to 1, per contributor, human share and composite source type', async () => {
    const studio = await story();
    const result = assetAttribution(shuffled(studio.all, 9), { asset: ASSET, text: studio.text() });
    expect(result.kind).toBe('text');
    expect(result.unit).toBe('characters');
    expect(result.total).toBe(studio.text().length);
    const sum = AUTHOR_CLASSES.reduce((n, c) => n + result.shares.byClass[c], 0);
    expect(sum).toBeCloseTo(1, 12);
    expect(result.shares.byContributor.reduce((n, c) => n + c.share, 0)).toBeCloseTo(1, 12);
    expect(Object.values(result.shares.unitsByClass).reduce((a, b) => a + b, 0)).toBe(result.total);
    expect(result.shares.byContributor.map((c) => c.contributor)).toEqual([`ai:acme/writer@2`, `human:${alice.did}`, `human:${bob.did}`, 'tool:prettier@3.3.3']);
    expect(result.humanShare).toBeCloseTo((9 + 11 + 17) / result.total, 12);
    expect(result.digitalSourceType).toBe(DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia);
    expect(result.verification?.ok).toBe(true);
    expect(result.records).toHaveLength(4);
    expect(result.notes).toEqual([]);
  });

  it('source type: pure human is digitalCreation, untouched AI is trainedAlgorithmicMedia, trimmed AI is composite', async () => {
    const human = await Studio.open(alice);
    await human.edit(alice, [[0, 0, 'All mine.', 'human']]);
    await human.edit(bob, [[3, 0, ' ours', 'human']]);
    const h = assetAttribution(human.all, { asset: ASSET });
    expect(h.digitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation');
    expect(h.humanShare).toBe(1);

    const ai = await Studio.open(alice);
    await ai.edit(alice, [[0, 0, 'Generated.', 'ai']], { agent: MODEL });
    await ai.edit(alice, [[10, 0, ' More.', 'ai']], { agent: MODEL });
    const a = assetAttribution(ai.all, { asset: ASSET });
    expect(a.digitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia');
    expect(a.humanShare).toBe(0);
    expect(a.shares.byClass.ai).toBe(1);

    // A person only deleted some AI text: every remaining character is the model's, but it was edited.
    await ai.edit(alice, [[0, 4, '', 'human']]);
    const trimmed = assetAttribution(ai.all, { asset: ASSET });
    expect(trimmed.shares.byClass.ai).toBe(1);
    expect(trimmed.digitalSourceType).toBe('http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia');

    const tool = await Studio.open(alice);
    await tool.edit(alice, [[0, 0, '{}', 'tool']], { agent: PRETTIER });
    expect(assetAttribution(tool.all, { asset: ASSET }).digitalSourceType).toBe(DIGITAL_SOURCE_TYPES.algorithmicMedia);

    const pasted = await Studio.open(alice);
    await pasted.edit(alice, [[0, 0, 'quoted', 'paste']]);
    const p = assetAttribution(pasted.all, { asset: ASSET });
    expect(p.digitalSourceType).toBeUndefined();
    expect(p.sourceTypeRule).toMatch(/no source type can be claimed/);
    await pasted.edit(alice, [[6, 0, ' and mine', 'human']]);
    const mixed = assetAttribution(pasted.all, { asset: ASSET });
    expect(mixed.digitalSourceType).toBe(DIGITAL_SOURCE_TYPES.compositeSynthetic);
    expect(mixed.shares.byClass.pasted).toBeCloseTo(6 / 15, 12);
    expect(mixed.shares.byContributor.map((c) => c.contributor)).toEqual([`human:${alice.did}`, `pasted:${alice.did}`]);
  });

  it('steps: an asset without deltas counts recorded steps by class', async () => {
    const studio = await Studio.open(alice);
    const image = 'file:cover.png';
    await studio.add(alice, { kind: 'ai.generate', asset: image, agent: MODEL, out: contentCid(utf8Encode('png 1')) });
    await studio.add(bob, { kind: 'asset.edit', asset: image, out: contentCid(utf8Encode('png 2')) });
    await studio.add(bob, { kind: 'review', asset: image, links: [studio.all[2]!.cid] });
    const result = assetAttribution(studio.all, { asset: image });
    expect(result.kind).toBe('steps');
    expect(result.unit).toBe('steps');
    expect(result.total).toBe(2);
    expect(result.shares.byClass).toEqual({ human: 0.5, ai: 0.5, tool: 0, pasted: 0, unknown: 0 });
    expect(result.digitalSourceType).toBe(DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia);
    expect(result.out?.equals(contentCid(utf8Encode('png 2')))).toBe(true);
    expect(result.notes[0]).toMatch(/shares count recorded steps/);
  });

  it('falls back to steps when a step changed the text without a delta', async () => {
    const studio = await story();
    const gap = await studio.add(bob, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode('rewritten elsewhere')) });
    const result = assetAttribution(studio.all, { asset: ASSET });
    expect(result.kind).toBe('steps');
    expect(result.notes[0]).toContain(`first: ${gap.cid}`);
    // A step that re-states the current content is harmless.
    const clean = await story();
    await clean.add(bob, { kind: 'asset.edit', asset: ASSET, out: contentCid(utf8Encode(clean.text())) });
    expect(assetAttribution(clean.all, { asset: ASSET }).kind).toBe('text');
  });

  it('loads from a store the same result as from the whole ledger', async () => {
    const studio = await story();
    const fromStore = await loadAssetAttribution(studio.project.store, { asset: ASSET });
    const fromAll = assetAttribution(studio.all, { asset: ASSET });
    expect(summary(fromStore.textMap!)).toEqual(summary(fromAll.textMap!));
    expect(fromStore.shares).toEqual(fromAll.shares);
    expect(() => assetAttribution(studio.all, { asset: 'file:none' })).toThrow(/no records for asset "file:none"/);
  });
});

describe('node (Figma) attribution', () => {
  const FRAME = 'figma:1:2';
  it('keeps the last writer per node and property, class from the agent or delta.class', async () => {
    const studio = await Studio.open(alice);
    await studio.add(alice, { kind: 'ai.generate', asset: FRAME, agent: MODEL, out: contentCid(utf8Encode('v1')), delta: { created: ['1:3', '1:4'], nodes: { '1:3': ['fills', 'characters'], '1:4': ['fills', 'x', 'y'] } } });
    await studio.add(bob, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v2')), delta: { nodes: { '1:3': ['characters'], '1:4': ['x'] } } });
    await studio.add(bob, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v3')), delta: { created: ['1:9'], nodes: { '1:9': ['fills'] }, class: 'paste' } });
    await studio.add(alice, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v4')), delta: { nodes: { '1:4': ['y'] }, deleted: ['1:9'], class: 'unknown' } });
    const result = assetAttribution(shuffled(studio.all, 3), { asset: FRAME });
    expect(result.kind).toBe('nodes');
    expect(result.unit).toBe('properties');
    const nodes = result.nodeMap!.nodes();
    expect(nodes.map((n) => n.id)).toEqual(['1:3', '1:4']);
    const cell = (id: string, prop: string) => nodes.find((n) => n.id === id)!.properties.find((p) => p.name === prop)!.author;
    expect(cell('1:3', 'fills')).toMatchObject({ class: 'ai', who: 'acme/writer@2' });
    expect(cell('1:3', 'characters')).toMatchObject({ class: 'human', who: bob.did });
    expect(cell('1:4', 'x')).toMatchObject({ class: 'human', who: bob.did });
    expect(cell('1:4', 'y')).toMatchObject({ class: 'unknown', who: '' });
    expect(nodes[0]!.createdBy).toMatchObject({ class: 'ai' });
    expect(result.total).toBe(5);
    expect(result.shares.unitsByClass).toEqual({ human: 2, ai: 2, tool: 0, pasted: 0, unknown: 1 });
    expect(result.digitalSourceType).toBe(DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia);
  });

  it('goes on past a malformed node delta, naming the record and field', async () => {
    const studio = await Studio.open(alice);
    await studio.add(alice, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v0')), delta: { nodes: { '1:2': ['x'] } } });
    const bad = await studio.add(alice, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v1')), delta: { nodes: { '1:3': 'fills' } } });
    const result = assetAttribution(studio.all, { asset: FRAME });
    expect(result.skipped.map((s) => s.record.toString())).toEqual([bad.cid.toString()]);
    expect(result.notes).toEqual([expect.stringContaining(`record ${bad.cid} delta.nodes.1:3: must be a list of property names`)]);
    expect(result.nodeMap!.nodes().map((n) => n.id)).toEqual(['1:2']);
    const wrongClass = await Studio.open(alice);
    await expect(wrongClass.add(alice, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v1')), delta: { nodes: { '1:3': ['x'] }, class: 'martian' } })).rejects.toThrow(
      /delta\.class: unknown class "martian"/,
    );
    wrongClass.unchecked = true;
    const wc = await wrongClass.add(alice, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v1')), delta: { nodes: { '1:3': ['x'] }, class: 'martian' } });
    expect(assetAttribution(wrongClass.all, { asset: FRAME }).notes).toEqual([expect.stringContaining(`record ${wc.cid} delta.class: unknown class "martian"`)]);
  });
});

describe('unattributable records (what verify reports)', () => {
  it('names every record attribution skips, as replaying each asset on its own does, in one pass', async () => {
    const studio = await Studio.open(alice);
    studio.unchecked = true;
    const FRAME = 'figma:0:1';
    // Two text assets and a node asset (whose name sorts first), each with records attribution skips.
    for (const asset of ['file:b.md', 'file:a.md']) {
      await studio.edit(alice, [[0, 0, 'Hello there.\n', 'human']], {}, asset);
      await studio.edit(alice, [[99, 0, 'past the end', 'human']], {}, asset);
      await studio.edit(bob, [[0, 0, 'AI with no model ', 'ai']], {}, asset);
      await studio.edit(bob, [[0, 5, 'Howdy', 'martian']], {}, asset);
      await studio.edit(bob, [[0, 5, 'Howdy', 'human']], {}, asset);
    }
    await studio.add(alice, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v0')), delta: { nodes: { '1:2': ['x'] } } });
    await studio.add(bob, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v1')), delta: { nodes: { '1:3': 'fills' } } });
    await studio.add(bob, { kind: 'asset.edit', asset: FRAME, out: contentCid(utf8Encode('v2')), delta: { nodes: { '1:2': ['y'] }, class: 'ai' } });

    // The reference: each asset replayed on its own (text assets first, then node assets, by name).
    const expected = [
      ...['file:a.md', 'file:b.md'].flatMap((asset) => replayTextHistory(studio.all, { asset, skipUnattributable: true }).skipped.map((s) => ({ ...s, asset }))),
      ...replayNodeAuthorship(studio.all, { asset: FRAME, skipUnattributable: true }).skipped.map((s) => ({ ...s, asset: FRAME })),
    ];
    expect(expected).toHaveLength(3 * 2 + 2);
    const found = unattributableRecords(shuffled(studio.all, 11));
    expect(found.map((f) => [f.asset, f.record.toString(), f.reason])).toEqual(expected.map((e) => [e.asset, e.record.toString(), e.reason]));
    expect(found.map((f) => f.reason)).toEqual([
      expect.stringContaining('past the end of the text'),
      expect.stringContaining('class "ai" needs the AI model'),
      expect.stringContaining('unknown class "martian"'),
      expect.stringContaining('past the end of the text'),
      expect.stringContaining('class "ai" needs the AI model'),
      expect.stringContaining('unknown class "martian"'),
      expect.stringContaining('must be a list of property names'),
      expect.stringContaining('class "ai" needs the AI model'),
    ]);
  });
});

describe('causal order', () => {
  /** Entries with made-up CIDs (order reads only cid, at, prev and links), so a test can also link in a cycle. */
  const entry = (n: number, at: number, parents: number[]): LedgerEntry => {
    const [prev, ...links] = parents.map((p) => contentCid(Uint8Array.of(p >> 8, p & 255)));
    const record = { at, ...(prev ? { prev } : {}), ...(links.length > 0 ? { links } : {}) } as unknown as ContributionRecord;
    return { cid: contentCid(Uint8Array.of(n >> 8, n & 255)), record };
  };
  /** The rule spelled out, O(n^2): repeatedly take the smallest (at, CID) record whose parents given are all taken. */
  function reference(entries: readonly LedgerEntry[]): string[] {
    const byId = new Map<string, LedgerEntry>();
    for (const e of entries) if (!byId.has(e.cid.toString())) byId.set(e.cid.toString(), e);
    const parents = (e: LedgerEntry) => [e.record.prev, ...(e.record.links ?? [])].filter((p) => p !== undefined).map(String);
    const taken = new Set<string>();
    while (taken.size < byId.size) {
      const ready = [...byId.values()].filter((e) => !taken.has(e.cid.toString()) && parents(e).every((p) => !byId.has(p) || taken.has(p)));
      ready.sort((a, b) => a.record.at - b.record.at || (a.cid.toString() < b.cid.toString() ? -1 : 1));
      taken.add(ready[0]!.cid.toString());
    }
    return [...taken];
  }

  it('follows prev and links, then claimed time, then CID, whatever order the records come in', () => {
    let seed = 5;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) >>> 0) % n;
    const entries: LedgerEntry[] = [];
    for (let n = 0; n < 150; n++) {
      // A few parents among the earlier records (and now and then one not given at all); times tie often
      // and may run backwards against the links, as a signer's clock may.
      const parents = n === 0 ? [] : Array.from({ length: random(3) }, () => (random(10) === 0 ? 1000 + random(50) : random(n)));
      entries.push(entry(n, random(20), [...new Set(parents)]));
    }
    const expected = reference(entries);
    for (const seedOfOrder of [1, 2, 3]) {
      const given = shuffled([...entries, entries[7]!, entries[42]!], seedOfOrder);
      expect(causalOrder(given).map((e) => e.cid.toString())).toEqual(expected);
    }
  });

  it('refuses records that link in a cycle rather than drop some', () => {
    expect(() => causalOrder([entry(1, 0, [3]), entry(2, 0, [1]), entry(3, 0, [2]), entry(4, 0, [])])).toThrow('records link in a cycle (3 records could not be ordered)');
  });
});

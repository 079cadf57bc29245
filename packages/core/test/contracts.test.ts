import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTRACT_EXT,
  ContractError,
  EXAMPLE_GATES,
  LedgerSlice,
  MemoryRecordStore,
  Project,
  RoleRequiredError,
  ROUNDING_RULE,
  VIEW_VARIABLES,
  approveAsset,
  collectGateInputs,
  compileGate,
  contentCid,
  contractExt,
  contractFromJson,
  evaluateGates,
  evaluateSlice,
  findSettlement,
  fraction,
  gatePayloadOf,
  identityFromSeed,
  largestRemainder,
  listSettlements,
  payoutLines,
  readContract,
  recordCheck,
  recordGate,
  rejectAsset,
  replayGate,
  replaySettlement,
  settleAsset,
  settlePayloadOf,
  sharesFromWeights,
  utf8Encode,
  viewBindings,
  type AgentRef,
  type ContractPayload,
  type Contribution,
  type DecodedRecord,
  type Fraction,
  type LedgerEntry,
  type PayoutRule,
  type SigningIdentity,
} from '../src/index.js';

const DOC = 'doc:launch.md';
const MODEL: AgentRef = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } };
const BRAND_TOOL = { name: 'brand-checker', version: '1.0' };
const person = (n: number): SigningIdentity => identityFromSeed(new Uint8Array(32).fill(n));

const owner = person(1);
const director = person(2);
const writer = person(3);
const reviewer = person(4);
const outsider = person(5);

const RULE: PayoutRule = { budget: 100_000, currency: 'EUR', weights: { humanText: 60, prompts: 15, reviews: 10, ai: 15 } };

function contractPayload(rule: PayoutRule | null = RULE, gates = EXAMPLE_GATES): ContractPayload {
  const payload: ContractPayload = { v: 1, name: 'Launch copy', gates: [...gates] };
  if (rule) payload.payout = rule;
  return payload;
}

type Edit = [pos: number, del: number, text: string, cls: string];

/** A project in memory with the text of each asset, so every record names the right `out`. */
class Studio {
  readonly texts = new Map<string, string>();
  private constructor(readonly project: Project) {}

  static async open(): Promise<Studio> {
    let now = 1_767_225_600_000;
    const project = await Project.create('Studio', owner, new MemoryRecordStore(), () => (now += 1000));
    const studio = new Studio(project);
    await studio.add(owner, { kind: 'member', delta: { op: 'grant', role: 'director', subject: director.did } });
    await studio.add(owner, { kind: 'member', delta: { op: 'grant', role: 'editor', subject: writer.did } });
    await studio.add(owner, { kind: 'member', delta: { op: 'grant', role: 'reviewer', subject: reviewer.did } });
    return studio;
  }

  get store() {
    return this.project.store;
  }

  add(by: SigningIdentity, contribution: Contribution): Promise<DecodedRecord> {
    return this.project.record(by, contribution);
  }

  async edit(by: SigningIdentity, edits: Edit[], extra: Partial<Contribution> = {}, asset = DOC): Promise<DecodedRecord> {
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

  contract(payload: ContractPayload = contractPayload(), asset: string | undefined = DOC): Promise<DecodedRecord> {
    return this.add(owner, { kind: 'contract', ...(asset ? { asset } : {}), ext: contractExt(payload) });
  }

  async entries(): Promise<LedgerEntry[]> {
    const out: LedgerEntry[] = [];
    for await (const r of this.store.records()) out.push({ cid: r.cid, record: r.record });
    return out;
  }
}

/** brief -> AI draft -> human edits -> review -> brand check: everything but the approval. */
async function launchStory(options: { brand?: number; pii?: boolean; humanEdit?: boolean } = {}): Promise<Studio> {
  const s = await Studio.open();
  const brief = await s.add(director, { kind: 'intent', asset: DOC, intent: { text: 'Launch post for the autumn range, warm and short.' } });
  const draft = await s.edit(writer, [[0, 0, 'Our autumn range is here. It is warm. Buy it now.', 'ai']], { agent: MODEL, links: [brief.cid], intent: { text: 'Draft the launch post' } });
  if (options.humanEdit !== false) {
    await s.edit(writer, [[26, 22, 'Knitted by hand in Porto, made to last', 'human']], { links: [draft.cid] });
    await s.edit(writer, [[0, 0, 'Hello friends! ', 'human']]);
  }
  const final = (await s.store.query({ asset: DOC })).at(-1)!;
  await s.add(reviewer, { kind: 'review', asset: DOC, links: [final] });
  await recordCheck(s.project, writer, { asset: DOC, name: 'brand', score: options.brand ?? 0.86, threshold: 0.8, tool: BRAND_TOOL, ...(options.pii ? { flags: ['pii'] } : {}) });
  return s;
}

describe('CEL gates: compile-time checks', () => {
  it('accepts the example gates', () => {
    for (const gate of EXAMPLE_GATES) expect(compileGate(gate.name, gate.expr, VIEW_VARIABLES).nodes).toBeGreaterThan(0);
  });

  it('rejects bad CEL with the position of the error', () => {
    const attempt = (expr: string) => {
      try {
        compileGate('g', expr, VIEW_VARIABLES);
      } catch (error) {
        return error as ContractError;
      }
      throw new Error(`${expr} compiled`);
    };
    const syntax = attempt("approvals.exists(a, a.final &&\n  'director' in a.roles))");
    expect(syntax).toBeInstanceOf(ContractError);
    expect([syntax.line, syntax.column]).toEqual([2, 25]);
    expect(syntax.message).toMatch(/line 2, column 25: "\)" closes nothing/);
    expect(attempt('a.exists(x, x > 1').message).toMatch(/line 1, column 9: "\(" is never closed/);
    expect(attempt("flags == 'pii").message).toMatch(/line 1, column 10: string is not closed/);
    expect(attempt('flags == [1, 2)').message).toMatch(/line 1, column 15: "\)" does not close the "\[" opened at line 1, column 10/);
    expect(attempt('asset == "a" flags').message).toMatch(/invalid CEL at line 1, column 14: found f but expecting end of input/);
    const unknown = attempt('flags.size() == 0 && aproval.final');
    expect(unknown.message).toMatch(/unknown name "aproval"/);
    expect([unknown.line, unknown.column]).toEqual([1, 22]);
    expect(attempt('now() > 0').message).toMatch(/unknown function "now" at line 1, column 1/);
    expect(attempt('cel.bind(x, flags, x)').message).toMatch(/unknown function "cel.bind"/);
    expect(attempt('google.protobuf.Int64Value{value: 1} == 1').message).toMatch(/cannot be built/);
    expect(attempt('__colophon_range__(flags, 1) == flags').message).toMatch(/reserved/);
    expect(attempt('('.repeat(60) + 'true' + ')'.repeat(60)).message).toMatch(/nest deeper than 48/);
    expect(attempt(`[${Array.from({ length: 600 }, () => '1').join(',')}] == []`).message).toMatch(/more than 512 expression nodes/);
    expect(attempt(Array.from({ length: 40 }, () => '1').join(' + ') + ' > 0').message).toMatch(/nests deeper than 32 levels at line 1, column \d+/);
    // Chains of && and || are balanced by the parser: long conjunctions stay shallow.
    expect(compileGate('g', Array.from({ length: 100 }, () => 'true').join(' && '), VIEW_VARIABLES).nodes).toBe(199);
    expect(attempt('x'.repeat(5000)).message).toMatch(/above the 4096-character limit/);
  });

  it('rejects a contract whose gates do not compile, naming the gate', () => {
    expect(() => contractFromJson({ name: 'c', gates: { ok: 'true', broken: 'flags.exists(f,' } })).not.toThrow();
    const file = contractFromJson({ name: 'c', gates: { ok: 'true', broken: 'flags.exists(f,' } });
    const entry = { cid: contentCid(utf8Encode('x')), record: { kind: 'contract', ext: contractExt(file.payload) } } as unknown as LedgerEntry;
    expect(() => readContract(entry)).toThrow(/^contract record \S+: ext.colophon.contract.gates\[1\] \(broken\): invalid CEL at line 1, column 13: "\(" is never closed$/);
  });

  it('checks the payout rule with exact integers', () => {
    expect(() => contractFromJson({ name: 'c', gates: { a: 'true' }, payout: { budget: 10.5, currency: 'EUR', weights: { humanText: 1 } } })).toThrow(/payout.budget must be an integer/);
    expect(() => contractFromJson({ name: 'c', gates: { a: 'true' }, payout: { budget: 100, currency: 'EUR', weights: { humanText: 0.5 } } })).toThrow(/weights are integers/);
    expect(() => contractFromJson({ name: 'c', gates: { a: 'true' }, payout: { budget: 100, currency: 'euro', weights: { humanText: 1 } } })).toThrow(/ISO 4217/);
    expect(() => contractFromJson({ name: 'c', gates: { a: 'true' }, payout: { budget: 100, currency: 'EUR', weights: { tips: 1 } } })).toThrow(/payout.weights.tips is not a known field/);
    expect(() => contractFromJson({ name: 'c', gates: { a: 'true' }, payout: { budget: 100, currency: 'EUR', weights: { ai: 0 } } })).toThrow(/at least one class/);
    expect(() => contractFromJson({ name: 'c', gates: [{ name: '1st', expr: 'true' }] })).toThrow(/must start with a letter/);
  });
});

describe('CEL gates: bounded evaluation', () => {
  const xs = Array.from({ length: 1000 }, (_, i) => BigInt(i));

  it('counts cost deterministically and stops a gate past the limit', () => {
    const gate = compileGate('g', 'flags.map(x, flags.map(y, x + y)).size() > 0', new Set(['flags']));
    const first = gate.run({ flags: xs });
    expect(first).toEqual({ pass: false, error: 'cost limit of 1000000 units exceeded', cost: first.cost });
    expect(gate.run({ flags: xs })).toEqual(first);
    const cheap = compileGate('g', 'flags.map(x, x * 2).filter(y, y % 3 == 0).size() == 334', new Set(['flags']));
    const outcome = cheap.run({ flags: xs });
    expect(outcome.pass).toBe(true);
    expect(outcome.cost).toBe(cheap.run({ flags: xs }).cost);
  });

  it('map and filter give correct lists (in-place accumulation is invisible)', () => {
    const gate = compileGate('g', '[[1] + [2]].map(l, l + [3] + l) == [[1, 2, 3, 1, 2]] && [1, 2, 3].map(x, [x].map(y, y * 10)) == [[10], [20], [30]]', new Set());
    expect(gate.run({})).toEqual({ pass: true, cost: expect.any(Number) });
    const twice = compileGate('g', 'flags.filter(x, x > 997) == [998, 999] && flags.filter(x, x > 997) == [998, 999]', new Set(['flags']));
    expect(twice.run({ flags: xs }).pass).toBe(true);
  });

  it('says why a gate failed at run time, with the position', () => {
    const gate = compileGate('g', 'check.brand.score >= 0.8', VIEW_VARIABLES);
    expect(gate.run({ check: {} })).toEqual({ pass: false, error: expect.stringMatching(/brand.*\(at line 1, column 6\)/), cost: 0 });
    expect(compileGate('g', 'flags', new Set(['flags'])).run({ flags: [] })).toMatchObject({ pass: false, error: 'evaluated to a list, not a bool' });
  });

  it('aborts on the wall-clock deadline without a verdict', () => {
    let t = 0;
    const gate = compileGate('g', 'flags.all(x, x >= 0)', new Set(['flags']));
    expect(() => gate.run({ flags: xs }, { now: () => (t += 10_000) })).toThrow(/deadline/);
  });
});

describe('gates over an asset', () => {
  it('passes the example gates for the launch story once the director approves', async () => {
    const s = await launchStory();
    await s.contract();
    const before = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    expect(before.verdicts.map((v) => [v.name, v.pass])).toEqual([
      ['directorApproved', false],
      ['commercialLicences', true],
      ['validCredentials', true],
      ['noPii', true],
      ['brandScore', true],
      ['humanShare', true],
    ]);
    const { approval, gate, settlement } = await approveAsset(s.project, director, { asset: DOC });
    expect(approval.record.kind).toBe('approve');
    expect(gate!.evaluation.pass).toBe(true);
    expect(settlement!.existing).toBe(false);
    const payload = gatePayloadOf(gate!.record);
    expect(payload.gates.every((g) => g.pass)).toBe(true);
    expect(gate!.record.record.links!.map(String)).toContain(approval.cid.toString());
    expect(gate!.record.record.links!.map(String)).toEqual([...gate!.record.record.links!.map(String)].sort());
  });

  it('fails the right gates: no approval, low brand score, pii, too little human work', async () => {
    const s = await launchStory({ brand: 0.5, pii: true, humanEdit: false });
    await s.contract();
    const { gate, settlement } = await approveAsset(s.project, director, { asset: DOC });
    const failed = gate!.evaluation.verdicts.filter((v) => !v.pass).map((v) => v.name);
    expect(failed).toEqual(['noPii', 'brandScore', 'humanShare']);
    expect(settlement).toBeUndefined();
  });

  it('an approval of an earlier version does not count for the final one', async () => {
    const s = await launchStory();
    await s.contract();
    await approveAsset(s.project, director, { asset: DOC });
    await s.edit(writer, [[0, 0, 'P.S. ', 'human']]);
    const { verdicts } = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    expect(verdicts.find((v) => v.name === 'directorApproved')!.pass).toBe(false);
  });

  it('only a director may approve or reject', async () => {
    const s = await launchStory();
    await expect(approveAsset(s.project, writer, { asset: DOC })).rejects.toThrow(RoleRequiredError);
    await expect(approveAsset(s.project, writer, { asset: DOC })).rejects.toThrow(/only a director may approve; did:key:\S+ holds editor/);
    await expect(rejectAsset(s.project, outsider, { asset: DOC })).rejects.toThrow(/only a director may reject; did:key:\S+ holds no role/);
    const rejection = await rejectAsset(s.project, director, { asset: DOC, reason: 'too salesy' });
    await s.contract(contractPayload(null, [{ name: 'notRejected', expr: "!rejections.exists(r, r.final && r.reason != '')" }]));
    const { verdicts } = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    expect(verdicts).toEqual([{ name: 'notRejected', pass: false, cost: expect.any(Number) }]);
    expect(rejection.record.ext).toEqual({ 'colophon.reason': 'too salesy' });
  });

  it('sees ingredients with licences and Content Credentials states', async () => {
    const s = await launchStory();
    const photo = await s.add(writer, { kind: 'ingest', asset: 'file:photo.jpg', out: contentCid(utf8Encode('jpeg bytes')), rights: { license: 'CC-BY-4.0' }, ext: { 'colophon.c2pa': { v: 1, file: 'photo.jpg', format: 'image/jpeg', state: 'Valid' } } });
    const stock = await s.add(writer, { kind: 'ingest', asset: 'file:stock.png', out: contentCid(utf8Encode('png bytes')), rights: { license: 'CC-BY-NC-4.0' }, ext: { 'colophon.c2pa': { v: 1, file: 'stock.png', format: 'image/png', state: 'Invalid', codes: ['assertion.dataHash.mismatch'] } } });
    await s.edit(writer, [[0, 0, '[photo] ', 'human']], { in: [photo.record.out!] });
    await s.contract();
    let evaluation = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    const view = viewBindings(evaluation.slice, DOC, evaluation.contract.entry);
    expect(view.ingredients).toEqual([
      { asset: 'file:photo.jpg', record: photo.cid.toString(), kind: 'ingest', license: 'CC-BY-4.0', commercialUse: true, credentials: 'Valid', codes: [], digitalSourceType: '' },
    ]);
    expect(evaluation.verdicts.filter((v) => !v.pass).map((v) => v.name)).toEqual(['directorApproved']);
    await s.edit(writer, [[0, 0, '[stock] ', 'human']], { in: [stock.record.out!] });
    evaluation = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    expect(evaluation.verdicts.filter((v) => !v.pass).map((v) => v.name)).toEqual(['directorApproved', 'commercialLicences', 'validCredentials']);
  });

  it('a project-wide contract governs assets without their own; an asset contract wins', async () => {
    const s = await launchStory();
    const general = await s.contract(contractPayload(null, [{ name: 'always', expr: 'true' }]), undefined);
    let evaluation = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    expect(evaluation.contract.entry.cid.equals(general.cid)).toBe(true);
    const specific = await s.contract();
    evaluation = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    expect(evaluation.contract.entry.cid.equals(specific.cid)).toBe(true);
    // A contract signed by someone who is not an owner is not in force.
    await s.add(writer, { kind: 'contract', asset: DOC, ext: contractExt(contractPayload(null, [{ name: 'mine', expr: 'true' }])) });
    evaluation = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    expect(evaluation.contract.entry.cid.equals(specific.cid)).toBe(true);
  });

  it('refuses a view larger than a gate record can list', async () => {
    const s = await Studio.open();
    await s.edit(writer, [[0, 0, 'x', 'human']]);
    const first = (await s.store.query({ asset: DOC }))[0]!;
    for (let i = 0; i < 1010; i++) await s.add(reviewer, { kind: 'review', asset: DOC, links: [first] });
    await s.contract();
    // 1010 reviews + edit + genesis + contract + the member records of writer and reviewer.
    const { record } = await recordGate(s.project, owner, { asset: DOC });
    expect(record.record.links!.length).toBe(1015);
    expect(record.bytes.length).toBeLessThan(64 * 1024);
    expect((await replayGate(record, s.store)).ok).toBe(true);
    for (let i = 0; i < 10; i++) await s.add(reviewer, { kind: 'review', asset: DOC, links: [first] });
    await expect(evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner })).rejects.toThrow(/needs more than 1024 records/);
  });
});

describe('replay', () => {
  it('re-running a gate record from the records it lists gives the same verdict', async () => {
    const s = await launchStory();
    await s.contract();
    const { gate } = await approveAsset(s.project, director, { asset: DOC });
    // More records arrive later: the replay reads only what the gate listed.
    await s.edit(writer, [[0, 0, 'Later. ', 'human']]);
    await recordCheck(s.project, writer, { asset: DOC, name: 'brand', score: 0.1 });
    const replay = await replayGate(gate!.record, s.store);
    expect(replay).toMatchObject({ ok: true, differences: [], missing: [] });
    expect(replay.replayed).toEqual(replay.recorded);
  });

  it('reports a forged verdict and missing records', async () => {
    const s = await launchStory({ brand: 0.5 });
    await s.contract();
    const { record } = await recordGate(s.project, director, { asset: DOC });
    const payload = gatePayloadOf(record);
    const forged = { ...payload, gates: payload.gates.map((g) => ({ ...g })) };
    forged.gates.find((g) => g.name === 'brandScore')!.pass = true;
    const fake = { cid: record.cid, record: { ...record.record, ext: { 'colophon.gate': forged } } } as unknown as LedgerEntry;
    const replay = await replayGate(fake, s.store);
    expect(replay.ok).toBe(false);
    expect(replay.differences).toContain('gate brandScore: recorded pass, replayed fail');
    const empty = new MemoryRecordStore();
    const missing = await replayGate(record, empty);
    expect(missing.ok).toBe(false);
    expect(missing.missing.length).toBe(record.record.links!.length);
  });

  it('property: verdicts replay identically for random stories', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.boolean(), fc.boolean(), async (brand, pii, humanEdit, approve) => {
        const s = await launchStory({ brand, pii, humanEdit });
        await s.contract();
        if (approve) await approveAsset(s.project, director, { asset: DOC });
        const { record, evaluation } = await recordGate(s.project, reviewer, { asset: DOC });
        const replay = await replayGate(record, s.store);
        expect(replay.ok, replay.differences.join('; ')).toBe(true);
        expect(evaluation.verdicts.find((v) => v.name === 'brandScore')!.pass).toBe(brand >= 0.8);
        expect(evaluation.verdicts.find((v) => v.name === 'noPii')!.pass).toBe(!pii);
      }),
      { numRuns: 15 },
    );
  });

  it('property: the order records come in changes neither verdicts nor amounts', async () => {
    const s = await launchStory();
    await s.contract();
    const { gate } = await approveAsset(s.project, director, { asset: DOC });
    const read: LedgerEntry[] = [];
    for (const cid of gate!.record.record.links!) {
      const found = (await s.store.get(cid))!;
      read.push({ cid: found.cid, record: found.record });
    }
    const contract = readContract(gate!.evaluation.contract.entry);
    const expected = { verdicts: gate!.evaluation.verdicts, lines: payoutLines(new LedgerSlice(read), DOC, RULE) };
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(read, { minLength: read.length, maxLength: read.length }), async (shuffled) => {
        const slice = new LedgerSlice(shuffled);
        expect(evaluateSlice(contract, slice, DOC).verdicts).toEqual(expected.verdicts);
        expect(payoutLines(slice, DOC, RULE)).toEqual(expected.lines);
      }),
      { numRuns: 40 },
    );
  });
});

describe('settlement', () => {
  it('splits the budget by class weights, surviving text and units, summing exactly', async () => {
    const s = await launchStory();
    await s.contract();
    const { settlement } = await approveAsset(s.project, director, { asset: DOC });
    const payload = settlement!.payload;
    expect(payload.rounding).toBe(ROUNDING_RULE);
    expect(payload.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(100_000);
    const byPayee = Object.fromEntries(payload.lines.map((l) => [l.payee, l]));
    // prompts: the director's brief and the writer's prompt (one unit each); reviews: the reviewer;
    // humanText: all of it is the writer's; ai: the provider of the model.
    const text = s.texts.get(DOC)!;
    const evaluation = await evaluateGates(s.store, { asset: DOC, genesis: s.project.id, owner: s.project.owner });
    const attribution = evaluation.slice.factsOf(DOC).attribution!;
    const ai = attribution.shares.unitsByClass.ai;
    const human = attribution.shares.unitsByClass.human;
    expect(ai + human).toBe(text.length);
    // Exact shares: writer = 60/100 + 15/100 * 1/2, director = 15/100 * 1/2, reviewer 10/100, acme 15/100.
    expect(byPayee[writer.did]).toMatchObject({ amount: 67_500, via: ['humanText', 'prompts'] });
    expect(byPayee[director.did]).toMatchObject({ amount: 7_500, via: ['prompts'] });
    expect(byPayee[reviewer.did]).toMatchObject({ amount: 10_000, via: ['reviews'] });
    expect(byPayee['ai:acme']).toMatchObject({ amount: 15_000, via: ['ai'] });
    // The settlement links what it rests on, and the director's grant it relies on.
    const grant = (await s.store.query({ kind: 'member' }))[0]!;
    expect(settlement!.record.record.links!.map(String)).toEqual([payload.contract, payload.gate, payload.approval, grant].map(String));
    expect((await replaySettlement(settlement!.record, s.store)).ok).toBe(true);
  });

  it('is idempotent: a second attempt finds the existing settlement', async () => {
    const s = await launchStory();
    const contract = await s.contract();
    const first = await approveAsset(s.project, director, { asset: DOC });
    const again = await settleAsset(s.project, director, { asset: DOC });
    expect(again.existing).toBe(true);
    expect(again.record.cid.equals(first.settlement!.record.cid)).toBe(true);
    const second = await approveAsset(s.project, director, { asset: DOC });
    expect(second.settlement!.existing).toBe(true);
    expect((await s.store.query({ kind: 'settle' })).length).toBe(1);
    expect((await findSettlement(s.store, DOC, contract.cid))!.cid.equals(first.settlement!.record.cid)).toBe(true);
  });

  it('refuses to settle without a passing gate, an approval, or a payout rule', async () => {
    const s = await launchStory({ brand: 0.2 });
    await s.contract(contractPayload(null));
    await expect(settleAsset(s.project, director, { asset: DOC })).rejects.toThrow(/has no payout rule/);
    await s.contract();
    await expect(settleAsset(s.project, director, { asset: DOC })).rejects.toThrow(/failed directorApproved, brandScore/);
    await s.contract(contractPayload(RULE, [{ name: 'always', expr: 'true' }]));
    await expect(settleAsset(s.project, director, { asset: DOC })).rejects.toThrow(/no director has approved its final version/);
    // Gates pass but nobody is in a weighted class: the approval stands, the reason is given.
    const t = await launchStory({ humanEdit: false });
    await t.contract(contractPayload({ budget: 100, currency: 'EUR', weights: { humanText: 1 } }, [{ name: 'always', expr: 'true' }]));
    const approved = await approveAsset(t.project, director, { asset: DOC });
    expect(approved.settlement).toBeUndefined();
    expect(approved.settleError).toMatch(/nobody to pay for asset "doc:launch.md": no member contributed in a weighted class \(humanText\)/);
  });

  it('pays AI nothing at weight 0 and passes an upstream share to ingredients (several parents)', async () => {
    const s = await launchStory();
    // Two parent assets made by other people, consumed by the launch post.
    const tagline = await s.edit(reviewer, [[0, 0, 'Made to last', 'human']], {}, 'doc:tagline.md');
    const story = await s.edit(director, [[0, 0, 'Porto knitters since 1962', 'human']], {}, 'doc:history.md');
    await s.edit(writer, [[0, 0, 'Made to last. ', 'paste']], { in: [tagline.record.out!, story.record.out!] });
    const rule: PayoutRule = { budget: 1001, currency: 'EUR', weights: { humanText: 1, ai: 0 }, upstreamBasisPoints: 2000 };
    await s.contract(contractPayload(rule, [{ name: 'approved', expr: "approvals.exists(a, a.final && 'director' in a.roles)" }]));
    const { settlement, gate } = await approveAsset(s.project, director, { asset: DOC });
    // Content made in the project with no licence stated is the project's own: fit for commercial use.
    expect(viewBindings(gate!.evaluation.slice, DOC, gate!.evaluation.contract.entry).ingredients).toMatchObject([
      { asset: 'doc:history.md', credentials: 'ledger', license: '', commercialUse: true },
      { asset: 'doc:tagline.md', credentials: 'ledger', license: '', commercialUse: true },
    ]);
    const lines = settlement!.payload.lines;
    // 80% to the writer's surviving text, 20% split equally between the two parents' authors.
    expect(lines.map((l) => [l.payee, l.amount])).toEqual(
      [
        [writer.did, 801],
        [reviewer.did, 100],
        [director.did, 100],
      ].sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
    );
    expect(lines.find((l) => l.payee === director.did)!.via).toEqual(['upstream']);
    expect(lines.some((l) => l.payee.startsWith('ai:'))).toBe(false);
    expect((await replaySettlement(settlement!.record, s.store)).ok).toBe(true);
  });

  it('lists one settlement per asset and contract and reports duplicates', async () => {
    const s = await launchStory();
    await s.contract();
    const { settlement, gate } = await approveAsset(s.project, director, { asset: DOC });
    // Another machine, not seeing the first, records a second settle record later.
    await s.add(director, { kind: 'settle', asset: DOC, links: settlement!.record.record.links!, ext: settlement!.record.record.ext! });
    const list = await listSettlements(s.store);
    expect(list.settlements.map((r) => r.cid.toString())).toEqual([settlement!.record.cid.toString()]);
    expect(list.duplicates.length).toBe(1);
    expect(settlePayloadOf(list.duplicates[0]!).gate.equals(gate!.record.cid)).toBe(true);
  });

  it('a tampered amount does not replay', async () => {
    const s = await launchStory();
    await s.contract();
    const { settlement } = await approveAsset(s.project, director, { asset: DOC });
    const payload = { ...settlement!.payload, lines: settlement!.payload.lines.map((l) => ({ ...l })) };
    payload.lines[0]!.amount += 1;
    payload.lines[1]!.amount -= 1;
    const fake = { cid: settlement!.record.cid, record: { ...settlement!.record.record, ext: { 'colophon.settle': payload } } } as unknown as LedgerEntry;
    const replay = await replaySettlement(fake, s.store);
    expect(replay.ok).toBe(false);
    expect(replay.differences.join('\n')).toMatch(/^amounts: recorded/m);
  });

  it('the read set is what evaluation uses (collectGateInputs is deterministic)', async () => {
    const s = await launchStory();
    const contract = await s.contract();
    const a = await collectGateInputs(s.store, { asset: DOC, contract: contract.cid, genesis: s.project.id });
    const b = await collectGateInputs(s.store, { asset: DOC, contract: contract.cid, genesis: s.project.id });
    expect(new LedgerSlice(a).cids().map(String)).toEqual(new LedgerSlice(b).cids().map(String));
    expect(a.some((e) => e.record.kind === 'project.genesis')).toBe(true);
    expect(a.some((e) => e.record.kind === 'member')).toBe(true);
    expect(a.some((e) => e.record.kind === CONTRACT_EXT.split('.')[1])).toBe(true);
  });
});

describe('largest-remainder split (property tests)', () => {
  const payees = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });
  const weightsFor = (ids: string[]) => fc.tuple(...ids.map(() => fc.bigInt({ min: 0n, max: 1_000_000n }))).map((ws) => new Map(ids.map((id, i) => [id, ws[i]!])));
  const budgets = fc.bigInt({ min: 0n, max: 10n ** 15n });

  it('amounts always sum to the budget and each is within one unit of its exact share', () => {
    fc.assert(
      fc.property(payees.chain((ids) => fc.tuple(weightsFor(ids), budgets)), ([weights, budget]) => {
        const shares = sharesFromWeights(weights);
        fc.pre(shares.size > 0);
        const amounts = largestRemainder(budget, shares);
        let sum = 0n;
        for (const [id, amount] of amounts) {
          sum += amount;
          const s = shares.get(id)!;
          const exactFloor = (budget * s.num) / s.den;
          expect(amount === exactFloor || amount === exactFloor + 1n).toBe(true);
        }
        expect(sum).toBe(budget);
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic and independent of the order of payees', () => {
    fc.assert(
      fc.property(payees.chain((ids) => fc.tuple(weightsFor(ids), budgets, fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }))), ([weights, budget, order]) => {
        const shares = sharesFromWeights(weights);
        fc.pre(shares.size > 0);
        const reordered = new Map<string, Fraction>(order.filter((id) => shares.has(id)).map((id) => [id, shares.get(id)!]));
        expect([...largestRemainder(budget, reordered)]).toEqual([...largestRemainder(budget, shares)]);
      }),
      { numRuns: 300 },
    );
  });

  it('breaks ties by payee id', () => {
    const thirds = new Map([
      ['b', fraction(1n, 3n)],
      ['a', fraction(1n, 3n)],
      ['c', fraction(1n, 3n)],
    ]);
    expect([...largestRemainder(100n, thirds)]).toEqual([
      ['a', 34n],
      ['b', 33n],
      ['c', 33n],
    ]);
    expect([...largestRemainder(2n, thirds)]).toEqual([
      ['a', 1n],
      ['b', 1n],
      ['c', 0n],
    ]);
    expect(() => largestRemainder(10n, new Map([['a', fraction(1n, 2n)]]))).toThrow(/sum to 1/);
  });

  it('settlement amounts sum to any budget for the story', async () => {
    const s = await launchStory();
    const contract = await s.contract();
    await approveAsset(s.project, director, { asset: DOC });
    const entries = await collectGateInputs(s.store, { asset: DOC, contract: contract.cid, genesis: s.project.id });
    const slice = new LedgerSlice(entries);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.record({ humanText: fc.nat(100), prompts: fc.nat(100), reviews: fc.nat(100), ai: fc.nat(100) }).filter((w) => w.humanText + w.prompts + w.reviews + w.ai > 0),
        (budget, weights) => {
          const lines = payoutLines(slice, DOC, { budget, currency: 'EUR', weights });
          expect(lines.reduce((sum, l) => sum + BigInt(l.amount), 0n)).toBe(BigInt(budget));
        },
      ),
      { numRuns: 200 },
    );
    expect(readContract({ cid: contract.cid, record: contract.record }).payload.name).toBe('Launch copy');
    expect(contract.record.ext![CONTRACT_EXT]).toBeDefined();
  });
});

// Agent Trace out and in: exports validated against the spec's JSON Schema
// (test/fixtures/agent-trace/trace-record.schema.json, see its README) with Ajv, the reader held to
// the same schema, and the claims an import makes.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT_TRACE_VERSION,
  AgentTraceError,
  DEV_COLOPHON,
  MemoryRecordStore,
  Project,
  TextAuthorshipMap,
  agentTraceRecord,
  assetAttribution,
  contentCid,
  fileClaims,
  identityFromSeed,
  parseAgentTraces,
  planClaims,
  readAgentTrace,
  readDevColophon,
  textLines,
  utf8Encode,
  type AgentRef,
  type AgentTraceRecord,
  type AssetAttribution,
  type DecodedRecord,
  type LedgerEntry,
  type SigningIdentity,
  type TraceFile,
} from '../src/index.js';
import { useNodeCrypto } from '../src/node/index.js';

useNodeCrypto();

const schema = JSON.parse(readFileSync(new URL('../../../test/fixtures/agent-trace/trace-record.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const ASSET = 'file:docs/story.md';
const WRITER: AgentRef = { type: 'ai', model: { provider: 'acme', name: 'writer', version: '2' } };
const PRETTIER: AgentRef = { type: 'tool', name: 'prettier', version: '3.3.3' };
const ada: SigningIdentity = identityFromSeed(new Uint8Array(32).fill(41));

/** The Markdown file, built edit by edit; each line's expected contributor in the comment. */
const STEPS: { text: string; at: 'end' | number; cls: string; agent?: AgentRef }[] = [
  { text: '# Title\n\n', at: 'end', cls: 'human' }, // 1 human, 2 human (an empty line is its terminator's)
  { text: 'The sea was calm.\nWaves rolled in.\n', at: 'end', cls: 'ai', agent: WRITER }, // 3 ai, 4 ai
  { text: ' very', at: 9 + 'The sea was'.length, cls: 'human' }, // 3 becomes mixed
  { text: '- item\n', at: 'end', cls: 'tool', agent: PRETTIER }, // 5 unknown (tool output)
  { text: '> quote\n', at: 'end', cls: 'paste' }, // 6 unknown (pasted)
  { text: 'tail\n', at: 'end', cls: 'unknown' }, // 7 unknown
];

let entries: LedgerEntry[];
let attribution: AssetAttribution;
let text = '';
let genesis: DecodedRecord;

beforeAll(async () => {
  let now = 1_767_225_600_000;
  const project = await Project.create('trace', ada, new MemoryRecordStore(), () => now++);
  genesis = project.genesis;
  entries = [{ cid: genesis.cid, record: genesis.record }];
  for (const step of STEPS) {
    const pos = step.at === 'end' ? text.length : step.at;
    text = text.slice(0, pos) + step.text + text.slice(pos);
    const record = await project.record(ada, {
      kind: step.agent?.type === 'ai' ? 'ai.generate' : entries.length === 1 ? 'asset.create' : 'asset.edit',
      asset: ASSET,
      out: contentCid(utf8Encode(text)),
      delta: { text: [[pos, 0, step.text.length, step.cls]] },
      ext: { 'colophon.evidence': step.cls === 'unknown' ? 'reconciled' : 'typed' },
      ...(step.agent && { agent: step.agent }),
    });
    entries.push({ cid: record.cid, record: record.record });
  }
  attribution = assetAttribution(entries, { asset: ASSET });
});

function exportTrace(): AgentTraceRecord {
  const byCid = new Map(entries.map((e) => [e.cid.toString(), e]));
  return agentTraceRecord(
    [{ path: 'docs/story.md', asset: ASSET, text, runs: attribution.textMap!.runs(), out: attribution.out!, records: attribution.records }],
    {
      id: '7d444840-9dc0-11d1-b245-5ffdce74fad2',
      timestamp: '2026-12-06T11:00:00.000Z',
      tool: { name: 'colophon', version: '0.1.0' },
      vcs: { type: 'git', revision: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0' },
      project: genesis.cid,
      lookup: (cid) => byCid.get(cid),
    },
  );
}

describe('Agent Trace export', () => {
  it('validates against the JSON Schema of the spec', () => {
    const trace = exportTrace();
    expect(validate(trace), JSON.stringify(validate.errors)).toBe(true);
    expect(trace.version).toBe(AGENT_TRACE_VERSION);
  });

  it('gives a mixed Markdown file the right ranges: one conversation per contributor, mixed lines in each of theirs', () => {
    const [file] = exportTrace().files;
    const view = file!.conversations.map((c) => ({ contributor: c.contributor, ranges: c.ranges.map((r) => [r.start_line, r.end_line, r.contributor]) }));
    expect(view).toEqual([
      {
        contributor: { type: 'human' },
        ranges: [
          [1, 2, { type: 'human' }],
          [3, 3, { type: 'mixed', model_id: 'acme/writer' }],
        ],
      },
      {
        contributor: { type: 'ai', model_id: 'acme/writer' },
        ranges: [
          [3, 3, { type: 'mixed', model_id: 'acme/writer' }],
          [4, 4, { type: 'ai', model_id: 'acme/writer' }],
        ],
      },
      { contributor: { type: 'unknown' }, ranges: [[5, 7, { type: 'unknown' }]] },
    ]);
    // content_hash: sha-256 of the range's lines, terminators included
    const lines = textLines(text);
    const hash = file!.conversations[1]!.ranges[1]!.content_hash!;
    expect(hash).toBe(`sha256:${Buffer.from(contentCid(utf8Encode(text.slice(lines[3]!.start, lines[3]!.end))).multihash.digest).toString('hex')}`);
    expect(text.slice(lines[3]!.start, lines[3]!.end)).toBe('Waves rolled in.\n');
  });

  it('keeps what the format cannot say in metadata["dev.colophon"]: runs with tool and paste classes, evidence, records, versions', () => {
    const trace = exportTrace();
    const dev = readDevColophon(trace)!;
    expect(dev).toBeDefined();
    expect(dev.note).toMatch(/^Lossy export/);
    expect(dev.project).toBe(genesis.cid.toString());
    expect(dev.models).toEqual({ 'acme/writer': ['2'] });
    const [file] = dev.files;
    expect(file!.out).toBe(attribution.out!.toString());
    expect(file!.records).toEqual(attribution.records.map(String));
    expect(file!.runs.map((r) => [text.slice(r.start, r.start + r.length), r.class, r.who, r.evidence])).toEqual([
      ['# Title\n\n', 'human', ada.did, 'typed'],
      ['The sea was', 'ai', 'acme/writer@2', 'typed'],
      [' very', 'human', ada.did, 'typed'],
      [' calm.\nWaves rolled in.\n', 'ai', 'acme/writer@2', 'typed'],
      ['- item\n', 'tool', 'prettier@3.3.3', 'typed'],
      ['> quote\n', 'pasted', ada.did, 'typed'],
      ['tail\n', 'unknown', undefined, 'reconciled'],
    ]);
    expect(Object.keys(trace.metadata!)).toEqual([DEV_COLOPHON]);
  });

  it('splits lines at \\n and \\r\\n; a final terminator starts no line', () => {
    expect(textLines('')).toEqual([]);
    expect(textLines('a\r\nb\n\nc')).toEqual([
      { start: 0, contentEnd: 1, end: 3 },
      { start: 3, contentEnd: 4, end: 5 },
      { start: 5, contentEnd: 5, end: 6 },
      { start: 6, contentEnd: 7, end: 7 },
    ]);
    expect(textLines('x\n')).toHaveLength(1);
  });
});

describe('reading Agent Trace records', () => {
  const minimal = (): Record<string, unknown> => ({
    version: '0.1.0',
    id: '550e8400-e29b-41d4-a716-446655440000',
    timestamp: '2026-01-25T10:00:00Z',
    files: [{ path: 'src/app.ts', conversations: [{ contributor: { type: 'ai' }, ranges: [{ start_line: 1, end_line: 50 }] }] }],
  });
  const variants: [string, (t: Record<string, unknown>) => void][] = [
    ['minimal', () => {}],
    ['full', (t) => Object.assign(t, { vcs: { type: 'jj', revision: 'kkmpptxz' }, tool: { name: 'cursor', version: '2.4.0' }, metadata: { 'dev.cursor': { workspace_id: 'ws' }, confidence: 0.9 } })],
    ['offset timestamp', (t) => (t.timestamp = '2026-01-25T10:00:00.123+02:00')],
    ['conversation url and related', (t) => Object.assign((t.files as { conversations: object[] }[])[0]!.conversations[0]!, { url: 'https://api.example.com/c/1', related: [{ type: 'session', url: 'https://api.example.com/s/2' }] })],
    ['no version', (t) => delete t.version],
    ['X.Y.Z.W version', (t) => (t.version = '0.1.0.1')],
    ['bad uuid', (t) => (t.id = 'not-a-uuid')],
    ['timestamp without zone', (t) => (t.timestamp = '2026-01-25T10:00:00')],
    ['30 February', (t) => (t.timestamp = '2026-02-30T10:00:00Z')],
    ['vcs type', (t) => (t.vcs = { type: 'cvs', revision: '1' })],
    ['tool without version', (t) => (t.tool = { name: 'cursor' })],
    ['extra top-level field', (t) => (t.extra = 1)],
    ['files not an array', (t) => (t.files = {})],
    ['line 0', (t) => ((t.files as { conversations: { ranges: { start_line: number }[] }[] }[])[0]!.conversations[0]!.ranges[0]!.start_line = 0)],
    ['fractional line', (t) => ((t.files as { conversations: { ranges: { end_line: number }[] }[] }[])[0]!.conversations[0]!.ranges[0]!.end_line = 1.5)],
    ['contributor type', (t) => ((t.files as { conversations: { contributor: object }[] }[])[0]!.conversations[0]!.contributor = { type: 'robot' })],
    ['model_id too long', (t) => ((t.files as { conversations: { contributor: object }[] }[])[0]!.conversations[0]!.contributor = { type: 'ai', model_id: 'm'.repeat(251) })],
    ['url not a URI', (t) => ((t.files as { conversations: { url: string }[] }[])[0]!.conversations[0]!.url = 'not a url')],
    ['range field unknown', (t) => ((t.files as { conversations: { ranges: object[] }[] }[])[0]!.conversations[0]!.ranges[0] = { start_line: 1, end_line: 2, lines: 2 })],
    ['metadata an array', (t) => (t.metadata = [])],
  ];

  for (const [name, change] of variants) {
    it(`agrees with the schema: ${name}`, () => {
      const trace = minimal();
      change(trace);
      const bySchema = validate(trace);
      let ours = true;
      try {
        readAgentTrace(trace);
      } catch (error) {
        expect(error).toBeInstanceOf(AgentTraceError);
        ours = false;
      }
      expect(ours).toBe(bySchema);
    });
  }

  it('also reads X.Y versions, as the first schema and the reference hook write them (the one difference from the schema)', () => {
    const trace = { ...minimal(), version: '1.0' };
    expect(validate(trace)).toBe(false);
    expect(readAgentTrace(trace).version).toBe('1.0');
  });

  it('names the bad field', () => {
    const trace = minimal();
    (trace.files as { conversations: { ranges: { end_line: unknown }[] }[] }[])[0]!.conversations[0]!.ranges[0]!.end_line = 'ten';
    expect(() => readAgentTrace(trace)).toThrow(/^files\[0\]\.conversations\[0\]\.ranges\[0\]\.end_line: must be an integer/);
  });

  it('reads one record, an array, or JSON Lines; says which line is not JSON', () => {
    const one = JSON.stringify(minimal());
    expect(parseAgentTraces(one)).toHaveLength(1);
    expect(parseAgentTraces(`[${one},${one}]`)).toHaveLength(2);
    expect(parseAgentTraces(`${one}\n\n${one}\n`)).toHaveLength(2);
    expect(() => parseAgentTraces(`${one}\n{oops\n`)).toThrow(/^line 2: not JSON/);
    expect(() => parseAgentTraces('')).toThrow(AgentTraceError);
  });
});

describe('what an imported trace claims', () => {
  const cursorFile: TraceFile = {
    path: 'src/app.ts',
    conversations: [
      { contributor: { type: 'ai', model_id: 'anthropic/claude-opus-4-5-20251101' }, ranges: [{ start_line: 2, end_line: 3 }, { start_line: 9, end_line: 12 }] },
      { contributor: { type: 'human' }, ranges: [{ start_line: 1, end_line: 1 }, { start_line: 3, end_line: 3 }] },
      { contributor: { type: 'mixed' }, ranges: [{ start_line: 4, end_line: 4 }] },
    ],
  };
  const source = 'import x\nconst a = 1\nconst b = 2\nlet c\nend\n';

  it('claims whole lines; lines claimed twice over, mixed or outside the file claim nothing, and say so', () => {
    const claims = fileClaims(cursorFile, source, { signer: ada.did, contentId: contentCid(utf8Encode(source)).toString() });
    expect(claims.source).toBe('lines');
    expect(claims.mixedLines).toBe(1);
    expect(claims.spans.map((s) => [source.slice(s.start, s.end), s.claim.class, s.claim.agent?.type === 'ai' ? s.claim.agent.model : undefined])).toEqual([
      ['import x\n', 'human', undefined],
      ['const a = 1\n', 'ai', { provider: 'anthropic', name: 'claude-opus-4-5-20251101', version: 'unspecified' }],
    ]);
    expect(claims.notes.join('\n')).toMatch(/1 range\(s\) lie outside the file \(5 lines\)/);
    expect(claims.notes.join('\n')).toMatch(/1 line\(s\) are claimed for different contributors/);
  });

  it('fills only unknown text; text Colophon knows keeps its author, and a differing claim is a disagreement', () => {
    const map = new TextAuthorshipMap();
    const human = { class: 'human' as const, who: ada.did, evidence: 'typed' as const };
    map.apply({ pos: 0, del: 0, ins: 'import x\n'.length }, { class: 'unknown', who: '' });
    map.apply({ pos: map.length, del: 0, ins: 'const a = 1\n'.length }, human);
    map.apply({ pos: map.length, del: 0, ins: source.length - map.length }, { class: 'unknown', who: '' });
    const claims = fileClaims(cursorFile, source, { signer: ada.did, contentId: 'other' });
    const plan = planClaims(map, source, claims.spans);
    expect(plan.filled).toBe('import x\n'.length);
    expect(plan.groups.map((g) => [g.claim.class, g.spans])).toEqual([['human', [[0, 9]]]]);
    expect(plan.disputed).toBe('const a = 1\n'.length);
    expect(plan.disagreements).toEqual([{ startLine: 2, endLine: 2, trace: 'anthropic/claude-opus-4-5-20251101@unspecified', colophon: 'human', evidence: 'typed' }]);
  });

  it('uses dev.colophon runs only for the text they describe and only when they give the same ranges', () => {
    const trace = exportTrace();
    const dev = readDevColophon(trace)!;
    const [file] = trace.files;
    const exact = fileClaims(file!, text, { signer: ada.did, contentId: attribution.out!.toString(), dev });
    expect(exact.source).toBe('runs');
    expect(exact.spans.map((s) => s.claim.class)).toEqual(['human', 'ai', 'human', 'ai', 'tool', 'paste']);
    const otherVersion = fileClaims(file!, text, { signer: ada.did, contentId: 'bafkother', dev });
    expect(otherVersion.source).toBe('lines');
    const tampered = structuredClone(trace);
    tampered.files[0]!.conversations[1]!.ranges[1]!.contributor = { type: 'human' };
    const edited = fileClaims(tampered.files[0]!, text, { signer: ada.did, contentId: attribution.out!.toString(), dev });
    expect(edited.source).toBe('lines');
    expect(edited.notes.join('\n')).toMatch(/do not give the trace's own ranges/);
    // Someone else's human text comes in as pasted by the importer.
    const bo = identityFromSeed(new Uint8Array(32).fill(42));
    const foreign = fileClaims(file!, text, { signer: bo.did, contentId: attribution.out!.toString(), dev });
    expect(foreign.spans.filter((s) => s.claim.class === 'human')).toEqual([]);
    expect(foreign.notes.join('\n')).toMatch(/typed by another person are recorded as pasted by you/);
  });
});

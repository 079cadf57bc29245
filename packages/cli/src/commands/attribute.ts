import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  AUTHOR_CLASSES,
  contentCid,
  loadAssetHistory,
  assetAttribution,
  utf8Decode,
  verifyTextAuthorship,
  type AssetAttribution,
  type Author,
  type AuthorClass,
  type CID,
  type ContributorShare,
  type TextAuthorshipMap,
} from '@colophon/core';
import { percent } from '@colophon/core/report';
import { who } from '../describe.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { counted, printJson, shortCid, type Io } from '../output.js';
import { identityNames, openWorkspace } from '../workspace.js';

export interface AttributeOptions {
  asset: string;
  json?: boolean;
  /** The asset's current content: a text map is verified against it, other kinds by content id. */
  file?: string;
}

/** What --file was checked against, and how it came out. */
interface FileCheck {
  file: string;
  ok: boolean;
  /** 'map': the text map (content id and length); 'content': only the latest out. */
  against: 'map' | 'content';
  problems: string[];
  expected?: CID;
  actual?: CID;
}

const MARK: Record<AuthorClass, string> = { human: 'h', ai: 'a', tool: 't', pasted: 'p', unknown: '?' };
const CLASS_LABEL: Record<AuthorClass, string> = { human: 'human', ai: 'AI', tool: 'tool', pasted: 'pasted', unknown: 'unknown' };
const BAR_WIDTH = 20;
const STRIP_WIDTH = 64;
const PREVIEW_LINES = 8;
const PREVIEW_COLUMNS = 72;

/** `colophon attribute --asset A [--json] [--file F]`: who made the asset, from its records. */
export async function attribute(cwd: string, options: AttributeOptions, io: Io): Promise<void> {
  if (!options.asset) throw new UsageError('give the asset: --asset file:chapters/03.md');
  const ws = await openWorkspace(cwd);
  const bytes = options.file === undefined ? undefined : await readInput(cwd, options.file);
  const entries = await loadAssetHistory(ws.feeds, options.asset);
  if (!entries.some((e) => e.record.asset === options.asset)) throw new UsageError(await unknownAssetMessage(ws.feeds.records(), options.asset));
  const result = assetAttribution(entries, { asset: options.asset });
  const check = bytes && options.file !== undefined ? checkFile(result, options.file, bytes) : undefined;
  const names = await identityNames(ws.keys);
  if (options.json) printJson(io, jsonView(result, names, check));
  else render(io, result, names, check, bytes && check?.ok && check.against === 'map' ? utf8Decode(bytes) : undefined);
  if (check && !check.ok) throw new CheckFailedError(`${options.file} does not match the records of ${options.asset}: ${check.problems.join('; ')}`);
}

async function readInput(cwd: string, file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(resolve(cwd, file)));
  } catch {
    throw new UsageError(`cannot read --file ${file}`);
  }
}

async function unknownAssetMessage(records: AsyncIterable<{ record: { asset?: string } }>, asset: string): Promise<string> {
  const assets = new Set<string>();
  for await (const { record } of records) if (record.asset) assets.add(record.asset);
  const known = [...assets].sort();
  return `no records for asset "${asset}"; ${known.length ? `assets with records: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : 'no record names an asset yet'}`;
}

/** A text map is checked against the file's text; other kinds can only compare content ids. */
function checkFile(result: AssetAttribution, file: string, bytes: Uint8Array): FileCheck {
  if (result.kind === 'text' && result.textMap) {
    let text: string;
    try {
      text = utf8Decode(bytes);
    } catch (error) {
      return { file, ok: false, against: 'map', problems: [`it is not UTF-8 text (${(error as Error).message})`] };
    }
    const v = verifyTextAuthorship(result.textMap, text, result.out);
    return { file, ok: v.ok, against: 'map', problems: v.problems, ...(v.expected && { expected: v.expected }), ...(v.actual && { actual: v.actual }) };
  }
  const actual = contentCid(bytes);
  const problems: string[] = [];
  if (!result.out) problems.push('no record of the asset names its content (out)');
  else if (!actual.equals(result.out)) problems.push(`its content id ${actual} is not the latest recorded out ${result.out}`);
  return { file, ok: problems.length === 0, against: 'content', problems, actual, ...(result.out && { expected: result.out }) };
}

function personOrAgent(share: Pick<ContributorShare, 'class' | 'who'>, names: Map<string, string>): string {
  if (share.class === 'unknown') return 'unknown';
  if (share.class === 'human' || share.class === 'pasted') return who(share.who, names);
  return share.who;
}

function authorView(author: Author, names: Map<string, string>): Record<string, unknown> {
  const view: Record<string, unknown> = { class: author.class, who: author.who };
  const name = names.get(author.who);
  if (name) view.name = name;
  if (author.record) view.record = author.record;
  return view;
}

function jsonView(result: AssetAttribution, names: Map<string, string>, check: FileCheck | undefined): Record<string, unknown> {
  const view: Record<string, unknown> = {
    asset: result.asset,
    kind: result.kind,
    unit: result.unit,
    total: result.total,
    humanShare: result.humanShare,
    digitalSourceType: result.digitalSourceType ?? null,
    sourceTypeRule: result.sourceTypeRule,
    shares: {
      byClass: result.shares.byClass,
      unitsByClass: result.shares.unitsByClass,
      byContributor: result.shares.byContributor.map((c) => (names.has(c.who) ? { ...c, name: names.get(c.who) } : c)),
    },
    out: result.out ?? null,
    records: result.records,
    concurrent: result.concurrent,
    notes: result.notes,
  };
  // evidence: how the record that wrote the run says its class was observed (null: it does not say).
  if (result.textMap) view.runs = result.textMap.runs().map((r) => ({ start: r.start, length: r.length, ...authorView(r.author, names), evidence: r.author.evidence ?? null }));
  if (result.nodeMap) {
    view.nodes = result.nodeMap.nodes().map((n) => ({
      id: n.id,
      ...(n.createdBy && { createdBy: authorView(n.createdBy, names) }),
      properties: n.properties.map((p) => ({ property: p.name, ...authorView(p.author, names) })),
    }));
  }
  if (result.steps) view.steps = result.steps.map((s) => ({ record: s.record, ...authorView(s.author, names) }));
  if (check) view.file = check;
  return view;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

const bar = (share: number): string => {
  const full = Math.round(share * BAR_WIDTH);
  return `${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)}`;
};
const UNIT_WORDS = { characters: ['character', 'characters'], properties: ['property', 'properties'], steps: ['step', 'steps'] } as const;

function render(io: Io, result: AssetAttribution, names: Map<string, string>, check: FileCheck | undefined, text: string | undefined): void {
  const size =
    result.kind === 'text'
      ? `text, ${result.total.toLocaleString('en')} characters in ${counted(result.textMap!.runCount, 'run')}`
      : result.kind === 'nodes'
        ? `design nodes, ${plural(result.total, 'property', 'properties')} on ${plural(result.nodeMap!.nodes().length, 'node')}`
        : plural(result.total, 'recorded step');
  io.out(`${result.asset} — ${size}, from ${plural(result.records.length, 'record')}`);
  if (result.out) io.out(`  content id ${result.out}`);
  io.out('');
  if (result.total === 0) io.out('  Nothing attributable: the asset is empty.');
  for (const cls of AUTHOR_CLASSES) {
    const units = result.shares.unitsByClass[cls];
    if (units === 0) continue;
    io.out(`  ${CLASS_LABEL[cls].padEnd(8)} ${bar(result.shares.byClass[cls])} ${percent(result.shares.byClass[cls]).padStart(6)}  ${plural(units, UNIT_WORDS[result.unit][0], UNIT_WORDS[result.unit][1])}`);
  }
  if (result.shares.byContributor.length > 0) {
    io.out('');
    io.out('  Contributors');
    const labels = result.shares.byContributor.map((c) => `${personOrAgent(c, names)}${c.class === 'human' ? '' : ` (${CLASS_LABEL[c.class]}${c.class === 'pasted' ? ' by them' : ''})`}`);
    const width = Math.min(48, Math.max(...labels.map((l) => l.length)));
    result.shares.byContributor.forEach((c, i) => io.out(`    ${labels[i]!.padEnd(width)}  ${percent(c.share).padStart(6)}`));
  }
  io.out('');
  io.out(`  Human share ${percent(result.humanShare)} · digital source type: ${result.digitalSourceType ? result.digitalSourceType.replace(/^.*\//, '') : 'none claimed'}`);
  io.out(`    ${result.sourceTypeRule}${result.digitalSourceType ? ` (${result.digitalSourceType})` : ''}`);
  if (result.textMap && result.total > 0) renderText(io, result.textMap, text);
  if (result.nodeMap) renderNodes(io, result, names);
  if (result.steps) renderSteps(io, result, names);
  if (result.concurrent.length > 0) {
    const first = result.concurrent[0]!;
    io.out(
      `  note: ${plural(result.concurrent.length, 'edit was', 'edits were')} made without seeing the edit before (first: ${shortCid(first.record)} did not link ${shortCid(first.previous)}); their positions were applied as recorded${check ? '' : ' — check the result with --file'}`,
    );
  }
  for (const note of result.notes) io.out(`  note: ${note}`);
  if (check) {
    io.out('');
    io.out(check.ok ? `  ✓ ${check.file} matches ${check.against === 'map' ? 'the map: same content id as the last record, same length' : 'the latest recorded content id'}` : `  ✗ ${check.file} does not match: ${check.problems.join('; ')}`);
  }
}

/** A legend, then the first lines of the text with a mark under each character; without the text, a strip of the whole map. */
function renderText(io: Io, map: TextAuthorshipMap, text: string | undefined): void {
  const used = new Set(map.runs().map((r) => r.author.class));
  const legend = AUTHOR_CLASSES.filter((c) => used.has(c))
    .map((c) => `${MARK[c]} ${CLASS_LABEL[c]}`)
    .join(' · ');
  io.out('');
  if (!text) {
    io.out(`  Map of the whole text, ${STRIP_WIDTH} columns, each its main author (${legend}):`);
    io.out(`    ▕${strip(map)}▏`);
    io.out('    (give --file with the text to see it marked line by line)');
    return;
  }
  io.out(`  The first lines, each character marked by its author (${legend}):`);
  let lineStart = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop(); // a final newline ends the last line; it starts none
  for (let i = 0; i < lines.length && i < PREVIEW_LINES; i++) {
    const line = lines[i]!;
    const cut = line.length > PREVIEW_COLUMNS ? PREVIEW_COLUMNS - 1 : line.length;
    io.out(`    ${printable(line.slice(0, cut))}${cut < line.length ? '…' : ''}`);
    if (line.length > 0) io.out(`    ${marks(map, text, lineStart, lineStart + cut)}${cut < line.length ? '…' : ''}`);
    lineStart += line.length + 1;
  }
  if (lines.length > PREVIEW_LINES) io.out(`    … ${lines.length - PREVIEW_LINES} more lines`);
}

/**
 * One mark per character as a terminal shows it: the second half of a surrogate pair (an emoji
 * is two UTF-16 units) gets no mark of its own, so marks stay under their characters.
 */
function marks(map: TextAuthorshipMap, text: string, from: number, to: number): string {
  const perUnit: string[] = [];
  map.forEachRun((_, length, author) => {
    for (let k = 0; k < length; k++) perUnit.push(MARK[author.class]);
  }, from, to);
  let out = '';
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (i > from && code >= 0xdc00 && code <= 0xdfff) continue;
    out += perUnit[i - from]!;
  }
  return out;
}

/** Tabs, carriage returns and other controls shown as one space each, so marks stay aligned. */
function printable(line: string): string {
  return line.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

function strip(map: TextAuthorshipMap): string {
  const cells = Array.from({ length: STRIP_WIDTH }, () => new Map<AuthorClass, number>());
  const total = map.length;
  map.forEachRun((start, length, author) => {
    for (let c = Math.floor((start * STRIP_WIDTH) / total); c < STRIP_WIDTH && (c * total) / STRIP_WIDTH < start + length; c++) {
      const lo = Math.max(start, (c * total) / STRIP_WIDTH);
      const hi = Math.min(start + length, ((c + 1) * total) / STRIP_WIDTH);
      if (hi > lo) cells[c]!.set(author.class, (cells[c]!.get(author.class) ?? 0) + hi - lo);
    }
  });
  return cells.map((cell) => MARK[[...cell].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown']).join('');
}

function renderNodes(io: Io, result: AssetAttribution, names: Map<string, string>): void {
  const nodes = result.nodeMap!.nodes();
  io.out('');
  io.out('  Last writer per node and property:');
  for (const node of nodes.slice(0, 12)) {
    const props = node.properties.map((p) => `${p.name}: ${personOrAgent(p.author, names)}`).join(' · ');
    io.out(`    ${node.id.padEnd(10)} ${props || '(no properties recorded)'}`);
  }
  if (nodes.length > 12) io.out(`    … ${nodes.length - 12} more nodes`);
}

function renderSteps(io: Io, result: AssetAttribution, names: Map<string, string>): void {
  io.out('');
  io.out('  Steps:');
  for (const step of result.steps!.slice(-12)) io.out(`    ${shortCid(step.record)}  ${CLASS_LABEL[step.author.class].padEnd(8)} ${personOrAgent(step.author, names)}`);
}

// colophon trace | blame | diverge | runs, and the standard exports (export prov | intoto).
// The answers are computed by @colophon/core's lineage module; this file reads the workspace,
// parses options and words the results for people (or prints them as JSON).
import type { Command } from 'commander';
import {
  AttributionError,
  LedgerView,
  LineageError,
  assetAttribution,
  blame,
  diverge,
  lineageOf,
  lineageStatement,
  listRuns,
  provDocument,
  signStatement,
  traceTarget,
  type AssetAttribution,
  type BlameResult,
  type CID,
  type ContentPreview,
  type DivergeResult,
  type LedgerEntry,
  type LineageGraph,
  type StepInputs,
} from '@colophon/core';
import { translateErrors, UsageError } from '../errors.js';
import { asOption, forceOption, jsonOption } from '../options.js';
import { writeOrPrint } from '../output-file.js';
import { formatTime, printJson, shortCid, toJsonValue, type Io } from '../output.js';
import { agentLabel, checkLabel, formatMs, nodeFacts, oneLine, tokensLabel } from '@colophon/core/report';
import { cidArgument, identityNames, openWorkspace, signingIdentity, type Workspace } from '../workspace.js';


/** Lineage refusals (unknown run, asset without records) are usage errors: exit 2. */
function translate<T>(work: () => Promise<T>): Promise<T> {
  return translateErrors(work, { usage: [LineageError] });
}

interface Loaded {
  ws: Workspace;
  view: LedgerView;
  names: Map<string, string>;
}

async function load(cwd: string): Promise<Loaded> {
  const ws = await openWorkspace(cwd);
  const view = await LedgerView.load(ws.feeds);
  return { ws, view, names: await identityNames(ws.keys) };
}

/** The graph to trace or export: a record by CID, or the asset's current version. */
function graphFor(view: LedgerView, target: { cid?: string; asset?: string }): LineageGraph {
  if (target.cid === undefined && target.asset === undefined) throw new UsageError('name a record CID or --asset');
  const spec: { cid?: CID; asset?: string } = {};
  if (target.cid !== undefined) spec.cid = cidArgument(target.cid, 'record CID');
  if (target.asset !== undefined) spec.asset = target.asset;
  return lineageOf(view, traceTarget(view, spec));
}

/** Attribution of the asset when it can be derived; otherwise the reason, for a note. */
export function attributionOf(view: LedgerView, asset: string | undefined): { attribution?: AssetAttribution; note?: string } {
  if (asset === undefined) return {};
  try {
    return { attribution: assetAttribution(view.ordered, { asset }) };
  } catch (error) {
    if (error instanceof AttributionError) return { note: `no attribution: ${error.message}` };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// colophon trace

export interface TraceOptions {
  asset?: string;
  json?: boolean;
}

function traceJson(graph: LineageGraph, names: Map<string, string>): unknown {
  const number = new Map(graph.nodes.map((n, i) => [n.cid.toString(), i + 1]));
  return {
    target: graph.target.cid,
    asset: graph.asset,
    nodes: graph.nodes.map((node, i) => {
      const facts = nodeFacts(node, names);
      return {
        n: i + 1,
        cid: node.cid,
        kind: node.record.kind,
        title: facts.title,
        by: node.record.by,
        byName: names.get(node.record.by),
        at: new Date(node.record.at).toISOString(),
        agent: node.record.agent,
        run: facts.run,
        ms: facts.ms,
        tokens: facts.tokens,
        error: facts.error,
        prompt: node.record.intent,
        in: node.record.in,
        out: node.record.out,
        from: graph.edges.filter((e) => e.to.equals(node.cid)).map((e) => ({ n: number.get(e.from.toString()), cid: e.from, type: e.type })),
        checks: (graph.checks.get(node.cid.toString()) ?? []).map((c) => ({ cid: c.entry.cid, ...c.result })),
      };
    }),
    edges: graph.edges,
    missing: graph.missing,
    truncated: graph.truncated,
  };
}

export function traceLines(graph: LineageGraph, names: Map<string, string>): string[] {
  const lines: string[] = [];
  const target = nodeFacts(graph.target, names);
  lines.push(`Lineage of ${graph.asset ?? 'record'} ${shortCid(graph.target.cid)} (${target.title} by ${target.by}, ${formatTime(graph.target.record.at)}): ${graph.nodes.length} records`);
  const number = new Map(graph.nodes.map((n, i) => [n.cid.toString(), i + 1]));
  const width = String(graph.nodes.length).length;
  graph.nodes.forEach((node, i) => {
    const facts = nodeFacts(node, names);
    const head = [`[${String(i + 1).padStart(width)}] ${facts.title}`];
    if (facts.agent) head.push(facts.agent + (facts.params ? ` (${facts.params})` : ''));
    head.push(facts.actor === 'human' ? `${facts.by}${node.record.kind.startsWith('asset.') ? ', by hand' : ''}` : `signed by ${facts.by}`);
    lines.push('');
    lines.push(head.join(' · '));
    const indent = ' '.repeat(width + 3);
    const detail: string[] = [formatTime(node.record.at)];
    const from = graph.edges.filter((e) => e.to.equals(node.cid));
    if (from.length > 0) detail.push(`from ${from.map((e) => `[${number.get(e.from.toString())}]${e.type === 'link' ? '' : ` (${e.type === 'input' ? 'its output' : 'previous version'})`}`).join(', ')}`);
    if (facts.run) detail.push(`run ${facts.run}`);
    if (facts.ms !== undefined) detail.push(formatMs(facts.ms));
    const tokens = tokensLabel(facts.tokens);
    if (tokens) detail.push(tokens);
    lines.push(`${indent}${detail.join(' · ')}`);
    if (facts.prompt !== undefined) lines.push(`${indent}${node.record.kind === 'intent' ? 'brief' : 'prompt'}: ${facts.prompt === null ? '(private: only its commitment is on the ledger)' : `"${oneLine(facts.prompt, 100)}"`}`);
    if (facts.error) lines.push(`${indent}FAILED: ${oneLine(facts.error, 120)}`);
    for (const check of graph.checks.get(node.cid.toString()) ?? []) lines.push(`${indent}${checkLabel(check.result)}  (check ${shortCid(check.entry.cid)})`);
    lines.push(`${indent}${node.cid}${node === graph.target ? '  ← this version' : ''}`);
  });
  if (graph.missing.length > 0) lines.push('', `${graph.missing.length} linked record(s) are not in this ledger: ${graph.missing.slice(0, 3).map(String).join(', ')}${graph.missing.length > 3 ? ', …' : ''}`);
  if (graph.truncated) lines.push('', 'The lineage is longer than shown (cut at the node limit).');
  return lines;
}

export async function trace(cwd: string, cid: string | undefined, options: TraceOptions, io: Io): Promise<void> {
  if (cid !== undefined && options.asset !== undefined) throw new UsageError('give a record CID or --asset, not both');
  const { view, names } = await load(cwd);
  const graph = await translate(async () => graphFor(view, { ...(cid !== undefined ? { cid } : {}), ...(options.asset !== undefined ? { asset: options.asset } : {}) }));
  if (options.json) return printJson(io, traceJson(graph, names));
  for (const line of traceLines(graph, names)) io.out(line);
}

// ---------------------------------------------------------------------------------------------
// colophon blame

export interface BlameCliOptions {
  asset: string;
  check: string;
  threshold?: string;
  json?: boolean;
}

function stepName(entry: LedgerEntry, names: Map<string, string>): string {
  const facts = nodeFacts(entry, names);
  return facts.kind === 'agent.step' ? facts.title : `${facts.title} by ${facts.by}`;
}

function preview(content: ContentPreview | { text: string; committed: false }): string {
  if ('unavailable' in content && content.unavailable === 'not-in-blob-store') return `(private, by commitment ${shortCid(content.cid!)}; its opening is not in this machine's blob store)`;
  if ('unavailable' in content && content.unavailable === 'binary') return `(binary content ${shortCid(content.cid!)})`;
  const text = `"${oneLine(content.text ?? '', 160)}"`;
  return content.committed ? `${text}  (private: opened from this machine's blob store)` : text;
}

export function inputLines(inputs: StepInputs, names: Map<string, string>): string[] {
  const lines: string[] = [];
  if (inputs.agent) lines.push(`  agent    ${agentLabel(inputs.agent)}${inputs.agent.type === 'ai' && inputs.agent.params ? ` (${Object.entries(inputs.agent.params).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')})` : ''}`);
  if (inputs.prompt) lines.push(`  prompt   ${preview(inputs.prompt)}`);
  for (const input of inputs.inputs) {
    const from = input.producer ? `output of ${stepName(input.producer, names)}` : `content ${shortCid(input.content.cid)}`;
    lines.push(`  input    ${from}: ${preview(input.content)}`);
  }
  if (inputs.parents.length > 0) lines.push(`  links    ${inputs.parents.map((p) => stepName(p, names)).join(', ')}`);
  if (inputs.output) lines.push(`  output   ${preview(inputs.output)}`);
  return lines;
}

function blameLines(result: BlameResult, names: Map<string, string>): string[] {
  const { check, asset } = result;
  if (result.verdict === 'no-checks') return [`No "${check}" check about ${asset} was recorded.`];
  const judged = result.threshold === undefined ? '' : ` (judged against threshold ${result.threshold})`;
  const history = [
    '',
    `History of "${check}"${judged}:`,
    ...result.history.map((c) => `  ${c.failing ? '✗' : '✓'} ${String(c.result.score).padEnd(6)} after ${stepName(c.step, names)}  ${shortCid(c.step.cid)}`),
  ];
  if (result.verdict === 'never-failed') return [`Check "${check}" never failed on ${asset}${judged} (${result.history.length} result(s)).`, ...history];
  const culprit = result.culprit!;
  const lines = [
    `Check "${check}" on ${asset} first failed after ${stepName(culprit.step, names)} (${culprit.step.cid})${judged}.`,
    `  score ${culprit.result.score}${culprit.result.threshold !== undefined ? `, threshold ${culprit.result.threshold}` : ''} — check record ${shortCid(culprit.check.cid)}`,
  ];
  if (result.lastGood) lines.push(`  it last passed after ${stepName(result.lastGood.step, names)} (score ${result.lastGood.result.score})`);
  else lines.push('  it never passed before');
  if (result.suspects.length > 1) lines.push(`  the change came in with one of: ${result.suspects.map((s) => stepName(s, names)).join(', ')}`);
  if (result.recovered) lines.push(`  it passed again after ${stepName(result.recovered.step, names)} (score ${result.recovered.result.score})`);
  if (result.inputs) lines.push('', `What went into ${stepName(culprit.step, names)}:`, ...inputLines(result.inputs, names));
  return [...lines, ...history];
}

/** A record in JSON answers: its id and what it is, not its whole body (colophon show has that). */
function ref(entry: LedgerEntry | undefined, names: Map<string, string>): unknown {
  if (!entry) return undefined;
  const facts = nodeFacts(entry, names);
  return { cid: entry.cid, kind: entry.record.kind, title: facts.title, by: entry.record.by, at: new Date(entry.record.at).toISOString() };
}

function blameJson(result: BlameResult, names: Map<string, string>): unknown {
  const point = (c: BlameResult['culprit']) => c && { check: c.check.cid, step: ref(c.step, names), ...c.result, failing: c.failing };
  const inputs = result.inputs && {
    step: ref(result.inputs.record, names),
    agent: result.inputs.agent,
    prompt: result.inputs.prompt,
    inputs: result.inputs.inputs.map((i) => ({ ...i.content, producer: ref(i.producer, names) })),
    links: result.inputs.parents.map((p) => ref(p, names)),
    output: result.inputs.output,
  };
  return {
    asset: result.asset,
    check: result.check,
    threshold: result.threshold,
    verdict: result.verdict,
    culprit: point(result.culprit),
    lastGood: point(result.lastGood),
    recovered: point(result.recovered),
    suspects: result.suspects.map((s) => ref(s, names)),
    inputs,
    history: result.history.map((c) => point(c)),
  };
}

export async function blameCommand(cwd: string, options: BlameCliOptions, io: Io): Promise<void> {
  let threshold: number | undefined;
  if (options.threshold !== undefined) {
    threshold = Number(options.threshold);
    if (options.threshold.trim() === '' || !Number.isFinite(threshold)) throw new UsageError(`--threshold "${options.threshold}" must be a number, e.g. 0.8`);
  }
  const { ws, view, names } = await load(cwd);
  const result = await translate(() => blame(view, { asset: options.asset, check: options.check, blobs: ws.blobs, ...(threshold !== undefined ? { threshold } : {}) }));
  if (options.json) return printJson(io, blameJson(result, names));
  for (const line of blameLines(result, names)) io.out(line);
}

// ---------------------------------------------------------------------------------------------
// colophon diverge

function divergeLines(result: DivergeResult, names: Map<string, string>): string[] {
  const head = `Runs ${result.runA} (${result.stepsA} steps) and ${result.runB} (${result.stepsB} steps)`;
  const uncertain = result.pairs.flatMap((p) => p.uncertain.map((u) => `  ${p.key}: ${u.field} — ${u.note}`));
  const tail = uncertain.length > 0 ? ['', 'Could not compare:', ...uncertain] : [];
  if (!result.first) return [`${head} match step for step (${result.pairs.length} compared).`, ...tail];
  const first = result.first;
  const lines = [`${head} first differ at step "${first.key}":`];
  const width = Math.max(...first.differences.map((d) => d.field.length));
  for (const d of first.differences) {
    lines.push(`  ${d.field.padEnd(width)}  ${d.a ?? ''}  →  ${d.b ?? ''}${d.at !== undefined ? `  (from character ${d.at})` : ''}`);
    if (d.note) lines.push(`  ${' '.repeat(width)}  ${d.note}`);
  }
  if (first.a) lines.push(`  in ${result.runA}: ${shortCid(first.a.cid)}${first.a.record.agent ? ` (${agentLabel(first.a.record.agent)}, signed by ${nodeFacts(first.a, names).by})` : ''}`);
  if (first.b) lines.push(`  in ${result.runB}: ${shortCid(first.b.cid)}${first.b.record.agent ? ` (${agentLabel(first.b.record.agent)}, signed by ${nodeFacts(first.b, names).by})` : ''}`);
  const same = result.pairs.slice(0, -1).map((p) => p.key);
  lines.push(same.length > 0 ? `Steps before it match: ${same.join(', ')}.` : 'It is the first step.');
  return [...lines, ...tail];
}

export async function divergeCommand(cwd: string, runA: string, runB: string, options: { json?: boolean }, io: Io): Promise<void> {
  const { ws, view, names } = await load(cwd);
  const result = await translate(() => diverge(view, runA, runB, { blobs: ws.blobs }));
  if (options.json) {
    const pair = (p: DivergeResult['pairs'][number]) => ({ key: p.key, a: ref(p.a, names), b: ref(p.b, names), differences: p.differences, uncertain: p.uncertain });
    return printJson(io, { runA: result.runA, runB: result.runB, stepsA: result.stepsA, stepsB: result.stepsB, identical: result.first === undefined, first: result.first && pair(result.first), pairs: result.pairs.map(pair) });
  }
  for (const line of divergeLines(result, names)) io.out(line);
}

// ---------------------------------------------------------------------------------------------
// colophon runs

export async function runsCommand(cwd: string, options: { json?: boolean }, io: Io): Promise<void> {
  const { view } = await load(cwd);
  const runs = listRuns(view);
  if (options.json) return printJson(io, runs);
  if (runs.length === 0) return io.out('No pipeline runs recorded yet.');
  const width = Math.max(...runs.map((r) => r.id.length));
  for (const run of runs) {
    const checks = run.checks > 0 ? ` · ${run.checks} check(s)${run.failedChecks > 0 ? `, ${run.failedChecks} failed` : ''}` : '';
    const failed = run.failedSteps > 0 ? ` · ${run.failedSteps} step(s) failed` : '';
    io.out(`${run.id.padEnd(width)}  ${formatTime(run.first)} · ${run.steps} step(s)${checks}${failed} · ${oneLine(run.names.join(' → '), 80)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// colophon export prov | intoto

export interface ExportLineageOptions {
  asset?: string;
  record?: string;
  out?: string;
  force?: boolean;
  as?: string;
  json?: boolean;
}

/** `colophon export prov --asset A [--out FILE]`: W3C PROV-JSON of the asset version's lineage. */
export async function exportProv(cwd: string, options: ExportLineageOptions, io: Io): Promise<void> {
  const { view, names } = await load(cwd);
  const graph = await translate(async () => graphFor(view, { ...(options.record !== undefined ? { cid: options.record } : {}), ...(options.asset !== undefined ? { asset: options.asset } : {}) }));
  const { attribution } = attributionOf(view, graph.asset);
  const doc = provDocument(graph, { names, ...(attribution ? { attribution } : {}) });
  const path = await writeOrPrint(cwd, options.out, JSON.stringify(doc, null, 2), io, options.force);
  if (path === undefined) return;
  const counts = { entities: Object.keys(doc.entity).length, activities: Object.keys(doc.activity).length, agents: Object.keys(doc.agent).length };
  if (options.json) return printJson(io, { file: path, target: graph.target.cid, ...counts });
  io.out(`Wrote W3C PROV-JSON of ${graph.asset ?? 'record'} ${shortCid(graph.target.cid)} to ${path}: ${counts.entities} entities, ${counts.activities} activities, ${counts.agents} agents.`);
}

/** `colophon export intoto --asset A [--out FILE] [--as NAME]`: an in-toto Statement in a DSSE envelope signed by the identity. */
export async function exportIntoto(cwd: string, options: ExportLineageOptions, io: Io): Promise<void> {
  const { ws, view, names } = await load(cwd);
  const { name, identity } = await signingIdentity(ws, options.as);
  const graph = await translate(async () => graphFor(view, { ...(options.record !== undefined ? { cid: options.record } : {}), ...(options.asset !== undefined ? { asset: options.asset } : {}) }));
  const { attribution, note } = attributionOf(view, graph.asset);
  const statement = await translate(async () => lineageStatement({ graph, project: { genesis: ws.project.id, name: ws.project.name }, names, ...(attribution ? { attribution } : {}) }));
  const envelope = signStatement(statement, identity);
  const path = await writeOrPrint(cwd, options.out, JSON.stringify(envelope), io, options.force);
  if (path === undefined) return;
  if (options.json) return printJson(io, toJsonValue({ file: path, subject: statement.subject, predicateType: statement.predicateType, signer: identity.did }));
  io.out(`Wrote an in-toto statement about ${statement.subject[0]!.name} (sha256 ${statement.subject[0]!.digest.sha256!.slice(0, 16)}…) to ${path}, signed by ${name} (${identity.did}).`);
  if (note) io.out(`Note: ${note}`);
}

// ---------------------------------------------------------------------------------------------

/** Adds trace, blame, diverge and runs to the program. */
export function registerLineageCommands(program: Command, cwd: string, io: Io): void {
  program
    .command('trace [cid]')
    .description('where an asset version came from: intents, agent steps, human edits and checks, oldest first')
    .option('--asset <asset>', "trace the asset's current version, e.g. file:post.md")
    .addOption(jsonOption())
    .action((cid: string | undefined, o: TraceOptions) => trace(cwd, cid, o, io));
  program
    .command('blame')
    .description('the first step after which a check failed (or its score fell below a threshold), and what went into it')
    .requiredOption('--asset <asset>', 'the asset, e.g. file:post.md')
    .requiredOption('--check <name>', 'the check, e.g. brand')
    .option('--threshold <score>', "judge by this pass mark instead of each check's own")
    .addOption(jsonOption())
    .action((o: BlameCliOptions) => blameCommand(cwd, o, io));
  program
    .command('diverge <runA> <runB>')
    .description('two runs of a pipeline (run ids, or intent or step CIDs): the first step where they differ, and what differed')
    .addOption(jsonOption())
    .action((a: string, b: string, o: { json?: boolean }) => divergeCommand(cwd, a, b, o, io));
  program.command('runs').description('pipeline runs recorded in this project').addOption(jsonOption()).action((o: { json?: boolean }) => runsCommand(cwd, o, io));
}

/** Adds `prov` and `intoto` under an existing `export` command. */
export function registerLineageExports(exportCommand: Command, cwd: string, io: Io): void {
  exportCommand
    .command('prov')
    .description("W3C PROV-JSON of an asset version's lineage")
    .option('--asset <asset>', 'the asset (its current version)')
    .option('--record <cid>', 'a specific record instead of the current version')
    .option('--out <file>', 'where to write (default: standard output)')
    .addOption(forceOption())
    .addOption(jsonOption())
    .action((o: ExportLineageOptions) => exportProv(cwd, o, io));
  exportCommand
    .command('intoto')
    .description('an in-toto Statement (attribution and lineage of the asset version) in a DSSE envelope signed by your identity')
    .option('--asset <asset>', 'the asset (its current version)')
    .option('--record <cid>', 'a specific record instead of the current version')
    .option('--out <file>', 'where to write (default: standard output)')
    .addOption(forceOption())
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o: ExportLineageOptions) => exportIntoto(cwd, o, io));
}

// colophon contract add | gate | approve | reject | check | settle | payouts
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  ContractError,
  RoleRequiredError,
  approveAsset,
  contractFor,
  contractFromJson,
  isDidKey,
  parseCid,
  readContract,
  recordCheck,
  recordContract,
  recordGate,
  rejectAsset,
  replayGate,
  replaySettlement,
  settleAsset,
  type GateEvaluation,
  type GateVerdict,
  type PayoutRule,
  type SettleResult,
} from '@colophon/core';
import { adapterForTarget, rememberTargets, rememberedTargets, runPayouts, statementAdapter, webhookAdapter, type PayoutAdapter, type PayoutReport } from '@colophon/core/node';
import { CONTRACT_FORMAT_HELP, parseContractText, starterContract } from '../contract-file.js';
import { who } from '../describe.js';
import { CheckFailedError, translateErrors, UsageError } from '../errors.js';
import { asOption, assetOption, collect, jsonOption } from '../options.js';
import { printJson, shortCid, type Io } from '../output.js';
import { identityNames, openWorkspace, signingIdentity, type Workspace } from '../workspace.js';


/** Core's refusals become exit 2 (the command cannot be used this way); failed checks exit 1. */
function translate<T>(work: () => Promise<T>, failure: 'usage' | 'check' = 'usage'): Promise<T> {
  return translateErrors(work, failure === 'usage' ? { usage: [RoleRequiredError, ContractError] } : { usage: [RoleRequiredError], check: [ContractError] });
}

/** Minor units as the currency writes them (EUR 675.00), from ISO 4217 digits where Intl knows them. */
import { formatAmount } from '@colophon/core/report';

export { formatAmount };

function verdictLines(verdicts: GateVerdict[], descriptions: Map<string, string>): string[] {
  const width = Math.max(...verdicts.map((v) => v.name.length));
  return verdicts.map((v) => {
    const about = descriptions.get(v.name);
    return `  ${v.pass ? '✓' : '✗'} ${v.name.padEnd(width)}${about ? `  ${about}` : ''}${v.error ? ` — ${v.error}` : ''}`;
  });
}

function printEvaluation(io: Io, evaluation: GateEvaluation, gateCid: string): void {
  const { contract, verdicts } = evaluation;
  const descriptions = new Map(contract.payload.gates.map((g) => [g.name, g.description ?? g.expr]));
  io.out(`Contract "${contract.payload.name}" (${shortCid(contract.entry.cid)}) on ${evaluation.asset}${evaluation.final ? `, version ${shortCid(evaluation.final.cid)}` : ''}:`);
  for (const line of verdictLines(verdicts, descriptions)) io.out(line);
  const failed = verdicts.filter((v) => !v.pass).length;
  io.out(failed === 0 ? `All ${verdicts.length} gates pass.` : `${failed} of ${verdicts.length} gates fail.`);
  io.out(`Gate record ${gateCid} (read ${evaluation.slice.size} records; anyone can re-run it: colophon gate --replay ${gateCid})`);
}

function printSettlement(io: Io, result: SettleResult, names: Map<string, string>): void {
  const { payload } = result;
  io.out(`${result.existing ? 'Already settled' : 'Settled'}: ${formatAmount(payload.budget, payload.currency)} in settle record ${result.record.cid}`);
  const label = (payee: string) => (names.has(payee) ? `${names.get(payee)} (${payee})` : payee);
  const width = Math.max(...payload.lines.map((l) => label(l.payee).length));
  for (const line of payload.lines) io.out(`  ${label(line.payee).padEnd(width)}  ${formatAmount(line.amount, payload.currency).padStart(14)}  (${line.via.join(', ')})`);
}

function gateJson(evaluation: GateEvaluation, gateCid: unknown) {
  return {
    gate: gateCid,
    asset: evaluation.asset,
    contract: evaluation.contract.entry.cid,
    final: evaluation.final?.cid,
    pass: evaluation.pass,
    gates: evaluation.verdicts,
    read: evaluation.slice.size,
  };
}

function settlementJson(result: SettleResult) {
  return { settle: result.record.cid, existing: result.existing, ...result.payload };
}

async function open(cwd: string, asName: string | undefined): Promise<{ ws: Workspace; name: string; identity: Awaited<ReturnType<typeof signingIdentity>>['identity'] }> {
  const ws = await openWorkspace(cwd);
  const { name, identity } = await signingIdentity(ws, asName);
  return { ws, name, identity };
}

async function contractAdd(cwd: string, file: string, options: { asset?: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch {
    throw new UsageError(`cannot read contract file ${file}`);
  }
  let value: unknown;
  try {
    value = parseContractText(text, file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { ws, identity } = await open(cwd, options.as);
  await nameFixedShares(ws, value);
  const contract = await translate(async () => contractFromJson(value));
  if (options.asset) contract.asset = options.asset;
  const stored = await translate(() => recordContract(ws.project, identity, contract));
  if (options.json) return printJson(io, { cid: stored.cid, asset: contract.asset ?? null, name: contract.payload.name, gates: contract.payload.gates.map((g) => g.name), payout: contract.payload.payout ?? null });
  io.out(`Contract "${contract.payload.name}" recorded: ${stored.cid}`);
  io.out(`  governs: ${contract.asset ?? 'every asset without a contract of its own'}`);
  io.out(`  gates:   ${contract.payload.gates.map((g) => g.name).join(', ')}`);
  const payout = contract.payload.payout;
  if (payout) io.out(`  payout:  ${payoutSummary(payout, await identityNames(ws.keys))}`);
}

function payoutSummary(payout: PayoutRule, names: Map<string, string>): string {
  const fixed = Object.entries(payout.fixed ?? {}).map(([did, points]) => `${who(did, names)} ${points / 100}%`);
  return `${formatAmount(payout.budget, payout.currency)} by ${Object.entries(payout.weights).map(([c, w]) => `${c} ${w}`).join(', ')}${fixed.length > 0 ? `; fixed: ${fixed.join(', ')}` : ''}${payout.upstreamBasisPoints ? `; ${payout.upstreamBasisPoints / 100}% to ingredients` : ''}`;
}

/** People write identity names in payout.fixed; the contract records their dids. */
async function nameFixedShares(ws: Workspace, value: unknown): Promise<void> {
  const fixed = (value as { payout?: { fixed?: unknown } } | undefined)?.payout?.fixed;
  if (typeof fixed !== 'object' || fixed === null || Array.isArray(fixed)) return;
  const named: Record<string, unknown> = {};
  for (const [key, points] of Object.entries(fixed)) {
    if (isDidKey(key)) named[key] = points;
    else {
      const did = (await ws.keys.get(key))?.did;
      if (!did) throw new UsageError(`payout.fixed names "${key}", which is neither a did:key nor an identity on this machine`);
      named[did] = points;
    }
  }
  (value as { payout: { fixed: unknown } }).payout.fixed = named;
}

async function contractInit(cwd: string, file: string | undefined, options: { asset?: string }, io: Io): Promise<void> {
  const path = resolve(cwd, file ?? 'contract.jsonc');
  try {
    await writeFile(path, starterContract(options.asset), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${path} exists; not overwritten (give another file name)`);
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`);
  }
  io.out(`Wrote a starting contract to ${path}: edit it, then record it with "colophon contract add ${file ?? 'contract.jsonc'}".`);
}

async function contractShow(cwd: string, options: { asset: string; json?: boolean }, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  const entry = await contractFor(ws.feeds, options.asset, ws.project.owner);
  if (!entry) throw new CheckFailedError(`no contract governs asset "${options.asset}"`);
  const contract = await translate(async () => readContract(entry), 'check');
  if (options.json) return printJson(io, { cid: entry.cid, asset: entry.record.asset ?? null, ...contract.payload });
  io.out(`Contract "${contract.payload.name}" (${entry.cid}) governs ${options.asset}${entry.record.asset ? '' : ' (project-wide)'}:`);
  for (const gate of contract.payload.gates) io.out(`  ${gate.name}: ${gate.expr}${gate.description ? `  — ${gate.description}` : ''}`);
  const payout = contract.payload.payout;
  if (payout) io.out(`  payout: ${payoutSummary(payout, await identityNames(ws.keys))}`);
}

async function replay(cwd: string, cidText: string, options: { json?: boolean }, io: Io): Promise<void> {
  let cid;
  try {
    cid = parseCid(cidText, '--replay');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const ws = await openWorkspace(cwd);
  const found = await ws.feeds.get(cid);
  if (!found) throw new UsageError(`record ${cid} is not in this project`);
  if (found.record.kind !== 'gate' && found.record.kind !== 'settle') throw new UsageError(`record ${cid} is a ${found.record.kind} record; --replay takes a gate or settle record`);
  const report: { ok: boolean; differences: string[] } = await translate(
    async () => (found.record.kind === 'gate' ? await replayGate(found, ws.feeds) : await replaySettlement(found, ws.feeds)),
    'check',
  );
  if (options.json) printJson(io, { kind: found.record.kind, ...report });
  else {
    io.out(report.ok ? `Replayed ${found.record.kind} record ${cid}: same result.` : `Replayed ${found.record.kind} record ${cid}: DIFFERENT.`);
    for (const difference of report.differences) io.out(`  ✗ ${difference}`);
  }
  if (!report.ok) throw new CheckFailedError('');
}

async function gate(cwd: string, options: { asset?: string; replay?: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  if (options.replay) return replay(cwd, options.replay, options, io);
  if (!options.asset) throw new UsageError('give --asset ASSET (or --replay CID)');
  const { ws, identity } = await open(cwd, options.as);
  const { record, evaluation } = await translate(() => recordGate(ws.project, identity, { asset: options.asset! }));
  if (options.json) printJson(io, gateJson(evaluation, record.cid));
  else printEvaluation(io, evaluation, record.cid.toString());
  if (!evaluation.pass) throw new CheckFailedError('');
}

async function approve(cwd: string, options: { asset: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  const { ws, name, identity } = await open(cwd, options.as);
  const result = await translate(() => approveAsset(ws.project, identity, { asset: options.asset }));
  if (options.json) {
    printJson(io, {
      approval: result.approval.cid,
      version: result.approval.record.links![0],
      gate: result.gate ? gateJson(result.gate.evaluation, result.gate.record.cid) : null,
      settlement: result.settlement ? settlementJson(result.settlement) : null,
      ...(result.settleError ? { settleError: result.settleError } : {}),
    });
    if (result.settleError) throw new CheckFailedError('');
    return;
  }
  io.out(`${name} approved ${options.asset} (version ${shortCid(result.approval.record.links![0]!)}): ${result.approval.cid}`);
  if (!result.gate) {
    io.out('No contract governs this asset: nothing to evaluate or settle.');
    return;
  }
  printEvaluation(io, result.gate.evaluation, result.gate.record.cid.toString());
  if (result.settlement) printSettlement(io, result.settlement, await identityNames(ws.keys));
  else if (result.settleError) throw new CheckFailedError(`approved, but not settled: ${result.settleError}`);
  else if (result.gate.evaluation.pass) io.out('The contract has no payout rule: nothing to settle.');
  else io.out('Not settled: every gate must pass first.');
}

async function reject(cwd: string, options: { asset: string; reason?: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  const { ws, name, identity } = await open(cwd, options.as);
  const record = await translate(() => rejectAsset(ws.project, identity, { asset: options.asset, ...(options.reason ? { reason: options.reason } : {}) }));
  if (options.json) return printJson(io, { rejection: record.cid, version: record.record.links![0], reason: options.reason ?? null });
  io.out(`${name} rejected ${options.asset} (version ${shortCid(record.record.links![0]!)})${options.reason ? `: ${options.reason}` : ''}: ${record.cid}`);
}

function number(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${option} "${text}" must be a number, e.g. 0.86`);
  return value;
}

async function check(cwd: string, options: { asset: string; name: string; score: string; threshold?: string; flag?: string[]; tool?: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  const score = number(options.score, '--score');
  const threshold = options.threshold === undefined ? undefined : number(options.threshold, '--threshold');
  let tool: { name: string; version: string } | undefined;
  if (options.tool) {
    const match = /^([^@\s]+)@(\S+)$/.exec(options.tool);
    if (!match) throw new UsageError(`--tool "${options.tool}" must look like name@version, e.g. brand-checker@1.2`);
    tool = { name: match[1]!, version: match[2]! };
  }
  const { ws, identity } = await open(cwd, options.as);
  const { record, result } = await translate(() =>
    recordCheck(ws.project, identity, { asset: options.asset, name: options.name, score, ...(threshold === undefined ? {} : { threshold }), ...(options.flag ? { flags: options.flag } : {}), ...(tool ? { tool } : {}) }),
  );
  if (options.json) return printJson(io, { cid: record.cid, asset: options.asset, ...result });
  io.out(`Check ${result.name} on ${options.asset}: score ${result.score}${result.threshold === undefined ? '' : ` (threshold ${result.threshold})`} — ${result.pass ? 'pass' : 'FAIL'}${result.flags ? `; flags: ${result.flags.join(', ')}` : ''}: ${record.cid}`);
}

async function settle(cwd: string, options: { asset: string; as?: string; json?: boolean }, io: Io): Promise<void> {
  const { ws, identity } = await open(cwd, options.as);
  const result = await translate(() => settleAsset(ws.project, identity, { asset: options.asset }), 'check');
  if (options.json) return printJson(io, settlementJson(result));
  printSettlement(io, result, await identityNames(ws.keys));
}

function positiveInteger(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`${option} "${text}" must be a positive integer`);
  return value;
}

async function payouts(cwd: string, options: { webhook?: string[]; statement?: string[]; timeout?: string; attempts?: string; json?: boolean }, io: Io): Promise<void> {
  const ws = await openWorkspace(cwd);
  const timeoutMs = positiveInteger(options.timeout, '--timeout', 10_000);
  const given: PayoutAdapter[] = [];
  try {
    for (const url of options.webhook ?? []) given.push(webhookAdapter(url, { timeoutMs }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  for (const folder of options.statement ?? []) given.push(statementAdapter(resolve(cwd, folder)));
  // Targets come from the command line and the user's configuration (outside the repository),
  // never from the project folder: a planted line there sends no money anywhere.
  const project = ws.project.id.toString();
  await rememberTargets(project, given.map((a) => a.target));
  const adapters = new Map(given.map((a) => [a.target, a]));
  for (const target of await rememberedTargets(project)) if (!adapters.has(target)) adapters.set(target, adapterForTarget(target, { timeoutMs }));
  const names = await identityNames(ws.keys);
  const report: PayoutReport = await runPayouts({
    outboxDir: join(ws.dir, 'outbox'),
    store: ws.feeds,
    genesis: ws.project.id,
    adapters: [...adapters.values()],
    nameOf: (did) => names.get(did),
    timeoutMs,
    attempts: positiveInteger(options.attempts, '--attempts', 5),
    signerFor: async (did) => {
      const name = names.get(did);
      return name ? ws.keys.get(name) : undefined;
    },
  });
  if (options.json) printJson(io, report);
  else {
    if (report.targets.length === 0) io.out('No payout targets yet: give --webhook URL or --statement DIR (remembered in your configuration, outside the project).');
    for (const target of report.targets) io.out(`Target ${target}`);
    for (const d of report.deliveries) {
      const mark = d.state === 'delivered' ? '✓' : d.state === 'rejected' ? '✗' : '…';
      const why = d.waiting ?? (d.state !== 'delivered' && d.lastError ? d.lastError : '');
      const state = d.already ? 'already delivered' : `${d.state} after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`;
      io.out(`  ${mark} ${shortCid(d.key)} ${d.asset ?? ''} → ${d.target}: ${state}${why ? ` (${why})` : ''}`);
    }
    for (const dup of report.duplicates) io.out(`  ! settle record ${dup} duplicates the settlement of its asset and contract and is never paid`);
    for (const bad of report.invalid) io.out(`  ! settle record ${bad.settle}${bad.asset ? ` (${bad.asset})` : ''} by ${who(bad.by, names)} does not stand and is never paid: ${bad.reasons.join('; ')}`);
  }
  const undelivered = report.deliveries.filter((d) => d.state !== 'delivered');
  if (undelivered.length > 0) {
    throw new CheckFailedError(`${undelivered.length} payout${undelivered.length === 1 ? '' : 's'} not delivered${undelivered.some((d) => d.state === 'pending') ? '; run colophon payouts again to retry' : ''}`);
  }
}

/** Adds the governance commands to the `colophon` program. */
export function registerGovernanceCommands(program: Command, cwd: string, io: Io): void {
  const contract = program.command('contract').description('contracts: gates in CEL and payout rules (recorded by the owner)');
  contract
    .command('init [file]')
    .description('write a commented starting contract (default contract.jsonc) to edit and add')
    .option('--asset <asset>', 'the asset it governs')
    .action((file, o) => contractInit(cwd, file, o, io));
  contract
    .command('add <file>')
    .description('check a contract file (JSON with comments: {name, asset?, gates, payout?}) and record it (owner only)')
    .addHelpText('after', CONTRACT_FORMAT_HELP)
    .option('--asset <asset>', 'the asset it governs (overrides the file; default: every asset without its own)')
    .addOption(asOption())
    .addOption(jsonOption())
    .action((file, o) => contractAdd(cwd, file, o, io));
  contract.command('show').description('the contract that governs an asset').addOption(assetOption()).addOption(jsonOption()).action((o) => contractShow(cwd, o, io));
  program
    .command('gate')
    .description("evaluate the asset's contract and record the verdict (exit 1 when a gate fails)")
    .option('--asset <asset>', 'the asset')
    .option('--replay <cid>', 're-run a gate or settle record from the records it lists and compare')
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o) => gate(cwd, o, io));
  program
    .command('approve')
    .description("approve the asset's final version (directors only); evaluates gates and settles when they pass")
    .addOption(assetOption())
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o) => approve(cwd, o, io));
  program
    .command('reject')
    .description("reject the asset's final version (directors only)")
    .addOption(assetOption())
    .option('--reason <text>', 'why')
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o) => reject(cwd, o, io));
  program
    .command('check')
    .description("record an automated check's result on the asset's final version (e.g. a brand score)")
    .addOption(assetOption())
    .requiredOption('--name <name>', 'the check, e.g. brand')
    .requiredOption('--score <number>', 'the score it gave')
    .option('--threshold <number>', 'pass when score >= threshold')
    .option('--flag <flag>', 'a finding gates may refuse, e.g. pii (repeatable)', collect)
    .option('--tool <name@version>', 'the tool that ran the check')
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o) => check(cwd, o, io));
  program
    .command('settle')
    .description('settle the asset under its contract (once; again prints the existing settlement)')
    .addOption(assetOption())
    .addOption(asOption())
    .addOption(jsonOption())
    .action((o) => settle(cwd, o, io));
  program
    .command('payouts')
    .description('pay settlements out through the outbox (.colophon/outbox): webhooks and statement files, each exactly once')
    .option('--webhook <url>', 'POST signed settlements here (repeatable; remembered)', collect)
    .option('--statement <dir>', 'write JSON + CSV statements here (repeatable; remembered)', collect)
    .option('--timeout <ms>', 'webhook timeout per attempt (default 10000)')
    .option('--attempts <n>', 'attempts per payout in this run (default 5)')
    .addOption(jsonOption())
    .action((o) => payouts(cwd, o, io));
}

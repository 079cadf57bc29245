// `blame`: the first step after which a check failed (or its score dropped below a threshold),
// the last step after which it still passed, and what went into the failing step.
import type { LedgerEntry } from '../attribution/classes.js';
import type { CheckResult } from '../contracts/check-result.js';
import type { BlobStore } from '../store/blob-store.js';
import { LineageError } from './errors.js';
import { assetVersion, checkOf, lineageOf, NOT_LINEAGE } from './graph.js';
import { stepInputs, type StepInputs } from './inputs.js';
import type { LedgerView } from './ledger-view.js';
import { stepPayloadOrUndefined } from './step-payload.js';

/** Kinds that change content: what a failure can be blamed on. */
const STEP_KINDS = new Set(['agent.step', 'ai.generate', 'asset.create', 'asset.edit', 'ingest']);
/** Blame lists at most this many suspects between the last pass and the first failure. */
export const MAX_SUSPECTS = 50;

export interface CheckPoint {
  check: LedgerEntry;
  result: CheckResult;
  /** The record the check evaluated (the latest one it links, other than the step that computed it). */
  step: LedgerEntry;
  failing: boolean;
}

export interface BlameOptions {
  asset: string;
  check: string;
  /** Judge by this pass mark instead of each check's own pass/fail. */
  threshold?: number;
  /** To show private prompts and inputs of the blamed step, when their openings are here. */
  blobs?: Pick<BlobStore, 'get'>;
}

export interface BlameResult {
  asset: string;
  check: string;
  threshold?: number;
  /** Every result of the check about the asset, in the order of the steps they evaluated. */
  history: CheckPoint[];
  verdict: 'no-checks' | 'never-failed' | 'failed';
  /** The first failing result: the step after which the check failed. */
  culprit?: CheckPoint;
  /** The last passing result before it. */
  lastGood?: CheckPoint;
  /** Steps after the last pass up to the failing one (the failure arose in one of them), oldest first. */
  suspects: LedgerEntry[];
  /** The first passing result after the failure, if the asset recovered. */
  recovered?: CheckPoint;
  /** What went into the failing step. */
  inputs?: StepInputs;
}

function failing(result: CheckResult, threshold: number | undefined): boolean {
  return threshold === undefined ? !result.pass : result.score < threshold;
}

/** The record a check evaluated: the latest record it links, leaving out the step that computed its score. */
function evaluatedBy(view: LedgerView, check: LedgerEntry): LedgerEntry | undefined {
  const via = stepPayloadOrUndefined(check)?.via?.toString();
  let found: LedgerEntry | undefined;
  for (const link of check.record.links ?? []) {
    if (link.toString() === via) continue;
    const linked = view.get(link);
    if (!linked || linked.record.kind === 'intent') continue;
    if (!found || view.positionOf(linked.cid) > view.positionOf(found.cid)) found = linked;
  }
  return found;
}

export async function blame(view: LedgerView, options: BlameOptions): Promise<BlameResult> {
  const { asset, check: name, threshold } = options;
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new LineageError(`threshold must be a number, got ${threshold}`, 'threshold');
  const version = assetVersion(view, asset);
  const lineage = version ? new Set(lineageOf(view, version).nodes.map((n) => n.cid.toString())) : new Set<string>();
  const history: CheckPoint[] = [];
  for (const entry of view.ordered) {
    const result = checkOf(entry);
    if (!result || result.name !== name) continue;
    const step = evaluatedBy(view, entry);
    if (!step) continue;
    // Checks of the asset's own lineage; before the asset has a version, the checks naming it.
    const about = version ? lineage.has(step.cid.toString()) : entry.record.asset === asset;
    if (!about) continue;
    history.push({ check: entry, result, step, failing: failing(result, threshold) });
  }
  if (history.length === 0 && !version && view.versionsOf(asset).length === 0) {
    const anyRecord = view.ordered.some((e) => e.record.asset === asset);
    if (!anyRecord) throw new LineageError(`asset "${asset}" has no records in this ledger`);
  }
  history.sort((a, b) => view.positionOf(a.step.cid) - view.positionOf(b.step.cid) || view.positionOf(a.check.cid) - view.positionOf(b.check.cid));
  const result: BlameResult = { asset, check: name, history, verdict: 'no-checks', suspects: [] };
  if (threshold !== undefined) result.threshold = threshold;
  if (history.length === 0) return result;
  const at = history.findIndex((c) => c.failing);
  if (at < 0) {
    result.verdict = 'never-failed';
    return result;
  }
  result.verdict = 'failed';
  const culprit = history[at]!;
  result.culprit = culprit;
  for (let i = at - 1; i >= 0; i--) {
    if (!history[i]!.failing) {
      result.lastGood = history[i]!;
      break;
    }
  }
  const recovered = history.slice(at + 1).find((c) => !c.failing);
  if (recovered) result.recovered = recovered;
  result.suspects = suspectsBetween(view, result.lastGood?.step, culprit.step);
  result.inputs = await stepInputs(view, culprit.step, options.blobs);
  return result;
}

/** Steps in the failing step's past that the passing step did not have: where the change came in. */
function suspectsBetween(view: LedgerView, good: LedgerEntry | undefined, bad: LedgerEntry): LedgerEntry[] {
  if (!good) return [bad];
  const before = new Set(lineageOf(view, good).nodes.map((n) => n.cid.toString()));
  const suspects = lineageOf(view, bad).nodes.filter((n) => !before.has(n.cid.toString()) && STEP_KINDS.has(n.record.kind) && !NOT_LINEAGE.has(n.record.kind));
  return suspects.slice(-MAX_SUSPECTS);
}

// Runs: one execution of a pipeline. Every record a pipeline recorder (or the OpenTelemetry
// exporter) writes names its run in ext["colophon.step"].run; a run can also be named by the
// intent record its steps serve, or by any one of its steps.
import { CID } from 'multiformats/cid';
import type { LedgerEntry } from '../attribution/classes.js';
import { LineageError } from './errors.js';
import { checkOf } from './graph.js';
import type { LedgerView } from './ledger-view.js';
import { stepPayloadOrUndefined, type StepPayload } from './step-payload.js';

export interface RunStep {
  entry: LedgerEntry;
  payload: StepPayload;
}

export interface Run {
  id: string;
  /** The run's agent.step records, in causal order. */
  steps: RunStep[];
  /** The run's check records, in causal order. */
  checks: RunStep[];
  /** The intent the run serves (its steps' intent), when they name one. */
  intent?: CID;
}

export interface RunSummary {
  id: string;
  steps: number;
  checks: number;
  failedChecks: number;
  failedSteps: number;
  intent?: CID;
  /** Claimed time of the first and last record. */
  first: number;
  last: number;
  /** Step names in order, e.g. ["draft", "brand-check"]. */
  names: string[];
}

/** Every run in the ledger, oldest first. */
export function listRuns(view: LedgerView): RunSummary[] {
  const runs = new Map<string, RunSummary>();
  for (const entry of view.ordered) {
    const { kind } = entry.record;
    if (kind !== 'agent.step' && kind !== 'check') continue;
    const payload = stepPayloadOrUndefined(entry);
    if (!payload) continue;
    let run = runs.get(payload.run);
    if (!run) {
      run = { id: payload.run, steps: 0, checks: 0, failedChecks: 0, failedSteps: 0, first: entry.record.at, last: entry.record.at, names: [] };
      runs.set(payload.run, run);
    }
    run.first = Math.min(run.first, entry.record.at);
    run.last = Math.max(run.last, entry.record.at);
    if (payload.intent && !run.intent) run.intent = payload.intent;
    if (kind === 'agent.step') {
      run.steps++;
      run.names.push(payload.name);
      if (payload.error !== undefined) run.failedSteps++;
    } else {
      run.checks++;
      if (checkOf(entry)?.pass === false) run.failedChecks++;
    }
  }
  return [...runs.values()];
}

function collect(view: LedgerView, id: string, accept: (entry: LedgerEntry, payload: StepPayload) => boolean): Run {
  const run: Run = { id, steps: [], checks: [] };
  for (const entry of view.ordered) {
    const { kind } = entry.record;
    if (kind !== 'agent.step' && kind !== 'check') continue;
    const payload = stepPayloadOrUndefined(entry);
    if (!payload || !accept(entry, payload)) continue;
    (kind === 'agent.step' ? run.steps : run.checks).push({ entry, payload });
    if (payload.intent && !run.intent) run.intent = payload.intent;
  }
  return run;
}

/**
 * A run by reference: a run id; the CID of an intent record (the steps serving it); or the CID of
 * a step or check (the run it belongs to).
 */
export function findRun(view: LedgerView, ref: string): Run {
  let cid: CID | undefined;
  try {
    cid = CID.parse(ref);
  } catch {
    cid = undefined;
  }
  if (cid) {
    const entry = view.get(cid);
    if (!entry) throw new LineageError(`record ${ref} is not in this ledger`);
    if (entry.record.kind === 'intent') {
      const run = collect(view, `intent:${ref}`, (step, payload) => payload.intent?.equals(cid!) === true || (step.record.links ?? []).some((l) => l.equals(cid!)));
      if (run.steps.length === 0) throw new LineageError(`no agent steps serve intent ${ref}`);
      return run;
    }
    const payload = stepPayloadOrUndefined(entry);
    if (!payload) throw new LineageError(`record ${ref} is a ${entry.record.kind} record that belongs to no run (it has no ext.colophon.step)`);
    return findRun(view, payload.run);
  }
  const run = collect(view, ref, (_, payload) => payload.run === ref);
  if (run.steps.length === 0) {
    const known = listRuns(view).map((r) => r.id);
    const hint = known.length === 0 ? 'this ledger has no runs' : `runs: ${known.slice(-5).join(', ')}${known.length > 5 ? ` (and ${known.length - 5} more; colophon runs lists them)` : ''}`;
    throw new LineageError(`no run "${ref}" in this ledger; ${hint}`);
  }
  return run;
}

// Running the outbox: every settlement in the ledger to every target, each paid at most once.
import type { SigningIdentity } from '../../identity/identity.js';
import type { CID } from 'multiformats/cid';
import type { RecordStore } from '../../ledger/record-store.js';
import { listSettlements, settlePayloadOf } from '../../contracts/index.js';
import type { DecodedRecord } from '../../record/encoding.js';
import type { PayoutAdapter } from './adapter.js';
import { settlementDocument } from './document.js';
import { Outbox, type Delivery } from './outbox.js';
import { statementAdapter } from './statement.js';
import { webhookAdapter } from './webhook.js';

/** Points between steps, for tests that stop the process there (see onStep). */
export type PayoutStep = 'enqueued' | 'attempt' | 'response' | 'recorded';

export interface RunPayoutsOptions {
  /** The outbox folder, e.g. `<project>/.colophon/outbox`. */
  outboxDir: string;
  store: Pick<RecordStore, 'get' | 'query' | 'children' | 'records'>;
  /** The project's genesis (default: the one genesis record in the store). */
  genesis?: CID;
  /**
   * Where to pay: only these. Targets come from the command line or the user's configuration
   * (targets.ts), never from the outbox, so a line planted in it sends nothing anywhere.
   */
  adapters: PayoutAdapter[];
  /** A payee's name to show beside the did (statements, reports). */
  nameOf?: (did: string) => string | undefined;
  /** The key of a did, to sign webhook bodies as the settling identity; undefined when not on this machine. */
  signerFor(did: string): Promise<SigningIdentity | undefined>;
  /** Attempts per delivery in this run (default 5); a delivery still failing stays pending for the next run. */
  attempts?: number;
  /** Delay after the first failed attempt, doubled after each further one (default 500 ms, capped at 30 s). */
  backoffMs?: number;
  /** Webhook timeout per attempt for remembered targets (default 10 s). */
  timeoutMs?: number;
  /** Called at each step of each delivery; awaited. */
  onStep?: (step: PayoutStep, delivery: { key: string; target: string }) => void | Promise<void>;
}

export interface DeliveryReport extends Delivery {
  asset?: string;
  /** Why nothing was attempted in this run. */
  waiting?: string;
  /** True when the delivery was already delivered before this run (nothing was sent again). */
  already: boolean;
}

export interface PayoutReport {
  /** The deliveries of this run's targets. */
  deliveries: DeliveryReport[];
  /** Settle records that duplicate the settlement of the same asset and contract: never paid. */
  duplicates: string[];
  /** Settle records that do not stand (contracts/settle.ts settlementStanding): never paid. */
  invalid: { settle: string; asset?: string; by: string; reasons: string[] }[];
  targets: string[];
}

/** Rebuilds the adapter for a target id (as remembered in the user's configuration). */
export function adapterForTarget(target: string, options: { timeoutMs?: number } = {}): PayoutAdapter {
  if (target.startsWith('webhook:')) return webhookAdapter(target.slice('webhook:'.length), options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  if (target.startsWith('statement:')) return statementAdapter(target.slice('statement:'.length));
  throw new Error(`unknown payout target "${target}"`);
}

function groupOf(settle: DecodedRecord): string {
  return `${settle.record.asset}\u0000${settlePayloadOf(settle).contract}`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One run: remember new targets, enqueue every settlement of the ledger for every target (the
 * ledger is the source of truth, so a settlement made while payouts crashed is still found), then
 * attempt each pending delivery. Every step is in the outbox log before it happens.
 */
export async function runPayouts(options: RunPayoutsOptions): Promise<PayoutReport> {
  const outbox = await Outbox.open(options.outboxDir);
  try {
    const adapters = new Map(options.adapters.map((a) => [a.target, a]));
    const { settlements, duplicates, invalid } = await listSettlements(options.store, options.genesis);
    const byKey = new Map(settlements.map((s) => [s.cid.toString(), s]));
    // Every standing settle record of a group (asset, contract), so that a target that already has
    // one of them never gets another: a settlement is paid once, even if a concurrent one turns up.
    const groupKeys = new Map<string, string[]>();
    for (const s of [...settlements, ...duplicates]) groupKeys.set(groupOf(s), [...(groupKeys.get(groupOf(s)) ?? []), s.cid.toString()]);
    const skipped = new Set<string>();
    for (const settle of settlements) {
      const key = settle.cid.toString();
      for (const target of adapters.keys()) {
        const other = groupKeys.get(groupOf(settle))!.find((k) => k !== key && outbox.get(k, target));
        if (other && !outbox.get(key, target)) {
          skipped.add(key);
          continue;
        }
        if (await outbox.enqueue(key, target)) await options.onStep?.('enqueued', { key, target });
      }
    }

    const before = new Map(outbox.list().map((d) => [`${d.key} ${d.target}`, d.state]));
    const waiting = new Map<string, string>();
    const attempts = options.attempts ?? 5;
    for (const delivery of outbox.pending()) {
      const { key, target } = delivery;
      const adapter = adapters.get(target);
      const settle = byKey.get(key);
      // Only this run's targets, and only settlements that stand now: a pending delivery of a
      // settle record found not to stand, or of a target nobody gave, is never attempted.
      if (!adapter || !settle) continue;
      const doc = settlementDocument(settle, options.nameOf);
      const signer = await options.signerFor(doc.settledBy);
      if (adapter.needsSigner && !signer) {
        waiting.set(`${key} ${target}`, `needs the key of ${doc.settledBy} (the identity that settled) on this machine`);
        continue;
      }
      for (let i = 0; i < attempts; i++) {
        const n = (outbox.get(key, target)?.attempts ?? 0) + 1;
        await outbox.append({ e: 'attempt', key, target, n, at: Date.now() });
        await options.onStep?.('attempt', { key, target });
        const outcome = await adapter.attempt(doc, signer);
        await options.onStep?.('response', { key, target });
        if (outcome.ok) {
          await outbox.append({ e: 'delivered', key, target, n, at: Date.now(), ...(outcome.status === undefined ? {} : { status: outcome.status }) });
          await options.onStep?.('recorded', { key, target });
          break;
        }
        const status = outcome.status === undefined ? {} : { status: outcome.status };
        if (!outcome.retry) {
          await outbox.append({ e: 'rejected', key, target, n, at: Date.now(), error: outcome.error, ...status });
          break;
        }
        await outbox.append({ e: 'failed', key, target, n, at: Date.now(), retry: true, error: outcome.error, ...status });
        if (i + 1 < attempts) await sleep(Math.min(30_000, (options.backoffMs ?? 500) * 2 ** i));
      }
    }

    const deliveries = outbox
      .list()
      .filter((d) => adapters.has(d.target) && byKey.has(d.key))
      .map((d): DeliveryReport => {
        const id = `${d.key} ${d.target}`;
        const report: DeliveryReport = { ...d, already: d.state === 'delivered' && before.get(id) === 'delivered' };
        const asset = byKey.get(d.key)?.record.asset;
        if (asset) report.asset = asset;
        const why = waiting.get(id);
        if (why) report.waiting = why;
        return report;
      });
    return {
      deliveries,
      duplicates: [...duplicates.map((d) => d.cid.toString()), ...skipped],
      invalid: invalid.map(({ record, reasons }) => ({ settle: record.cid.toString(), ...(record.record.asset === undefined ? {} : { asset: record.record.asset }), by: record.record.by, reasons })),
      targets: [...adapters.keys()],
    };
  } finally {
    await outbox.close();
  }
}

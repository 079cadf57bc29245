// Running the outbox: every settlement in the ledger to every target, each paid at most once.
import type { SigningIdentity } from '../../identity/identity.js';
import type { RecordStore } from '../../ledger/record-store.js';
import { parseCid } from '../../cid.js';
import { listSettlements } from '../../contracts/index.js';
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
  store: Pick<RecordStore, 'get' | 'query'>;
  /** Targets to add; the outbox remembers them, so later runs pay new settlements there too. */
  adapters?: PayoutAdapter[];
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
}

export interface PayoutReport {
  deliveries: DeliveryReport[];
  /** Settle records that duplicate an earlier settlement of the same asset and contract: never paid. */
  duplicates: string[];
  targets: string[];
}

/** Rebuilds the adapter for a remembered target id. */
export function adapterForTarget(target: string, options: { timeoutMs?: number } = {}): PayoutAdapter {
  if (target.startsWith('webhook:')) return webhookAdapter(target.slice('webhook:'.length), options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  if (target.startsWith('statement:')) return statementAdapter(target.slice('statement:'.length));
  throw new Error(`unknown payout target "${target}" in the outbox`);
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
    const adapters = new Map<string, PayoutAdapter>();
    for (const adapter of options.adapters ?? []) {
      await outbox.addTarget(adapter.target);
      adapters.set(adapter.target, adapter);
    }
    for (const target of outbox.targets()) if (!adapters.has(target)) adapters.set(target, adapterForTarget(target, options));

    const { settlements, duplicates } = await listSettlements(options.store);
    const assetOf = new Map(settlements.map((s) => [s.cid.toString(), s.record.asset]));
    for (const settle of settlements) {
      for (const target of adapters.keys()) {
        const key = settle.cid.toString();
        if (await outbox.enqueue(key, target)) await options.onStep?.('enqueued', { key, target });
      }
    }

    const waiting = new Map<string, string>();
    const attempts = options.attempts ?? 5;
    for (const delivery of outbox.pending()) {
      const { key, target } = delivery;
      const id = `${key} ${target}`;
      const adapter = adapters.get(target) ?? adapterForTarget(target, options);
      const settle = await options.store.get(parseCid(key, 'settlement'));
      if (!settle) {
        waiting.set(id, `settle record ${key} is not in this ledger`);
        continue;
      }
      const doc = settlementDocument(settle);
      const signer = await options.signerFor(doc.settledBy);
      if (adapter.needsSigner && !signer) {
        waiting.set(id, `needs the key of ${doc.settledBy} (the identity that settled) on this machine`);
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

    const deliveries = outbox.list().map((d): DeliveryReport => {
      const report: DeliveryReport = { ...d };
      const asset = assetOf.get(d.key);
      if (asset) report.asset = asset;
      const why = waiting.get(`${d.key} ${d.target}`);
      if (why) report.waiting = why;
      return report;
    });
    return { deliveries, duplicates: duplicates.map((d) => d.cid.toString()), targets: outbox.targets() };
  } finally {
    await outbox.close();
  }
}

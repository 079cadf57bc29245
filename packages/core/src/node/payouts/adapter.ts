import type { SigningIdentity } from '../../identity/identity.js';
import type { SettlementDocument } from './document.js';

/** What one attempt to pay out one settlement at one target came to. */
export type AttemptOutcome =
  | { ok: true; status?: number; detail?: string }
  | { ok: false; retry: boolean; error: string; status?: number };

/**
 * A place payouts go. `target` is a stable id ("webhook:<url>", "statement:<folder>") under which
 * the outbox tracks deliveries. `attempt` makes one attempt and never throws for an expected
 * failure: it says whether trying again may help.
 */
export interface PayoutAdapter {
  readonly target: string;
  /** True when attempts need the settling identity's key (to sign); without it they wait. */
  readonly needsSigner: boolean;
  attempt(doc: SettlementDocument, signer: SigningIdentity | undefined): Promise<AttemptOutcome>;
}

// Payout adapters (Node): statement files and signed webhooks, through a durable outbox.
export { Outbox, OutboxCorruptError, type OutboxEvent, type Delivery, type DeliveryState } from './outbox.js';
export { settlementDocument, documentJson, type SettlementDocument } from './document.js';
export type { PayoutAdapter, AttemptOutcome } from './adapter.js';
export { statementAdapter, statementCsv, csvField } from './statement.js';
export { rememberedTargets, rememberTargets } from './targets.js';
export { webhookAdapter, MAX_RESPONSE_BYTES, SIGNER_HEADER, SIGNATURE_HEADER, IDEMPOTENCY_HEADER, type WebhookOptions } from './webhook.js';
export { runPayouts, adapterForTarget, type RunPayoutsOptions, type PayoutReport, type DeliveryReport, type PayoutStep } from './runner.js';

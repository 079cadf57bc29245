// Contracts and settlement: gates in CEL over a read-only view of an asset, replayable verdicts,
// exact payouts. Platform-neutral (ES2020); see README.md.
export { ContractError, RoleRequiredError, requireSigner, lineColumn } from './errors.js';
export * as contractLimits from './limits.js';
export {
  CONTRACT_EXT,
  CONTRACT_PAYLOAD_VERSION,
  PAYOUT_CLASSES,
  GATE_NAME,
  parseContractPayload,
  parsePayoutRule,
  contractFromJson,
  contractExt,
  type ContractPayload,
  type ContractFile,
  type GateSpec,
  type PayoutRule,
  type PayoutClass,
} from './payload.js';
export { CHECK_EXT, checkResult, parseCheckResult, checkExt, type CheckResult } from './check-result.js';
export { licenseAllowsCommercialUse } from './licenses.js';
export { compileGate, GateDeadlineError, type CompiledGate, type GateOutcome, type RunOptions } from './cel-compile.js';
export { VIEW_VARIABLES, VIEW_VERSION, viewBindings } from './view.js';
export { LedgerSlice, type AssetFacts, type Ingredient } from './slice.js';
export { collectGateInputs, type InputStore } from './inputs.js';
export { compileGates, readContract, contractFor, type CompiledContract } from './contract.js';
export {
  GATE_EXT,
  CEL_ENGINE,
  evaluateSlice,
  evaluateGates,
  gatePayload,
  gateContribution,
  recordGate,
  gatePayloadOf,
  replayGate,
  type GateVerdict,
  type GatePayload,
  type GateEvaluation,
  type EvaluateInput,
  type RecordedGate,
  type GateReplay,
} from './gate.js';
export { fraction, largestRemainder, sharesFromWeights, compareFractions, type Fraction } from './split.js';
export { aiPayee, classUnits, ownShares, assetShares, payoutLines, type PayoutLine, type ShareTree } from './payout.js';
export {
  SETTLE_EXT,
  ROUNDING_RULE,
  qualifyingApproval,
  settlePayloadOf,
  findSettlement,
  listSettlements,
  settlementStanding,
  type SettlementStanding,
  settleAsset,
  replaySettlement,
  type SettlePayload,
  type SettlementList,
  type SettleResult,
  type SettleInput,
  type SettlementReplay,
} from './settle.js';
export { approveAsset, rejectAsset, recordCheck, recordContract, finalVersion, assetVersions, type AssetVersions, REASON_EXT, type ApproveResult } from './governance.js';
export { EXAMPLE_GATES } from './examples.js';
export { auditGovernance } from './audit.js';

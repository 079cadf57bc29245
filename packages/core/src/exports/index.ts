// Standard exports of the ledger: W3C PROV-JSON, in-toto Statements in DSSE envelopes, and Agent Trace (out and in).
// Platform-neutral (ES2020).
export { provDocument, COLOPHON_PROV_NS, type ProvDocument, type ProvOptions, type ProvAttributes, type ProvLiteral } from './prov.js';
export {
  lineageStatement,
  signStatement,
  sha256Hex,
  INTOTO_STATEMENT_TYPE,
  INTOTO_PAYLOAD_TYPE,
  LINEAGE_PREDICATE_TYPE,
  MAX_PREDICATE_LIST,
  type InTotoStatement,
  type InTotoSubject,
  type LineagePredicate,
  type StatementInput,
} from './intoto.js';
export { preAuthEncoding, signEnvelope, verifyEnvelope, EnvelopeError, type DsseEnvelope, type DsseSignature } from './dsse.js';
export {
  agentTraceRecord,
  traceConversations,
  lineContributors,
  traceContributor,
  textLines,
  rangeContentHash,
  modelId,
  AGENT_TRACE_VERSION,
  DEV_COLOPHON,
  LOSSY_NOTE,
  type AgentTraceRecord,
  type AgentTraceOptions,
  type AgentTraceFileInput,
  type TraceFile,
  type TraceConversation,
  type TraceRange,
  type TraceContributor,
  type ContributorType,
  type DevColophon,
  type DevColophonFile,
  type DevColophonRun,
  type TextLine,
} from './agent-trace.js';
export { readAgentTrace, parseAgentTraces, readDevColophon, AgentTraceError, AGENT_TRACE_LIMITS } from './agent-trace-read.js';
export { fileClaims, planClaims, claimOps, claimLabel, modelFromId, type Claim, type ClaimSpan, type ClaimPlan, type FileClaims, type Disagreement } from './agent-trace-claims.js';

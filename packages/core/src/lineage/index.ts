// Lineage for multi-agent pipelines: the recorder that makes agent calls into signed records, the
// OpenTelemetry exporter, and the questions (trace, blame, diverge). Platform-neutral (ES2020); the
// Node recorder (crash journal, exit hook) and the OpenAI-compatible generator are in
// @colophon/core/node.
export { LineageError } from './errors.js';
export {
  STEP_EXT,
  STEP_PAYLOAD_VERSION,
  STEP_NAME,
  RUN_ID,
  MAX_STEP_ERROR_CHARS,
  stepExt,
  stepPayloadOf,
  stepPayloadOrUndefined,
  type StepPayload,
} from './step-payload.js';
export { sealContent, openContent, MAX_DISCLOSED_PROMPT_CHARS, type StepContent, type SealedContent, type OpenedContent } from './content.js';
export { RecordHandle, type RecordRef } from './handle.js';
export { LedgerWriter, platformScheduler, type LedgerWriterOptions, type RecordRequest } from './ledger-writer.js';
export {
  PipelineRecorder,
  newRunId,
  type RecorderOptions,
  type StepSpec,
  type CompletedStep,
  type StepCall,
  type StepResult,
  type CheckSpec,
  type IntentSpec,
  type StepJournal,
  type Scheduler,
  type Resolver,
} from './recorder.js';
export { generateStep, promptText, mergedAgent, type TextGenerator, type GenerateRequest, type Generation, type ChatMessage, type GenerationParams, type AiAgent, type GenerateStepSpec } from './generator.js';
export { ColophonSpanExporter, spanToStep, spanAgent, hrTimeToMs, type OtelSpan, type OtelExportResult, type SpanExporterOptions, type HrTime } from './otel.js';
export { LedgerView, MAX_VIEW_RECORDS } from './ledger-view.js';
export {
  lineageOf,
  lineageParents,
  assetVersion,
  traceTarget,
  ancestorsOf,
  checkOf,
  NOT_LINEAGE,
  MAX_LINEAGE_NODES,
  type LineageGraph,
  type LineageEdge,
  type LineageEdgeType,
  type CheckOn,
} from './graph.js';
export { listRuns, findRun, type Run, type RunStep, type RunSummary } from './runs.js';
export { stepInputs, previewContent, PREVIEW_CHARS, type StepInputs, type ContentPreview } from './inputs.js';
export { blame, MAX_SUSPECTS, type BlameOptions, type BlameResult, type CheckPoint } from './blame.js';
export { diverge, DIFF_CONTEXT_CHARS, type DivergeResult, type StepPair, type Difference } from './diverge.js';
// The standard exports are built on the lineage graph; one entry point for both.
export * from '../exports/index.js';

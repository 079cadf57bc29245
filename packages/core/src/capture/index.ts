// @colophon/core/capture — editor-neutral capture of who makes what, for editor adapters (VS Code,
// Figma, the CLI's watch and agent hook). Platform-neutral (ES2020): runs in Node, browsers and
// QuickJS; clock, timers and entropy are injected. See README.md in this folder for the usage note.
export type {
  ChangeSource,
  TextChange,
  NodeChange,
  CaptureOptions,
  TextBaseline,
  TextSessionOptions,
  NodeSessionOptions,
  BurstInfo,
  CaptureSession,
  TextCaptureSession,
  NodeCaptureSession,
  Scheduler,
} from './interface.js';
export { EVIDENCE, EVIDENCE_EXT, isEvidence, evidenceOf, type Evidence } from '../attribution/evidence.js';
export { CaptureError } from './errors.js';
export { CaptureEngine, type CaptureEngineOptions } from './engine.js';
export { textEdits, applyTextEdits, type TextEditOp } from './text-diff.js';
export { textBaseline, versionDelta, type LoadedBaseline, type TextBaselineOptions, type VersionDelta, type VersionDeltaOptions, type Reclaim, type SpanClassifier } from './baseline.js';
export { MIN_RESTORED_UNITS, type KeptVersion, type RestoreRule } from './restore.js';
export { DEFAULT_IDLE_MS, DEFAULT_MAX_OPS } from './session.js';
export { LedgerWriter, platformScheduler, type LedgerWriterOptions, type StepJournal } from '../lineage/ledger-writer.js';
export type { RecordHandle, RecordRef } from '../lineage/handle.js';

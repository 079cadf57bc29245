// Attribution: who made what in an asset, derived from its records. Platform-neutral (ES2020).
export { AttributionError } from './errors.js';
export { EVIDENCE, EVIDENCE_EXT, isEvidence, evidenceOf, type Evidence } from './evidence.js';
export {
  OP_CLASSES,
  AUTHOR_CLASSES,
  isOpClass,
  contributorId,
  modelLabel,
  toolLabel,
  resolveAuthor,
  stepClass,
  type OpClass,
  type AuthorClass,
  type Author,
  type LedgerEntry,
  type EntryLookup,
} from './classes.js';
export { TextAuthorshipMap, type TextEdit, type AuthorRun, type AuthorUnits } from './text-map.js';
export { causalOrder, concurrentEdits, type ConcurrentEdit } from './order.js';
export {
  replayTextHistory,
  replayTextAuthorship,
  verifyTextAuthorship,
  hasTextDelta,
  type TextReplay,
  type TextReplayOptions,
  type SkippedRecord,
  readTextOps,
  type TextVerification,
} from './text-replay.js';
export { NodeAuthorshipMap, replayNodeAuthorship, hasNodeDelta, type NodeDelta, type NodeAuthorship, type NodeReplay } from './node-map.js';
export { CONTENT_KINDS, isContentStep, attributeSteps, recordAuthors, type StepAttribution } from './steps.js';
export { sharesFrom, type AttributionShares, type ContributorShare } from './shares.js';
export { decideSourceType, placedContentSource, sourceTypeTerm, sourceTypeWords, DIGITAL_SOURCE_TYPES, type PlacedContentFacts, type PlacedContentSource, type SourceTypeDecision } from './source-type.js';
export {
  assetAttribution,
  loadAssetHistory,
  loadAssetAttribution,
  type AssetAttribution,
  type AssetAttributionOptions,
  type AttributionKind,
  type AttributionUnit,
} from './asset.js';
export { unattributableIssue, unattributableRecords, type UnattributableIssue, type UnattributableRecord } from './write-check.js';

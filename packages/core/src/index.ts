// @colophon/core — platform-neutral main entry: runs unchanged in Node, browsers and Figma's
// QuickJS sandbox (ES2020 and Uint8Array only; no Node built-ins, TextEncoder or WebCrypto needed).
export * from './record/index.js';
export { verifyBlocks, verifyDecodedSignature, type RawBlock, type Finding, type FindingCode, type VerifyReport, type VerifyOptions } from './ledger/verify.js';
export { RecordIndex, type RecordQuery } from './ledger/record-index.js';
export * from './transparency/index.js';
export {
  BundleError,
  CheckpointMismatchError,
  CONSISTENCY_BUNDLE_FORMAT,
  INCLUSION_BUNDLE_FORMAT,
  cosignFeedCheckpoint,
  feedKeyName,
  feedOrigin,
  feedTree,
  openFeedCheckpoint,
  parseFeedOrigin,
  proveConsistency,
  proveInclusion,
  signFeedCheckpoint,
  verifyConsistencyBundle,
  verifyFeedCheckpoint,
  verifyInclusionBundle,
  type ConsistencyBundle,
  type FeedCheckpoint,
  type InclusionBundle,
  type OpenFeedCheckpointOptions,
  type VerifiedConsistency,
  type VerifiedInclusion,
} from './ledger/checkpoints.js';
export * from './attribution/index.js';
export * from './contracts/index.js';
export * from './lineage/index.js';
export { carBlock, carHeader, parseCarHeader, splitBlock } from './ledger/car-format.js';
export * from './ledger/embedded-feeds.js';
export * from './capture/index.js';

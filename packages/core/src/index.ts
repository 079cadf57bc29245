// @colophon/core — platform-neutral main entry: runs unchanged in Node, browsers and Figma's
// QuickJS sandbox (ES2020 and Uint8Array only; no Node built-ins, TextEncoder or WebCrypto needed).
export { ColophonError, EncodingError, RecordError } from './errors.js';
export { encode, decode, type DagValue } from './cbor/codec.js';
export { utf8Encode, utf8Decode } from './text/utf8.js';
export { base64Encode, base64Decode } from './text/base64.js';
export { CID, recordCid, contentCid, contentCidFromDigest, cidMatches, parseCid, DAG_CBOR_CODE, RAW_CODE } from './cid.js';
export { useCryptoBackend, cryptoBackend, pureJsBackend, sha256, type CryptoBackend, type MessageSigner } from './crypto/backend.js';
export { didKeyFromPublicKey, publicKeyFromDidKey, isDidKey } from './identity/did-key.js';
export { identityFromSeed, generateIdentity, exportSeed, verifySignature, SEED_LENGTH, type SigningIdentity } from './identity/identity.js';
export { RECORD_KINDS, isRecordKind, BUILT_IN_ROLES, ROLE_PATTERN, type RecordKind } from './record/kinds.js';
export {
  CONTRIBUTION_RECORD_VERSION,
  type ContributionRecord,
  type UnsignedRecord,
  type RecordFields,
  type AgentRef,
  type ModelRef,
  type Intent,
  type Rights,
  type MemberDelta,
  type TextOp,
} from './record/types.js';
export { recordIssues, assertValidRecord, MAX_RECORD_BYTES, PROJECT_EXT, type RecordIssue } from './record/validate.js';
export { encodeRecordFields, decodeRecord, type DecodedRecord } from './record/encoding.js';
export { signRecord, verifyRecordSignature, signatureMessage, RECORD_SIGNATURE_DOMAIN, type SignedRecord } from './record/sign.js';
export { commitText, openCommitment, COMMITMENT_SALT_BYTES, type Commitment } from './commitment.js';
export { MemoryBlobStore, BlobIntegrityError, MAX_BLOB_BYTES, type BlobStore } from './store/blob-store.js';
export { MemoryKeyStore, checkIdentityName, IDENTITY_NAME, type KeyStore, type StoredIdentity } from './store/key-store.js';
export { MemoryRecordStore, FeedOrderError, checkExtendsHead, type RecordStore, type FeedHead } from './ledger/record-store.js';
export { Project, type Contribution } from './ledger/project.js';
export { RoleBook, ROLE_REQUIRED } from './ledger/roles.js';
export { verifyBlocks, verifyDecodedSignature, type RawBlock, type Finding, type FindingCode, type VerifyReport, type VerifyOptions } from './ledger/verify.js';
export { RecordIndex, type RecordQuery } from './ledger/record-index.js';
export * from './transparency/index.js';
export { signedMessageOf } from './record/signed-message.js';
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
export {
  EMBEDDED_FEED_NAMESPACE,
  EMBEDDED_FEED_FORMAT,
  EMBEDDED_CHUNK_BYTES,
  MAX_EMBEDDED_FEED_BYTES,
  embeddedFeedIndexKey,
  embeddedFeedChunkKey,
  embeddedFeedWrites,
  readEmbeddedFeeds,
  carBytesBlocks,
  type EmbeddedFeed,
  type EmbeddedFeedIndex,
  type EmbeddedFeedProblem,
} from './ledger/embedded-feeds.js';

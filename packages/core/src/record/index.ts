// @colophon/core/record — records and what making them needs: encoding, CIDs, identities and
// signing, validation, the in-memory stores and the project. Platform-neutral (ES2020); loads no
// CEL or protobuf and touches no globals.
export { ColophonError, EncodingError, RecordError } from '../errors.js';
export { encode, decode, type DagValue } from '../cbor/codec.js';
export { utf8Encode, utf8Decode } from '../text/utf8.js';
export { base64Encode, base64Decode } from '../text/base64.js';
export { CID, recordCid, contentCid, contentCidFromDigest, cidMatches, parseCid, DAG_CBOR_CODE, RAW_CODE } from '../cid.js';
export { useCryptoBackend, cryptoBackend, pureJsBackend, sha256, type CryptoBackend, type MessageSigner } from '../crypto/backend.js';
export { didKeyFromPublicKey, publicKeyFromDidKey, isDidKey } from '../identity/did-key.js';
export { identityFromSeed, generateIdentity, exportSeed, verifySignature, SEED_LENGTH, type SigningIdentity } from '../identity/identity.js';
export { RECORD_KINDS, isRecordKind, BUILT_IN_ROLES, ROLE_PATTERN, type RecordKind } from './kinds.js';
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
} from './types.js';
export { C2PA_INGEST_EXT } from './ext-keys.js';
export { recordIssues, assertValidRecord, MAX_RECORD_BYTES, MAX_TEXT_OPS, PROJECT_EXT, type RecordIssue } from './validate.js';
export { encodeRecordFields, decodeRecord, type DecodedRecord } from './encoding.js';
export { signRecord, verifyRecordSignature, signatureMessage, RECORD_SIGNATURE_DOMAIN, type SignedRecord } from './sign.js';
export { commitText, openCommitment, COMMITMENT_SALT_BYTES, type Commitment } from '../commitment.js';
export { MemoryBlobStore, BlobIntegrityError, MAX_BLOB_BYTES, type BlobStore } from '../store/blob-store.js';
export { MemoryKeyStore, checkIdentityName, IDENTITY_NAME, type KeyStore, type StoredIdentity } from '../store/key-store.js';
export { MemoryRecordStore, FeedOrderError, checkExtendsHead, appendOnHead, type RecordStore, type FeedHead, type BuildOnHead } from '../ledger/record-store.js';
export { Project, type Contribution } from '../ledger/project.js';
export { RoleBook, SIGNER_ROLES, ANY_ROLE, signerRule } from '../ledger/roles.js';
export { CausalClocks, StoreClocks, sawRecord, type Clock } from '../ledger/causality.js';
export { roleBookOf, currentVersions, latestRoleChange, latestGrant, seenLinks } from '../ledger/versions.js';
export { signedMessageOf } from './signed-message.js';
export { verifyBlocks, verifyDecodedSignature, type RawBlock, type Finding, type FindingCode, type VerifyReport, type VerifyOptions } from '../ledger/verify.js';
export { carBlock, carHeader, parseCarHeader, splitBlock } from '../ledger/car-format.js';
export * from '../ledger/embedded-feeds.js';

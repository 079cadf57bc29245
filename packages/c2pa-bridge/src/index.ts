// @colophon/c2pa-bridge — Content Credentials (C2PA) out of the ledger, and into it, through the
// official C2PA SDK (@contentauth/c2pa-wasm). The Node entry: it finds the SDK's wasm in the
// installed package; `@colophon/c2pa-bridge/browser` is the same code for pages that supply it.
import './sdk-node.js';

export { initSdk, loadSdk, sdkInitMs, sdkContext, SdkError, type SdkSettings } from './sdk.js';
export { BytesBlob, SourceBlob, bytesSource, type ByteSource } from './byte-source.js';
export { fileSource } from './file-source.js';
export {
  selfSignedCertificate,
  caCertificate,
  issueCertificate,
  describeCertificate,
  certificatesFromPem,
  isIssuedBy,
  keyIdentifier,
  toPem,
  type CertificateInfo,
  type CertificateSigner,
  type CertificateOptions,
} from './certificates.js';
export { ProjectCa, CaError, CA_DIRECTORY, type CaDescription, type SignerChain } from './ca-store.js';
export { coseSigner, type ClaimKey, padToSize, protectedHeaderFor, reserveSizeFor, DEFAULT_RESERVE_SIZE, type CoseSigner, type SignerDefinition } from './cose-signer.js';
export { assetFormat, fileNameOf, checkExportSize, MAX_EXPORT_BYTES, MAX_SPLICED_EXPORT_BYTES, sidecarPathFor, FormatError, SUPPORTED_EXTENSIONS, SIDECAR_EXTENSION, MANIFEST_STORE_MIME, type AssetFormat, type Carriage } from './formats.js';
export { assetHistory, HistoryError, type AssetHistory, type HistoryStep, type PromptRef, type SourceRef, type FeedHeadRef, type FeedCheckpointRef } from './ledger-history.js';
export {
  buildManifest,
  LEDGER_ASSERTION,
  ACTIONS_ASSERTION,
  TRAINING_MINING_ASSERTION,
  RECORD_PARAMETER,
  type ManifestInputs,
  type ManifestPlan,
  type ManifestDefinition,
  type LedgerAssertion,
  type ClaimGenerator,
} from './manifest.js';
export { exportC2pa, signManifest, CLAIM_GENERATOR, type ExportInput, type ExportResult } from './export.js';
export { exportC2paFile, type FileExportResult } from './export-file.js';
export { spliceManifest, splicedSource, dataHashAssertion, type Splice, type DataHashAssertion } from './splice.js';
export { readCredentials, type CredentialReport, type ReadInput, type StatusCode, type SidecarCheck, type SignerFacts } from './read.js';
export { extractManifestStore } from './jumbf.js';
export { ingestFile, factsFromReport, type IngestInput, type IngestResult } from './ingest.js';
export { ingestFactsOf, type IngestFacts, type ActionFact, type IngredientFact, type CredentialState } from './ingest-facts.js';
export { explainState, UNTRUSTED_EXPLANATION } from './explain.js';

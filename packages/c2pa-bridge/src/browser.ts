// @colophon/c2pa-bridge/browser — the same Content Credentials code as the Node entry, for a page
// (the Figma panel): no node:* modules, and the SDK's wasm comes from the caller (loadSdk). The
// manifest is built by the one builder from core's attribution; only where the wasm comes from
// differs.
export { loadSdk, sdkInitMs, sdkContext, SdkError, type SdkSettings } from './sdk.js';
export { BytesBlob } from './byte-source.js';
export { selfSignedCertificate, describeCertificate, certificatesFromPem, keyIdentifier, toPem, type CertificateInfo, type CertificateOptions, type CertificateSigner } from './certificates.js';
export { coseSigner, reserveSizeFor, type ClaimKey, type CoseSigner } from './cose-signer.js';
export { assetFormat, fileNameOf, checkExportSize, FormatError, MAX_EXPORT_BYTES, type AssetFormat } from './formats.js';
export { assetHistory, HistoryError, type AssetHistory } from './ledger-history.js';
export { buildManifest, CLAIM_GENERATOR, LEDGER_ASSERTION, ACTIONS_ASSERTION, RECORD_PARAMETER, type ManifestPlan, type LedgerAssertion, type ClaimGenerator } from './manifest.js';
export { exportC2pa, signManifest, type ExportInput, type ExportResult } from './export.js';
export { readCredentials, type CredentialReport, type ReadInput } from './read.js';
export { extractManifestStore } from './jumbf.js';
export { factsFromReport } from './ingest.js';
export { ingestFactsOf, type IngestFacts, type ActionFact, type CredentialState } from './ingest-facts.js';

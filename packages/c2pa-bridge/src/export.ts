/**
 * Export: an asset's final bytes plus its ledger history become a file with Content Credentials
 * (embedded), or the unchanged file plus a sidecar `.c2pa` manifest (text). The SDK signs with our
 * COSE signer and re-reads the result before returning (verify-after-sign), so a bad signature
 * fails here and never ships. Platform-neutral: the Node entry and the browser entry share it.
 */
import { contentCid, sha256, type BlobStore, type CID, type RecordStore } from '@colophon/core';
import type { ClaimKey } from './cose-signer.js';
import { assetFormat, checkExportSize, fileNameOf, type AssetFormat } from './formats.js';
import { assetHistory, type AssetHistory, type FeedCheckpointRef } from './ledger-history.js';
import { buildManifest, CLAIM_GENERATOR, type ClaimGenerator, type ManifestPlan } from './manifest.js';
import { openCommitment } from '@colophon/core';
import { signManifest } from './sign.js';

export { CLAIM_GENERATOR, signManifest };

export interface ExportInput {
  store: RecordStore;
  blobs: BlobStore;
  /** The project's genesis CID. */
  project: CID;
  asset: string;
  /** Name of the file being exported (picks the format; becomes the manifest title). */
  fileName: string;
  bytes: Uint8Array;
  /**
   * The recorded state of the asset that `bytes` show, when the file is a rendering of it rather
   * than the state itself (a Figma frame's node state, exported as PNG). Default: the bytes' own
   * content id, which must then be a recorded state.
   */
  state?: CID;
  /** The key that signs (it may answer asynchronously, from elsewhere), and its certificate chain (leaf first, DER). */
  identity: ClaimKey;
  chain: readonly Uint8Array[];
  /** Put the prompts' text in the credentials (default: only their commitments). */
  disclosePrompts?: boolean;
  claimGenerator?: ClaimGenerator;
  /** Verified feed checkpoints (see openFeedCheckpoint); the latest of each feed goes in the manifest. */
  checkpoints?: readonly FeedCheckpointRef[];
}

export interface ExportResult {
  format: AssetFormat;
  /** Embedded: the signed file. Sidecar: the text, unchanged. */
  asset: Uint8Array;
  /** The sidecar manifest store (text formats only). */
  sidecar?: Uint8Array;
  plan: ManifestPlan;
  history: AssetHistory;
  /** Prompt texts that could not be disclosed because their opening was erased. */
  undisclosable: string[];
}

async function disclosures(history: AssetHistory, blobs: BlobStore, wanted: boolean): Promise<{ texts: Map<string, string>; missing: string[] }> {
  const texts = new Map<string, string>();
  const missing: string[] = [];
  if (!wanted) return { texts, missing };
  for (const prompt of history.prompts) {
    if (prompt.clearText !== undefined) texts.set(prompt.label, prompt.clearText);
    else if (prompt.commit) {
      const opening = await blobs.get(prompt.commit);
      if (opening) texts.set(prompt.label, openCommitment(prompt.commit, opening));
      else missing.push(prompt.label);
    }
  }
  return { texts, missing };
}

async function sourceManifests(history: AssetHistory, blobs: BlobStore): Promise<Map<string, { store: Uint8Array; validation: unknown }>> {
  const out = new Map<string, { store: Uint8Array; validation: unknown }>();
  for (const source of history.sources) {
    const facts = source.facts;
    if (!facts?.manifest || !facts.validation) continue;
    const [store, validation] = await Promise.all([blobs.get(facts.manifest), blobs.get(facts.validation)]);
    // An erased blob leaves a plain ingredient: the ledger still records what was read.
    if (store && validation) out.set(source.label, { store, validation: JSON.parse(new TextDecoder().decode(validation)) });
  }
  return out;
}

function includesBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * Builds the manifest for `asset` from the ledger and signs `bytes` with it. The bytes must be a
 * recorded state of the asset (see assetHistory), so the credentials describe exactly this file.
 */
export async function exportC2pa(input: ExportInput): Promise<ExportResult> {
  checkExportSize(input.fileName, input.bytes.length);
  const format = assetFormat(input.fileName, input.bytes);
  const history = await assetHistory(input.store, input.project, input.asset, input.state ?? contentCid(input.bytes), input.checkpoints ?? []);
  const { texts, missing } = await disclosures(history, input.blobs, input.disclosePrompts ?? false);
  const plan = buildManifest({
    history,
    title: fileNameOf(input.fileName),
    format: format.mime,
    claimGenerator: input.claimGenerator ?? CLAIM_GENERATOR,
    disclosed: texts,
    sourceManifests: await sourceManifests(history, input.blobs),
  });
  const signed = await signManifest(plan, format, input.bytes, input.identity, input.chain, input.fileName);
  if (signed.sidecar) {
    // The sidecar is only worth shipping if it binds to this exact text (the SDK cannot check it).
    if (!includesBytes(signed.sidecar, sha256(input.bytes))) throw new Error(`signing ${input.fileName}: the sidecar's data hash does not match the text`);
  }
  const result: ExportResult = { format, asset: signed.asset, plan, history, undisclosable: missing };
  if (signed.sidecar) result.sidecar = signed.sidecar;
  return result;
}

/**
 * Export: an asset's final bytes plus its ledger history become a file with Content Credentials
 * (embedded), or the unchanged file plus a sidecar `.c2pa` manifest (text). The SDK signs with our
 * COSE signer and re-reads the result before returning (verify-after-sign), so a bad signature
 * fails here and never ships.
 */
import { createHash } from 'node:crypto';
import { contentCid, type BlobStore, type CID, type RecordStore, type SigningIdentity } from '@colophon/core';
import { coseSigner } from './cose-signer.js';
import { assetFormat, checkExportSize, type AssetFormat } from './formats.js';
import { assetHistory, type AssetHistory, type FeedCheckpointRef } from './ledger-history.js';
import { buildManifest, type ClaimGenerator, type ManifestPlan } from './manifest.js';
import { openCommitment } from '@colophon/core';
import { BytesBlob, initSdk, sdkContext, sdkError, WasmBuilder } from './sdk.js';

export const CLAIM_GENERATOR: ClaimGenerator = { name: 'Colophon', version: '0.1.0' };

export interface ExportInput {
  store: RecordStore;
  blobs: BlobStore;
  /** The project's genesis CID. */
  project: CID;
  asset: string;
  /** Name of the file being exported (picks the format; becomes the manifest title). */
  fileName: string;
  bytes: Uint8Array;
  /** The identity that signs, and its certificate chain (leaf first, DER). */
  identity: SigningIdentity;
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

/** Signs `plan` over `bytes` with the SDK; returns the signed file, or the sidecar for text. */
export async function signManifest(plan: ManifestPlan, format: AssetFormat, bytes: Uint8Array, identity: SigningIdentity, chain: readonly Uint8Array[], fileName: string): Promise<{ asset: Uint8Array; sidecar?: Uint8Array }> {
  initSdk();
  const signer = coseSigner(identity, chain);
  let builder: WasmBuilder | undefined;
  try {
    builder = WasmBuilder.fromJson(JSON.stringify(plan.definition), sdkContext({ verifyAfterSign: true }));
    for (const [id, resource] of plan.resources) builder.addResourceFromBlob(id, new BytesBlob(resource));
    if (format.carriage === 'embedded') {
      return { asset: await builder.sign(signer, [], format.mime, new BytesBlob(bytes, format.mime)) };
    }
    builder.setNoEmbed(true);
    const result = (await builder.signAndGetManifestBytes(signer, [], format.mime, new BytesBlob(bytes, format.mime))) as { manifest: Uint8Array };
    return { asset: bytes, sidecar: result.manifest };
  } catch (thrown) {
    throw sdkError(thrown, `signing ${fileName}`);
  } finally {
    builder?.free();
  }
}

/**
 * Builds the manifest for `asset` from the ledger and signs `bytes` with it. The bytes must be a
 * recorded state of the asset (see assetHistory), so the credentials describe exactly this file.
 */
export async function exportC2pa(input: ExportInput): Promise<ExportResult> {
  checkExportSize(input.fileName, input.bytes.length);
  const format = assetFormat(input.fileName, input.bytes);
  const history = await assetHistory(input.store, input.project, input.asset, contentCid(input.bytes), input.checkpoints ?? []);
  const { texts, missing } = await disclosures(history, input.blobs, input.disclosePrompts ?? false);
  const plan = buildManifest({
    history,
    title: input.fileName.split(/[\\/]/).pop()!,
    format: format.mime,
    claimGenerator: input.claimGenerator ?? CLAIM_GENERATOR,
    disclosed: texts,
    sourceManifests: await sourceManifests(history, input.blobs),
  });
  const signed = await signManifest(plan, format, input.bytes, input.identity, input.chain, input.fileName);
  if (signed.sidecar) {
    // The sidecar is only worth shipping if it binds to this exact text (the SDK cannot check it).
    const digest = createHash('sha256').update(input.bytes).digest('hex');
    if (!Buffer.from(signed.sidecar).includes(Buffer.from(digest, 'hex'))) throw new Error(`signing ${input.fileName}: the sidecar's data hash does not match the text`);
  }
  const result: ExportResult = { format, asset: signed.asset, plan, history, undisclosable: missing };
  if (signed.sidecar) result.sidecar = signed.sidecar;
  return result;
}

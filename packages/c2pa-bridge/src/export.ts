/**
 * Export: an asset's final bytes plus its ledger history become a file with Content Credentials
 * (embedded), or the unchanged file plus a sidecar `.c2pa` manifest (text). The SDK signs with our
 * COSE signer; a PNG or JPEG by splice (splice.ts: the file is hashed and copied in pieces), any
 * other file whole. Either way the official reader checks the signature before anything is
 * returned or written (verify-after-sign), so a bad signature fails here and never ships.
 * Platform-neutral (the browser entry uses it); writing files is export-file.ts, Node only.
 */
import { contentCidFromDigest, sha256, type BlobStore, type CID, type RecordStore } from '@colophon/core';
import { BytesBlob, bytesSource, SourceBlob, type ByteSource } from './byte-source.js';
import { coseSigner, type ClaimKey } from './cose-signer.js';
import { assetFormat, checkExportSize, fileNameOf, type AssetFormat } from './formats.js';
import { assetHistory, type AssetHistory, type FeedCheckpointRef } from './ledger-history.js';
import { buildManifest, CLAIM_GENERATOR, type ClaimGenerator, type ManifestDefinition, type ManifestPlan } from './manifest.js';
import { openCommitment } from '@colophon/core';
import { DATA_HASH_MISMATCH, NOT_TAMPERING } from './read.js';
import { initSdk, sdkContext, SdkError, sdkError, WasmBuilder, WasmReader } from './sdk.js';
import { spliceManifest, splicedSource, type Splice } from './splice.js';

export { CLAIM_GENERATOR };

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

function builderFor(plan: ManifestPlan, definition: ManifestDefinition, verifyAfterSign: boolean): WasmBuilder {
  const builder = WasmBuilder.fromJson(JSON.stringify(definition), sdkContext({ verifyAfterSign }));
  try {
    for (const [id, resource] of plan.resources) builder.addResourceFromBlob(id, new BytesBlob(resource));
    return builder;
  } catch (error) {
    builder.free();
    throw error;
  }
}

/** Signs `plan` over `bytes` with the SDK; returns the signed file, or the sidecar for text. */
export async function signManifest(plan: ManifestPlan, format: AssetFormat, bytes: Uint8Array, identity: ClaimKey, chain: readonly Uint8Array[], fileName: string): Promise<{ asset: Uint8Array; sidecar?: Uint8Array }> {
  initSdk();
  const signer = coseSigner(identity, chain);
  let builder: WasmBuilder | undefined;
  try {
    builder = builderFor(plan, plan.definition, true);
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
 * Signs a PNG or JPEG by splice (see splice.ts), then checks it as verify-after-sign does inside
 * the SDK on the other path, without reading the file whole (the SDK's reader takes each hashed
 * range of a file into memory in one piece): the official reader checks the signed carrier
 * (claim signature, certificate, every assertion's hash), where the one failure expected is the
 * data hash, which is of the real file, not the carrier; that hash must be ours, and the file
 * hashes to it with the manifest excluded by construction (its range is where the manifest
 * goes, and writeTo hashes the input again as it copies it).
 */
export async function signBySplice(plan: ManifestPlan, format: AssetFormat, source: ByteSource, digest: Uint8Array, identity: ClaimKey, chain: readonly Uint8Array[], fileName: string): Promise<Splice | undefined> {
  initSdk();
  const signer = coseSigner(identity, chain);
  const splice = await spliceManifest(format, source, digest, async (hash, carrier) => {
    const definition = { ...plan.definition, assertions: [...plan.definition.assertions, hash] };
    const builder = builderFor(plan, definition, false);
    try {
      return await builder.sign(signer, [], format.mime, new BytesBlob(carrier, format.mime));
    } catch (thrown) {
      throw sdkError(thrown, `signing ${fileName}`);
    } finally {
      builder.free();
    }
  });
  if (!splice) return undefined;
  const signedCarrier = splicedSource(bytesSource(splice.carrier), splice);
  let reader: WasmReader | undefined;
  try {
    reader = await WasmReader.fromBlob(format.mime, new SourceBlob(signedCarrier, 0, signedCarrier.size, format.mime), sdkContext());
    const store = JSON.parse(reader.json()) as { validation_results?: { activeManifest?: { failure?: { code: string }[] } } };
    const failures = (store.validation_results?.activeManifest?.failure ?? []).map((f) => f.code).filter((code) => !NOT_TAMPERING.test(code) && code !== DATA_HASH_MISMATCH);
    if (failures.length > 0) throw new SdkError(`signing ${fileName}: the signed manifest does not verify (${failures.join(', ')}); nothing was written`, 'VerifyAfterSign', failures.join(', '));
  } catch (thrown) {
    throw thrown instanceof Error ? thrown : sdkError(thrown, `verifying the manifest signed for ${fileName}`);
  } finally {
    reader?.free();
  }
  if (!includesBytes(splice.manifest, digest)) throw new Error(`signing ${fileName}: the signed manifest does not carry the file's hash; nothing was written`);
  return splice;
}

/** Whether `needle` occurs in `haystack` (a signed hash inside a manifest). */
export function includesBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export interface Prepared {
  format: AssetFormat;
  plan: ManifestPlan;
  history: AssetHistory;
  undisclosable: string[];
}

/** Everything before signing: the asset's history for exactly this content, and the manifest built from it. */
export async function prepare(input: Omit<ExportInput, 'bytes'>, format: AssetFormat, digest: Uint8Array): Promise<Prepared> {
  const history = await assetHistory(input.store, input.project, input.asset, input.state ?? contentCidFromDigest(digest), input.checkpoints ?? []);
  const { texts, missing } = await disclosures(history, input.blobs, input.disclosePrompts ?? false);
  const plan = buildManifest({
    history,
    title: fileNameOf(input.fileName),
    format: format.mime,
    claimGenerator: input.claimGenerator ?? CLAIM_GENERATOR,
    disclosed: texts,
    sourceManifests: await sourceManifests(history, input.blobs),
  });
  return { format, plan, history, undisclosable: missing };
}

/** The whole-file path: the SDK signs `bytes` (embedded) or makes the sidecar (text), checked here. */
export async function signWhole(prepared: Prepared, input: Omit<ExportInput, 'bytes'>, bytes: Uint8Array, digest: Uint8Array): Promise<{ asset: Uint8Array; sidecar?: Uint8Array }> {
  checkExportSize(input.fileName, bytes.length, 'whole');
  const signed = await signManifest(prepared.plan, prepared.format, bytes, input.identity, input.chain, input.fileName);
  // The sidecar is only worth shipping if it binds to this exact text (the SDK cannot check it).
  if (signed.sidecar && !includesBytes(signed.sidecar, digest)) throw new Error(`signing ${input.fileName}: the sidecar's data hash does not match the text`);
  return signed;
}

/**
 * Builds the manifest for `asset` from the ledger and signs `bytes` with it. The bytes must be a
 * recorded state of the asset (see assetHistory), so the credentials describe exactly this file.
 * PNG and JPEG are signed by splice (memory: the signed copy, not the SDK's several); other formats
 * by the SDK over the whole file, up to MAX_EXPORT_BYTES.
 */
export async function exportC2pa(input: ExportInput): Promise<ExportResult> {
  checkExportSize(input.fileName, input.bytes.length, 'spliced');
  const format = assetFormat(input.fileName, input.bytes);
  const digest = sha256(input.bytes);
  const prepared = await prepare(input, format, digest);
  const source = bytesSource(input.bytes);
  const splice = format.carriage === 'embedded' ? await signBySplice(prepared.plan, format, source, digest, input.identity, input.chain, input.fileName) : undefined;
  const signed = splice ? { asset: splicedSource(source, splice).readSync(0, source.size + splice.manifest.length) } : await signWhole(prepared, input, input.bytes, digest);
  const result: ExportResult = { ...prepared, asset: signed.asset };
  if (signed.sidecar) result.sidecar = signed.sidecar;
  return result;
}

/**
 * Ingest: an outside file's Content Credentials become an `ingest` record. The SDK reads and checks
 * the manifest store (remote fetch off); the record holds the file's content id, the validation
 * state and codes, the claim generator, actions, digital source type and ingredient tree, and the
 * store itself goes to the blob store. Invalid credentials are recorded as Invalid, files without
 * any as "none"; a store the SDK cannot read at all is an error and nothing is recorded.
 */
import { C2PA_INGEST_EXT, contentCid, type BlobStore, type CID, type DagValue, type DecodedRecord, type Project, type SigningIdentity } from '@colophon/core';
import { INGEST_FACTS_VERSION, ingestFactsOf, withoutUndefined, type IngestFacts } from './ingest-facts.js';
import { fileNameOf } from './formats.js';
import { extractManifestStore } from './jumbf.js';
import { readCredentials, type CredentialReport } from './read.js';

export interface IngestInput {
  project: Project;
  identity: SigningIdentity;
  blobs: BlobStore;
  fileName: string;
  bytes: Uint8Array;
  /** Asset id for the record (default `file:<file name>`). */
  asset?: string;
  /** The sidecar manifest, for text files. */
  sidecar?: Uint8Array;
  /** Trust anchors (PEM), e.g. the project CA. */
  anchors?: string;
}

export interface IngestResult {
  record: DecodedRecord;
  facts: IngestFacts;
  report: CredentialReport;
  /** True when this exact file was already ingested as this asset: the earlier record is returned. */
  existing: boolean;
}

/** Up to this many actions are kept in the record (records are at most 64 KiB). */
const MAX_ACTIONS = 64;

export function factsFromReport(report: CredentialReport, manifest?: CID, validation?: CID): IngestFacts {
  const facts: IngestFacts = {
    v: INGEST_FACTS_VERSION,
    file: fileNameOf(report.file),
    format: report.format.mime,
    state: report.state,
    codes: report.failures.map((f) => f.code),
    activeManifest: report.activeManifest,
    claimGenerator: report.claimGenerator,
    signer: report.signer && withoutUndefined({ issuer: report.signer.issuer, name: report.signer.commonName }),
    actions: report.actions.slice(0, MAX_ACTIONS),
    digitalSourceType: report.digitalSourceType,
    ingredients: report.ingredients,
    manifest,
    validation,
  } as IngestFacts;
  if (!facts.codes?.length) delete facts.codes;
  if (!facts.actions?.length) delete facts.actions;
  if (!facts.ingredients?.length) delete facts.ingredients;
  return withoutUndefined(facts);
}

async function findExisting(input: IngestInput, asset: string, out: CID): Promise<DecodedRecord | undefined> {
  for (const cid of await input.project.store.query({ asset, kind: 'ingest' })) {
    const record = await input.project.store.get(cid);
    if (record?.record.out?.equals(out) && ingestFactsOf(record.record.ext)) return record;
  }
  return undefined;
}

export async function ingestFile(input: IngestInput): Promise<IngestResult> {
  const report = await readCredentials({ fileName: input.fileName, bytes: input.bytes, ...(input.sidecar ? { sidecar: input.sidecar } : {}), ...(input.anchors ? { anchors: input.anchors } : {}) });
  const asset = input.asset ?? `file:${fileNameOf(input.fileName)}`;
  const out = contentCid(input.bytes);
  const existing = await findExisting(input, asset, out);
  if (existing) return { record: existing, facts: ingestFactsOf(existing.record.ext)!, report, existing: true };

  let manifest: CID | undefined;
  let validation: CID | undefined;
  if (report.state !== 'none') {
    const store = input.sidecar ?? extractManifestStore(input.bytes, report.format.mime);
    if (store) manifest = await input.blobs.put(store);
    if (report.validationResults) validation = await input.blobs.put(new TextEncoder().encode(JSON.stringify(report.validationResults)));
  }
  const facts = factsFromReport(report, manifest, validation);
  const record = await input.project.record(input.identity, {
    kind: 'ingest',
    asset,
    out,
    ...(manifest ? { in: [manifest] } : {}),
    ext: { [C2PA_INGEST_EXT]: facts as unknown as DagValue },
  });
  return { record, facts, report, existing: false };
}


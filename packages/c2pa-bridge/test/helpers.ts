// Shared test setup: a real in-memory ledger (records signed by real identities), the project CA,
// and the real C2PA fixtures kept in the repository (test/fixtures/c2pa, see its README).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitText, contentCid, generateIdentity, MemoryBlobStore, MemoryKeyStore, MemoryRecordStore, Project, utf8Encode, type Contribution, type DecodedRecord, type SigningIdentity } from '@colophon/core';
import { useNodeCrypto } from '@colophon/core/node';
import { caCertificate, issueCertificate, selfSignedCertificate, toPem } from '../src/index.js';

useNodeCrypto();

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const REPO_ROOT = resolve(here, '../../..');
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'c2pa');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export interface Studio {
  project: Project;
  blobs: MemoryBlobStore;
  keys: MemoryKeyStore;
  owner: SigningIdentity;
  dana: SigningIdentity;
  caIdentity: SigningIdentity;
  caDer: Uint8Array;
  caPem: string;
  /** Dana's chain issued by the project CA: [leaf, CA]. */
  danaChain: Uint8Array[];
  /** Dana's self-signed certificate. */
  danaSelf: Uint8Array[];
}

let clock = Date.UTC(2026, 0, 5, 9, 0, 0);
export const tick = () => (clock += 60_000);

export async function studio(): Promise<Studio> {
  const blobs = new MemoryBlobStore();
  const keys = new MemoryKeyStore();
  const owner = generateIdentity();
  const dana = generateIdentity();
  const caIdentity = generateIdentity();
  const project = await Project.create('Test studio', owner, new MemoryRecordStore(), tick);
  const caDer = await caCertificate(caIdentity, { commonName: 'Test studio CA', organization: 'Test studio' });
  const leaf = await issueCertificate(caIdentity, caDer, dana.did, { commonName: 'Dana' });
  const self = await selfSignedCertificate(dana, { commonName: 'Dana (self-signed)' });
  return { project, blobs, keys, owner, dana, caIdentity, caDer, caPem: toPem(caDer), danaChain: [leaf, caDer], danaSelf: [self] };
}

export async function record(s: Studio, signer: SigningIdentity, contribution: Contribution): Promise<DecodedRecord> {
  return s.project.record(signer, contribution);
}

export const MODEL = { type: 'ai' as const, model: { provider: 'acme', name: 'painter', version: '2.1' } };

/**
 * A human + AI session on `asset` ending with `finalBytes`: a private brief, an AI draft linked to
 * it, and a human edit that produces the final bytes (with rights).
 */
export async function session(s: Studio, asset: string, finalBytes: Uint8Array, brief = 'a warm autumn poster'): Promise<{ intent: DecodedRecord; draft: DecodedRecord; edit: DecodedRecord; commit: ReturnType<typeof commitText> }> {
  const commit = commitText(brief);
  await s.blobs.put(commit.opening);
  const intent = await record(s, s.owner, { kind: 'intent', asset, intent: { commit: commit.commit } });
  const draft = await record(s, s.dana, { kind: 'ai.generate', asset, agent: MODEL, links: [intent.cid], out: contentCid(utf8Encode(`draft of ${asset}`)) });
  const edit = await record(s, s.dana, {
    kind: 'asset.edit',
    asset,
    in: [draft.record.out!],
    out: contentCid(finalBytes),
    links: [draft.cid],
    rights: { license: 'CC-BY-4.0', tdm: { 'c2pa.ai_training': 'notAllowed', 'c2pa.data_mining': 'allowed' } },
  });
  return { intent, draft, edit, commit };
}

/** Flips one byte at `index`. */
export function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(Buffer.from(needle), from);
}

// Content Credentials in the panel: the official C2PA SDK (WebAssembly, through
// @colophon/c2pa-bridge/browser) signs and reads here, because the main thread's QuickJS has no
// WebAssembly. The key stays on the main thread (MainThreadKey asks it per signature). The
// ledger the credentials describe is the document's own stored feeds, verified here by the same
// DocumentLedger the main thread uses before anything is built from them.
import { ContractError, evaluateGates, LedgerView, MemoryBlobStore, sha256, type DecodedRecord, type GateEvaluation } from '@colophon/core';
import {
  exportC2pa,
  loadSdk,
  readCredentials,
  selfSignedCertificate,
  type CertificateSigner,
  type CredentialReport,
  type ExportResult,
} from '@colophon/c2pa-bridge/browser';
import { DocumentLedger, type LedgerProblem } from '../document-ledger.js';
import type { MainToUi } from '../protocol.js';

declare const __C2PA_WASM_URL__: string;
declare const __C2PA_WASM_SHA256__: string;

/**
 * Where the SDK's wasm comes from: Figma loads the panel as one HTML document, too small a vessel
 * for 9 MB of wasm (a data: URL holds 2 MiB), so it is fetched from a pinned URL and used only if
 * its SHA-256 is the one this build was made with.
 */
export const C2PA_WASM = { url: __C2PA_WASM_URL__, sha256: __C2PA_WASM_SHA256__ };
const MAX_WASM_BYTES = 32 * 1024 * 1024;

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** SHA-256 with WebCrypto where the page has it (secure contexts), pure JS otherwise. */
async function digest(bytes: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return sha256(bytes);
}

let sdk: Promise<number> | undefined;

/** Fetches (no redirects), checks and loads the SDK once; a failure lets the next call try again. */
export function ensureSdk(url: string): Promise<number> {
  sdk ??= (async () => {
    const response = await fetch(url, { redirect: 'error' });
    if (!response.ok) throw new Error(`the C2PA SDK could not be fetched from ${url} (HTTP ${response.status})`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > MAX_WASM_BYTES) throw new Error(`${url} is ${bytes.length} bytes, more than the C2PA SDK can be`);
    const actual = hex(await digest(bytes));
    if (actual !== C2PA_WASM.sha256) throw new Error(`${url} is not the C2PA SDK build this plugin pins (sha256 ${actual}, expected ${C2PA_WASM.sha256})`);
    return loadSdk(bytes);
  })();
  sdk.catch(() => (sdk = undefined));
  return sdk;
}

/** The identity's key, which lives on the main thread: each signature is a round trip by postMessage. */
export class MainThreadKey implements CertificateSigner {
  constructor(
    readonly did: string,
    readonly publicKey: Uint8Array,
    private readonly ask: (bytes: Uint8Array) => Promise<Uint8Array>,
  ) {}

  sign(message: Uint8Array): Promise<Uint8Array> {
    return this.ask(message);
  }
}

/** The document's stored entries as a read-only root: the panel never writes the ledger. */
function readOnlyRoot(entries: Record<string, string>) {
  return {
    getSharedPluginData: (_namespace: string, key: string) => entries[key] ?? '',
    getSharedPluginDataKeys: () => Object.keys(entries),
    setSharedPluginData: () => {
      throw new Error('the panel reads the ledger; only the main thread writes it');
    },
  };
}

export interface LedgerCheck {
  ledger: DocumentLedger;
  genesis?: DecodedRecord;
  records: number;
  feeds: number;
  problems: LedgerProblem[];
}

/** Verifies the document's feeds exactly as the main thread does on launch (feeds that fail are left out and named). */
export async function verifyEntries(entries: Record<string, string>, did: string): Promise<LedgerCheck> {
  const ledger = await DocumentLedger.open(readOnlyRoot(entries), did);
  let records = 0;
  for await (const _ of ledger.records()) records++;
  const genesis = await ledger.genesis();
  return { ledger, records, feeds: (await ledger.signers()).length, problems: ledger.problems, ...(genesis && { genesis }) };
}

export interface SignedExport {
  fileName: string;
  file: Uint8Array;
  /** The official reader's verdict on the signed file. */
  report: CredentialReport;
  result: ExportResult;
  /** A certificate made for this export, for the main thread to keep (first export of this identity). */
  newChain?: Uint8Array[];
  problems: LedgerProblem[];
}

/**
 * Signs a rendered layer with credentials built from the verified ledger: the asset's latest
 * recorded state is what the rendering shows (the main thread saved every change first).
 */
export async function signExport(job: Extract<MainToUi, { type: 'export-job' }>, key: MainThreadKey, wasmUrl: string): Promise<SignedExport> {
  const [check] = await Promise.all([verifyEntries(job.entries, job.did), ensureSdk(wasmUrl)]);
  if (!check.genesis) throw new Error('this file has no verified Colophon project yet');
  const versions = (await LedgerView.load(check.ledger)).versionsOf(job.asset);
  const state = versions[versions.length - 1]?.record.out;
  if (!state) throw new Error(`${job.asset} has no recorded state yet: nothing to describe`);
  const newChain = job.chain ? undefined : [await selfSignedCertificate(key, { commonName: job.user, organization: 'Colophon for Figma (self-signed)' })];
  const result = await exportC2pa({
    store: check.ledger,
    blobs: new MemoryBlobStore(),
    project: check.genesis.cid,
    asset: job.asset,
    fileName: job.fileName,
    bytes: job.bytes,
    state,
    identity: key,
    chain: job.chain ?? newChain!,
  });
  const report = await readCredentials({ fileName: job.fileName, bytes: result.asset });
  return { fileName: job.fileName, file: result.asset, report, result, problems: check.problems, ...(newChain && { newChain }) };
}

/** The official reader's verdict on any file (the panel's Verify → check a file). */
export async function checkFile(fileName: string, bytes: Uint8Array, wasmUrl: string): Promise<CredentialReport> {
  await ensureSdk(wasmUrl);
  return readCredentials({ fileName, bytes });
}

/** The gates in force for an asset, evaluated over the verified ledger without recording anything (core's evaluateGates); undefined when no contract governs it. */
export async function gateStatus(entries: Record<string, string>, did: string, asset: string): Promise<GateEvaluation | undefined> {
  const check = await verifyEntries(entries, did);
  if (!check.genesis) throw new Error('this file has no verified Colophon project yet');
  try {
    return await evaluateGates(check.ledger, { asset, genesis: check.genesis.cid, owner: check.genesis.record.by });
  } catch (error) {
    if (error instanceof ContractError && /no contract governs/.test(error.message)) return undefined;
    throw error;
  }
}

/**
 * Reads and checks a file's Content Credentials with the C2PA SDK (remote manifest fetch off) and
 * sums them up: validation state and codes, signer, claim generator, actions, digital source type,
 * ingredient tree, and Colophon's ledger assertion when present. Text files carry their manifest
 * in a sidecar, which the SDK cannot bind to the text; that binding is checked here instead.
 */
import { base64Decode, sha256 } from '@colophon/core';
import { assetFormat, MANIFEST_STORE_MIME, type AssetFormat } from './formats.js';
import type { ActionFact, CredentialState, IngredientFact } from './ingest-facts.js';
import { LEDGER_ASSERTION, TRAINING_MINING_ASSERTION, type LedgerAssertion } from './manifest.js';
import { initSdk, sdkContext, sdkError, SdkError, WasmReader } from './sdk.js';

export interface StatusCode {
  code: string;
  url?: string;
  explanation?: string;
}

export interface SignerFacts {
  issuer?: string;
  commonName?: string;
  alg?: string;
  time?: string;
}

export interface SidecarCheck {
  /** Whether the text's SHA-256 equals the data hash signed in the sidecar's claim. */
  dataHash: 'match' | 'mismatch';
  signed: string;
  actual: string;
}

export interface CredentialReport {
  file: string;
  format: AssetFormat;
  state: CredentialState;
  /** The signing certificate does not chain to a trust anchor (the credentials may still be intact). */
  untrusted: boolean;
  /** Whether trust anchors were given for this check. */
  anchored: boolean;
  failures: StatusCode[];
  informational: StatusCode[];
  activeManifest?: string;
  manifestCount: number;
  claimGenerator?: string;
  signer?: SignerFacts;
  actions: ActionFact[];
  digitalSourceType?: string;
  ingredients: IngredientFact[];
  trainingMining?: Record<string, string>;
  /** Colophon's own assertion, when a Colophon ledger made these credentials. */
  ledger?: LedgerAssertion;
  sidecar?: SidecarCheck;
  /** The SDK's validation results, kept to carry this manifest as an ingredient later. */
  validationResults?: unknown;
  /** The SDK's full report (manifest store as JSON). */
  store?: unknown;
}

export interface ReadInput {
  /** The file's name or path: picks the format, and names the file in messages. */
  fileName: string;
  bytes: Uint8Array;
  /** The `.c2pa` sidecar manifest, for text files. */
  sidecar?: Uint8Array;
  /** PEM trust anchors (e.g. the project CA). */
  anchors?: string;
}

/** Codes that mean "we cannot vouch for who signed", not "something was changed". */
export const NOT_TAMPERING = /\.untrusted$/;
export const DATA_HASH_MISMATCH = 'assertion.dataHash.mismatch';
const MAX_INGREDIENT_DEPTH = 8;
const MAX_INGREDIENT_NODES = 64;

interface SdkManifest {
  claim_generator?: string;
  claim_generator_info?: { name?: string; version?: string }[];
  assertions?: { label: string; data: unknown }[];
  ingredients?: SdkIngredient[];
  signature_info?: { alg?: string; issuer?: string; common_name?: string; time?: string };
}

interface SdkIngredient {
  title?: string;
  format?: string;
  relationship?: string;
  active_manifest?: string;
  validation_results?: { activeManifest?: { failure?: StatusCode[] } };
  validation_status?: StatusCode[];
}

interface SdkStore {
  active_manifest?: string;
  manifests?: Record<string, SdkManifest>;
  validation_state?: string;
  validation_results?: { activeManifest?: { success?: StatusCode[]; informational?: StatusCode[]; failure?: StatusCode[] } };
}

function claimGenerator(manifest: SdkManifest): string | undefined {
  if (manifest.claim_generator) return manifest.claim_generator;
  const info = manifest.claim_generator_info?.filter((i) => i.name).map((i) => (i.version ? `${i.name}/${i.version}` : i.name!));
  return info && info.length ? info.join(' ') : undefined;
}

function agentText(agent: unknown): string | undefined {
  if (typeof agent === 'string') return agent;
  if (agent && typeof agent === 'object') {
    const { name, version } = agent as { name?: unknown; version?: unknown };
    if (typeof name === 'string') return typeof version === 'string' ? `${name} ${version}` : name;
  }
  return undefined;
}

function actionsOf(manifest: SdkManifest): ActionFact[] {
  const out: ActionFact[] = [];
  for (const assertion of manifest.assertions ?? []) {
    if (!/^c2pa\.actions(\.v2)?(__\d+)?$/.test(assertion.label)) continue;
    const list = (assertion.data as { actions?: Record<string, unknown>[] }).actions ?? [];
    for (const a of list) {
      if (typeof a.action !== 'string') continue;
      const fact: ActionFact = { action: a.action };
      if (typeof a.digitalSourceType === 'string') fact.digitalSourceType = a.digitalSourceType;
      const agent = agentText(a.softwareAgent);
      if (agent) fact.softwareAgent = agent;
      if (typeof a.when === 'string') fact.when = a.when;
      out.push(fact);
    }
  }
  return out;
}

function ingredientTree(store: SdkStore, manifest: SdkManifest, depth: number, budget: { left: number }, seen: Set<string>): IngredientFact[] {
  const out: IngredientFact[] = [];
  for (const ingredient of manifest.ingredients ?? []) {
    if (budget.left-- <= 0) break;
    const fact: IngredientFact = {};
    if (ingredient.title) fact.title = ingredient.title;
    if (ingredient.format) fact.format = ingredient.format;
    if (ingredient.relationship) fact.relationship = ingredient.relationship;
    const codes = (ingredient.validation_results?.activeManifest?.failure ?? ingredient.validation_status ?? []).map((s) => s.code);
    if (codes.length) fact.codes = codes;
    const label = ingredient.active_manifest;
    const child = label ? store.manifests?.[label] : undefined;
    if (label) fact.manifest = label;
    if (child) {
      const generator = claimGenerator(child);
      if (generator) fact.claimGenerator = generator;
      if (depth < MAX_INGREDIENT_DEPTH && !seen.has(label!)) {
        const children = ingredientTree(store, child, depth + 1, budget, new Set([...seen, label!]));
        if (children.length) fact.ingredients = children;
      }
    }
    out.push(fact);
  }
  return out;
}

/** "b64'...'" as crJSON writes byte strings. */
function crJsonBytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^b64'([A-Za-z0-9+/=]*)'$/.exec(value);
  return match ? base64Decode(match[1]!) : undefined;
}

/** The sha256 data hash signed in the active manifest of a sidecar, checked against the text. */
function sidecarCheck(reader: WasmReader, text: Uint8Array, file: string): SidecarCheck {
  const label = reader.activeLabel();
  const cr = JSON.parse(reader.crJson()) as { manifests?: { label?: string; assertions?: Record<string, { alg?: string; hash?: unknown; exclusions?: unknown[] }> }[] };
  const active = cr.manifests?.find((m) => m.label === label);
  const hashData = active?.assertions?.['c2pa.hash.data'];
  const signed = crJsonBytes(hashData?.hash);
  if (!hashData || !signed) throw new Error(`${file}: the sidecar's claim has no data hash (c2pa.hash.data), so it cannot be bound to the text`);
  if ((hashData.alg ?? 'sha256') !== 'sha256' || (hashData.exclusions?.length ?? 0) > 0) {
    throw new Error(`${file}: the sidecar's data hash uses ${hashData.alg ?? 'sha256'} with ${hashData.exclusions?.length ?? 0} exclusions; only a plain SHA-256 of the whole text is supported`);
  }
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const [expected, actual] = [hex(signed), hex(sha256(text))];
  return { dataHash: expected === actual ? 'match' : 'mismatch', signed: expected, actual };
}

function noCredentials(file: string, format: AssetFormat, anchored: boolean): CredentialReport {
  return { file, format, state: 'none', untrusted: false, anchored, failures: [], informational: [], manifestCount: 0, actions: [], ingredients: [] };
}

/**
 * Reads a file's credentials. Files without any come back as state "none"; a file the SDK cannot
 * read at all (unknown signature algorithm, damaged store) throws an SdkError naming the file.
 */
export async function readCredentials(input: ReadInput): Promise<CredentialReport> {
  const format = assetFormat(input.fileName, input.bytes);
  const anchored = Boolean(input.anchors);
  initSdk();
  const context = sdkContext({ anchors: input.anchors });
  const isSidecar = format.carriage === 'sidecar';
  if (isSidecar && !input.sidecar) return noCredentials(input.fileName, format, anchored);

  let reader: WasmReader;
  try {
    reader = isSidecar ? await WasmReader.fromBytes(MANIFEST_STORE_MIME, input.sidecar!, context) : await WasmReader.fromBytes(format.mime, input.bytes, context);
  } catch (thrown) {
    const error = sdkError(thrown, isSidecar ? `the sidecar of ${input.fileName}` : input.fileName);
    if (!isSidecar && error.code === 'JumbfNotFound') return noCredentials(input.fileName, format, anchored);
    if (isSidecar && (error.code === 'JumbfNotFound' || error.code === 'JumbfParseError')) {
      throw new SdkError(`the sidecar of ${input.fileName} is not a C2PA manifest store (.c2pa file), or it is damaged (${error.raw})`, error.code, error.raw);
    }
    throw error;
  }
  try {
    const store = JSON.parse(reader.json()) as SdkStore;
    const results = store.validation_results?.activeManifest ?? {};
    let failures = results.failure ?? [];
    const success = results.success ?? [];
    let state = (store.validation_state ?? 'Invalid') as CredentialState;
    const report: CredentialReport = {
      file: input.fileName,
      format,
      state,
      untrusted: false,
      anchored,
      failures,
      informational: results.informational ?? [],
      manifestCount: Object.keys(store.manifests ?? {}).length,
      actions: [],
      ingredients: [],
      validationResults: store.validation_results,
      store,
    };
    if (isSidecar) {
      const check = sidecarCheck(reader, input.bytes, input.fileName);
      report.sidecar = check;
      // The SDK always reports this code for a sidecar read alone; our own check replaces it.
      if (check.dataHash === 'match') failures = failures.filter((f) => f.code !== DATA_HASH_MISMATCH);
      else if (!failures.some((f) => f.code === DATA_HASH_MISMATCH)) failures = [...failures, { code: DATA_HASH_MISMATCH, explanation: 'the text does not match the hash signed in its sidecar' }];
      const tampered = failures.some((f) => !NOT_TAMPERING.test(f.code));
      state = tampered ? 'Invalid' : success.some((s) => s.code === 'signingCredential.trusted') ? 'Trusted' : 'Valid';
      report.failures = failures;
      report.state = state;
    }
    report.untrusted = failures.some((f) => f.code === 'signingCredential.untrusted');
    const label = store.active_manifest ?? reader.activeLabel();
    const manifest = label ? store.manifests?.[label] : undefined;
    if (label) report.activeManifest = label;
    if (manifest) {
      const generator = claimGenerator(manifest);
      if (generator) report.claimGenerator = generator;
      const sig = manifest.signature_info;
      if (sig) {
        report.signer = {};
        if (sig.issuer) report.signer.issuer = sig.issuer;
        if (sig.common_name) report.signer.commonName = sig.common_name;
        if (sig.alg) report.signer.alg = sig.alg;
        if (sig.time) report.signer.time = sig.time;
      }
      report.actions = actionsOf(manifest);
      const typed = report.actions.filter((a) => a.digitalSourceType);
      if (typed.length) report.digitalSourceType = typed[typed.length - 1]!.digitalSourceType!;
      report.ingredients = ingredientTree(store, manifest, 1, { left: MAX_INGREDIENT_NODES }, new Set(label ? [label] : []));
      for (const assertion of manifest.assertions ?? []) {
        if (assertion.label === LEDGER_ASSERTION) report.ledger = assertion.data as LedgerAssertion;
        if (assertion.label === TRAINING_MINING_ASSERTION || assertion.label === 'cawg.training-mining') {
          const entries = (assertion.data as { entries?: Record<string, { use?: string }> }).entries ?? {};
          report.trainingMining = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, v.use ?? 'unknown']));
        }
      }
    }
    return report;
  } finally {
    reader.free();
  }
}

export { SdkError };

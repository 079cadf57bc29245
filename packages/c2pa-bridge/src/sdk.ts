/**
 * The official C2PA SDK (@contentauth/c2pa-wasm, c2pa-rs compiled to WebAssembly), platform-neutral:
 * the caller supplies the wasm (Node's entry reads it from the package, see sdk-node.ts; a browser
 * page fetches it and calls loadSdk). Also the FileReaderSync its Blob-taking calls need (Node and
 * a browser window both lack it: only workers have one), per-call settings, and its string errors
 * turned into Errors that name the file.
 */
import * as wasm from '@contentauth/c2pa-wasm';
import { SourceBlob } from './byte-source.js';

export { WasmBuilder, WasmReader } from '@contentauth/c2pa-wasm';

/** Node and a browser window have no FileReaderSync (only workers do); the SDK only ever reads SourceBlobs with it (see byte-source). */
class FileReaderSyncShim {
  readAsArrayBuffer(blob: Blob): ArrayBuffer {
    if (!(blob instanceof SourceBlob)) throw new TypeError('c2pa-bridge: the SDK was given a Blob that is not a SourceBlob');
    return blob.readArrayBuffer();
  }
}

let initMs: number | undefined;
let wasmSource: (() => Uint8Array) | undefined;

function installShim(): void {
  const g = globalThis as { FileReaderSync?: unknown };
  g.FileReaderSync ??= FileReaderSyncShim;
}

/** Where initSdk finds the wasm synchronously (Node's entry registers the package's file). */
export function setSdkSource(read: () => Uint8Array): void {
  wasmSource = read;
}

/**
 * Loads the SDK once, synchronously, from the registered source (about 9 MB of wasm). Returns how
 * long this call took: the cold start on the first call, 0 afterwards. In a browser, where
 * compiling more than 8 MB synchronously is refused, call loadSdk first.
 */
export function initSdk(): number {
  if (initMs !== undefined) return 0;
  if (!wasmSource) throw new Error('the C2PA SDK is not loaded: call loadSdk(wasmBytes) first');
  const started = performance.now();
  installShim();
  wasm.initSync({ module: wasmSource() });
  initMs = performance.now() - started;
  return initMs;
}

/** Loads the SDK once from wasm bytes the caller supplies, asynchronously (works in browsers). */
export async function loadSdk(bytes: Uint8Array): Promise<number> {
  if (initMs !== undefined) return 0;
  const started = performance.now();
  installShim();
  await wasm.default({ module_or_path: bytes as Uint8Array<ArrayBuffer> });
  initMs = performance.now() - started;
  return initMs;
}

/** The cold-start time of the SDK in this process, once it has been loaded. */
export function sdkInitMs(): number | undefined {
  return initMs;
}

export interface SdkSettings {
  /** PEM certificates (one or more) that verification treats as trust anchors. */
  anchors?: string;
  /** Re-reads a freshly signed asset inside the SDK, so a bad signature fails at sign time. */
  verifyAfterSign?: boolean;
}

/**
 * The SDK's per-call settings. Keys must be snake_case (camelCase is silently ignored), and remote
 * manifest fetching is on by default in the SDK, which would make reading a file go to the network.
 */
export function sdkContext(settings: SdkSettings = {}): string {
  const context: Record<string, unknown> = {
    verify: { remote_manifest_fetch: false, verify_after_sign: settings.verifyAfterSign ?? true },
  };
  if (settings.anchors) context.trust = { user_anchors: settings.anchors };
  return JSON.stringify(context);
}

/** An error the SDK raised (it throws plain strings such as "C2pa(JumbfNotFound)"). */
export class SdkError extends Error {
  constructor(
    message: string,
    /** The SDK's own code, e.g. "JumbfNotFound", "UnknownAlgorithm". */
    readonly code: string,
    readonly raw: string,
  ) {
    super(message);
    this.name = 'SdkError';
  }
}

const EXPLAIN: Record<string, string> = {
  JumbfNotFound: 'it carries no Content Credentials',
  UnknownAlgorithm: 'its credentials are signed with an algorithm the C2PA SDK does not know (the signature cannot be checked)',
  UnsupportedType: 'the C2PA SDK does not support this file type',
  InvalidAsset: 'the file is damaged or is not the format its name says',
  JumbfParseError: 'its Content Credentials are damaged (the manifest store cannot be parsed)',
};

/** Turns whatever the SDK threw into an SdkError whose message names `what` (usually a file). */
export function sdkError(thrown: unknown, what: string): SdkError {
  const raw = thrown instanceof Error ? thrown.message : String(thrown);
  const match = /^C2pa\((\w+)/.exec(raw);
  const code = match?.[1] ?? 'Unknown';
  const explained = EXPLAIN[code];
  return new SdkError(explained ? `${what}: ${explained} (${raw})` : `${what}: the C2PA SDK failed: ${raw}`, code, raw);
}

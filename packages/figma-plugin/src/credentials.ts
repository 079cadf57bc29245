// The main thread's side of Content Credentials. The C2PA SDK (WebAssembly) runs in the panel,
// which the main thread's QuickJS cannot host; the key stays here. So the panel asks for each
// signature, and this module answers only the two kinds of message a C2PA export needs:
// - a COSE Sig_structure ["Signature1", protected, h'', claim] (the claim signature), and
// - an X.509 TBSCertificate for this identity's own public key (its self-signed certificate).
// Anything else (a record, a checkpoint note: both domain-separated anyway) is refused, so a
// panel that misbehaves cannot get this key to sign what it likes.
import { base64Decode, base64Encode, type SigningIdentity } from '@colophon/core/record';
import type { FigmaHost } from './host.js';
import { assetOf } from './node-state.js';
import type { ExportFormat, MainToUi } from './protocol.js';

/** clientStorage key of this identity's certificate chain (leaf first, DER): public material only. */
export const CERTIFICATE_KEY = 'colophon.certificate';

// CBOR: array(4), then text(10) "Signature1".
const SIG_STRUCTURE_PREFIX = [0x84, 0x6a, ...Array.from('Signature1', (c) => c.charCodeAt(0))];
// SPKI DER prefix for a raw 32-byte Ed25519 public key (RFC 8410).
const ED25519_SPKI_PREFIX = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
const DER_SEQUENCE = 0x30;
/** A claim to sign or a certificate body is a few kB; nothing legitimate comes near this. */
const MAX_SIGNED_BYTES = 256 * 1024;

export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { PNG: 'png', JPG: 'jpg', SVG: 'svg', PDF: 'pdf' };

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function indexOf(bytes: Uint8Array, needle: readonly number[] | Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** This identity's SubjectPublicKeyInfo, as a certificate for it must hold. */
function ownSpki(identity: SigningIdentity): Uint8Array {
  const out = new Uint8Array(ED25519_SPKI_PREFIX.length + identity.publicKey.length);
  out.set(ED25519_SPKI_PREFIX);
  out.set(identity.publicKey, ED25519_SPKI_PREFIX.length);
  return out;
}

/** Signs `bytes` for the panel when they are a C2PA claim's Sig_structure or this identity's TBSCertificate; throws otherwise. */
export function signForPanel(identity: SigningIdentity, bytes: unknown): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new Error('a signature request must carry bytes');
  if (bytes.length > MAX_SIGNED_BYTES) throw new Error(`a signature request of ${bytes.length} bytes is refused (at most ${MAX_SIGNED_BYTES})`);
  const claim = startsWith(bytes, SIG_STRUCTURE_PREFIX);
  const certificate = bytes[0] === DER_SEQUENCE && indexOf(bytes, ownSpki(identity)) > 0;
  if (!claim && !certificate) throw new Error('refused to sign: only a C2PA claim (COSE Sig_structure) or a certificate for this identity is signed for the panel');
  return identity.sign(bytes);
}

/** The stored certificate chain, if the panel made or imported one for this identity. */
export async function loadChain(storage: ClientStorageAPI, identity: SigningIdentity): Promise<Uint8Array[] | undefined> {
  const stored = (await storage.getAsync(CERTIFICATE_KEY)) as { did?: unknown; chain?: unknown } | undefined;
  if (!stored || stored.did !== identity.did || !Array.isArray(stored.chain) || stored.chain.length === 0) return undefined;
  if (!stored.chain.every((c): c is string => typeof c === 'string')) return undefined;
  return stored.chain.map((c) => base64Decode(c));
}

/** Keeps a chain whose leaf certifies this identity's key (public material: clientStorage is fine). */
export async function storeChain(storage: ClientStorageAPI, identity: SigningIdentity, chain: unknown): Promise<void> {
  if (!Array.isArray(chain) || chain.length === 0 || chain.length > 4 || !chain.every((c) => c instanceof Uint8Array && c.length < 16 * 1024)) {
    throw new Error('a certificate chain is one to four DER certificates, leaf first');
  }
  if (indexOf(chain[0] as Uint8Array, ownSpki(identity)) < 0) throw new Error(`the certificate is not for this identity's key (${identity.did})`);
  // Base64, as JSON-safe as clientStorage values need to be.
  await storage.setAsync(CERTIFICATE_KEY, { did: identity.did, chain: (chain as Uint8Array[]).map((c) => base64Encode(c)) });
}

/** A layer name as a file name: no path separators or control characters. */
function fileBase(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').trim().slice(0, 80);
  return cleaned || 'export';
}

/**
 * Renders the selection's top-level layer (the asset its credentials describe) and hands it to
 * the panel with everything the panel needs to sign it: the document's stored feeds (which the
 * panel verifies itself before trusting) and the certificate chain, if there is one yet.
 */
export async function exportJob(
  host: FigmaHost,
  identity: SigningIdentity,
  job: number,
  format: ExportFormat,
  entries: Record<string, string>,
): Promise<Extract<MainToUi, { type: 'export-job' }>> {
  const selected = host.currentPage.selection[0];
  const asset = selected && assetOf(selected);
  if (!selected || !asset) throw new Error('select a layer to export (its top-level layer is exported)');
  const top = await host.getNodeByIdAsync(asset.slice('figma:'.length));
  if (!top || !('exportAsync' in top)) throw new Error(`${asset} cannot be exported`);
  const bytes = await (top as SceneNode).exportAsync({ format });
  const chain = await loadChain(host.clientStorage, identity);
  return {
    type: 'export-job',
    job,
    asset,
    fileName: `${fileBase(top.name)}.${EXPORT_EXTENSIONS[format]}`,
    format,
    bytes,
    entries,
    did: identity.did,
    publicKey: identity.publicKey,
    user: host.currentUser?.name ?? 'Figma user',
    ...(chain && { chain }),
  };
}

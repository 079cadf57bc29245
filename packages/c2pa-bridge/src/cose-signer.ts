/**
 * The C2PA claim signature: a tagged COSE_Sign1 (RFC 9052) made with cbor-x, shaped exactly as
 * the C2PA SDK's JS signer expects (shared/notes/c2pa.md): protected header {1: -8 (EdDSA),
 * 33: x5chain}, unprotected {"pad": zeros}, detached payload (nil), Ed25519 over the
 * Sig_structure ["Signature1", protected, h'', claim], and a total length of exactly `reserveSize`.
 */
import { Encoder, Tag } from 'cbor-x';

/**
 * What signs a claim: a local identity (SigningIdentity fits), or a key that lives elsewhere and
 * answers asynchronously (the Figma panel asks the plugin's main thread, which keeps the key).
 */
export interface ClaimKey {
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;
const HEADER_X5CHAIN = 33;
const ALG_EDDSA = -8;
const ED25519_SIGNATURE_BYTES = 64;
/** The SDK's usual reservation; grown when a long chain needs more. */
export const DEFAULT_RESERVE_SIZE = 2048;

// Maps stay Maps (integer header labels), byte strings stay plain byte strings (no typed-array tags).
const encoder = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false, variableMapSize: true });

/** cbor-x may hand back a view of its reusable buffer; anything kept or handed on is copied. */
function encode(value: unknown): Uint8Array<ArrayBuffer> {
  return new Uint8Array(encoder.encode(value));
}

/** What the SDK's `sign` and `signAndGetManifestBytes` take as a signer. */
export interface SignerDefinition {
  alg: string;
  reserveSize: number;
  sign: (claim: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>;
}

export interface CoseSigner extends SignerDefinition {
  /** The certificate chain in the x5chain header, leaf first (DER). */
  readonly chain: readonly Uint8Array[];
  /** How many claims this signer has signed (the SDK calls it once per export). */
  readonly count: number;
}

function encodeSign1(protectedHeader: Uint8Array, unprotected: Map<string, Uint8Array>, signature: Uint8Array): Uint8Array {
  return encode(new Tag([protectedHeader, unprotected, null, signature], COSE_SIGN1_TAG));
}

/** The protected header; one certificate is a bare bstr, a chain an array (RFC 9360). */
export function protectedHeaderFor(chain: readonly Uint8Array[]): Uint8Array {
  if (chain.length === 0) throw new Error('a C2PA signer needs its certificate (x5chain is empty)');
  const x5chain = chain.length === 1 ? chain[0]! : [...chain];
  return encode(new Map<number, unknown>([[HEADER_ALG, ALG_EDDSA], [HEADER_X5CHAIN, x5chain]]));
}

/**
 * Pads the unprotected header so the COSE_Sign1 is exactly `size` bytes. A byte string's length
 * prefix grows at 24 and 256 bytes, so one pad cannot hit every size; a second pad ("pad2") fills
 * the gaps, as c2pa-rs does.
 */
export function padToSize(protectedHeader: Uint8Array, signature: Uint8Array, size: number): Uint8Array {
  const build = (pad: number, pad2?: number) => {
    const unprotected = new Map<string, Uint8Array>([['pad', new Uint8Array(pad)]]);
    if (pad2 !== undefined) unprotected.set('pad2', new Uint8Array(pad2));
    return encodeSign1(protectedHeader, unprotected, signature);
  };
  const minimum = build(0).length;
  if (minimum > size) {
    throw new Error(`the claim signature needs ${minimum} bytes but only ${size} are reserved; use a larger reserve size`);
  }
  for (const pad2 of [undefined, 0, 1, 2]) {
    let pad = Math.max(0, size - build(0, pad2).length);
    for (let tries = 0; tries < 4 && pad >= 0; tries++) {
      const out = build(pad, pad2);
      if (out.length === size) return out;
      pad -= out.length - size;
    }
  }
  throw new Error(`cannot pad the claim signature to exactly ${size} bytes`);
}

/** The smallest reservation that fits this chain, rounded up to DEFAULT_RESERVE_SIZE steps. */
export function reserveSizeFor(chain: readonly Uint8Array[]): number {
  const minimum = encodeSign1(protectedHeaderFor(chain), new Map([['pad', new Uint8Array(0)]]), new Uint8Array(ED25519_SIGNATURE_BYTES)).length;
  // Room for the pad headers; whole steps keep file layouts stable between exports.
  return Math.ceil((minimum + 16) / DEFAULT_RESERVE_SIZE) * DEFAULT_RESERVE_SIZE;
}

/**
 * A signer for the SDK. `identity` must hold the key certified by `chain[0]`; the SDK's
 * verify-after-sign then proves every signature before a file is written.
 */
export function coseSigner(identity: ClaimKey, chain: readonly Uint8Array[], reserveSize = reserveSizeFor(chain)): CoseSigner {
  const protectedHeader = protectedHeaderFor(chain);
  let count = 0;
  return {
    // Informational only: the SDK takes the algorithm from the protected header.
    alg: 'ed25519',
    reserveSize,
    chain,
    get count() {
      return count;
    },
    async sign(claim) {
      count++;
      const toBeSigned = encode(['Signature1', protectedHeader, new Uint8Array(0), claim]);
      const signature = await identity.sign(toBeSigned);
      return padToSize(protectedHeader, signature, reserveSize) as Uint8Array<ArrayBuffer>;
    },
  };
}

// DSSE envelopes (https://github.com/secure-systems-lab/dsse): a payload and its type, signed over
// the pre-authentication encoding so a signature can never be read as covering another type.
import type { SigningIdentity } from '../identity/identity.js';
import { verifySignature } from '../identity/identity.js';
import { base64Decode, base64Encode } from '../text/base64.js';
import { utf8Encode } from '../text/utf8.js';
import { ColophonError } from '../errors.js';

export interface DsseSignature {
  /** The signer's did:key (its Ed25519 public key is inside it). */
  keyid: string;
  /** Base64 Ed25519 signature over PAE(payloadType, payload). */
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the payload bytes. */
  payload: string;
  signatures: DsseSignature[];
}

export class EnvelopeError extends ColophonError {}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes as ASCII decimal. */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Uint8Array {
  const type = utf8Encode(payloadType);
  const head = utf8Encode(`DSSEv1 ${type.length} ${payloadType} ${body.length} `);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

export function signEnvelope(payloadType: string, body: Uint8Array, signer: SigningIdentity): DsseEnvelope {
  const sig = signer.sign(preAuthEncoding(payloadType, body));
  return { payloadType, payload: base64Encode(body), signatures: [{ keyid: signer.did, sig: base64Encode(sig) }] };
}

/**
 * Checks every signature of an envelope (each keyid must be a did:key); returns the payload and
 * the dids that signed it. `expected`, when given, must be among them.
 */
export function verifyEnvelope(envelope: DsseEnvelope, expected?: string): { payload: Uint8Array; signers: string[] } {
  if (typeof envelope?.payloadType !== 'string' || typeof envelope.payload !== 'string' || !Array.isArray(envelope.signatures)) {
    throw new EnvelopeError('not a DSSE envelope: it needs payloadType, payload and signatures', '');
  }
  if (envelope.signatures.length === 0) throw new EnvelopeError('the envelope has no signatures', 'signatures');
  let payload: Uint8Array;
  try {
    payload = base64Decode(envelope.payload);
  } catch {
    throw new EnvelopeError('payload is not base64', 'payload');
  }
  const message = preAuthEncoding(envelope.payloadType, payload);
  const signers: string[] = [];
  envelope.signatures.forEach((signature, i) => {
    let sig: Uint8Array;
    try {
      sig = base64Decode(signature.sig);
    } catch {
      throw new EnvelopeError(`signatures[${i}].sig is not base64`, `signatures[${i}].sig`);
    }
    if (!verifySignature(signature.keyid, message, sig)) throw new EnvelopeError(`signatures[${i}] by ${signature.keyid} does not verify`, `signatures[${i}]`);
    signers.push(signature.keyid);
  });
  if (expected !== undefined && !signers.includes(expected)) throw new EnvelopeError(`the envelope is not signed by ${expected}`, 'signatures');
  return { payload, signers };
}

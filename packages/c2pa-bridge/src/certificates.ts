/**
 * X.509 certificates for Colophon identities, in the profile the C2PA SDK accepts for a claim
 * signer (see shared/notes/c2pa.md): v3, basicConstraints CA:FALSE, keyUsage critical
 * digitalSignature, extendedKeyUsage emailProtection, subject and authority key ids. Certificates
 * are signed through `SigningIdentity.sign`, so no private key is ever handled here.
 */
import './reflect-polyfill.js';
import * as x509 from '@peculiar/x509';
import { sha1 } from '@noble/hashes/legacy.js';
import { base64Decode, publicKeyFromDidKey } from '@colophon/core';
import { equalBytes } from './bytes.js';
import type { ClaimKey } from './cose-signer.js';

/** An identity that signs certificates: its did and public key, and a key that may answer asynchronously. */
export interface CertificateSigner extends ClaimKey {
  readonly did: string;
  readonly publicKey: Uint8Array;
}

const ED25519 = { name: 'Ed25519' } as const;
// SPKI DER prefix for a raw 32-byte Ed25519 public key (RFC 8410).
const SPKI_PREFIX = Uint8Array.from([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]);
const EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';
const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export const LEAF_VALIDITY_DAYS = 397;
export const CA_VALIDITY_DAYS = 3650;

export interface CertificateOptions {
  /** Subject common name: a person's or studio's name, never a secret. */
  commonName: string;
  organization?: string;
  /** Start of validity (default now, less five minutes of clock skew). */
  notBefore?: Date;
  validityDays?: number;
}

/** Public facts about a certificate, for display and for choosing a chain. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  selfSigned: boolean;
  /** The did:key named in the subject alternative name, when the certificate was made by Colophon. */
  did?: string;
  /** Ed25519 public key, when the certificate holds one. */
  publicKey?: Uint8Array;
  der: Uint8Array;
}

function spki(publicKey: Uint8Array): Uint8Array<ArrayBuffer> {
  if (publicKey.length !== 32) throw new RangeError(`an Ed25519 public key is 32 bytes, got ${publicKey.length}`);
  const out = new Uint8Array(SPKI_PREFIX.length + 32);
  out.set(SPKI_PREFIX);
  out.set(publicKey, SPKI_PREFIX.length);
  return out;
}

/** A DER certificate as @peculiar/x509 takes it (a view over a plain ArrayBuffer). */
function parseCertificate(der: Uint8Array): x509.X509Certificate {
  return new x509.X509Certificate(der.buffer instanceof ArrayBuffer ? (der as Uint8Array<ArrayBuffer>) : new Uint8Array(der));
}

/** RFC 5280 key identifier (method 1): SHA-1 of the subjectPublicKey bits, i.e. the raw key. */
export function keyIdentifier(publicKey: Uint8Array): string {
  return Array.from(sha1(publicKey), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Just enough of WebCrypto for @peculiar/x509 to sign a certificate: `subtle.sign` goes to the
 * identity, which keeps its secret key to itself.
 */
type GeneratorCrypto = Parameters<typeof x509.X509CertificateGenerator.create>[1];
type GeneratorKey = x509.X509CertificateCreateWithKeyParams['signingKey'];

function identityCrypto(identity: CertificateSigner): GeneratorCrypto {
  const subtle = {
    async sign(_algorithm: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView): Promise<ArrayBuffer> {
      const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      const signature = await identity.sign(bytes);
      return signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer;
    },
  };
  return { subtle, getRandomValues: <T extends ArrayBufferView | null>(array: T) => array } as unknown as GeneratorCrypto;
}

/** Stands in for a CryptoKey: the generator reads only its algorithm. */
const identityKey = { algorithm: ED25519, type: 'private', extractable: false, usages: ['sign'] } as unknown as GeneratorKey;

function serialNumber(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive and never all zero
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function escapeRdn(value: string): string {
  if (/[\n\r]/.test(value)) throw new RangeError('certificate names must be one line');
  return value.replace(/([,+"\\<>;=#])/g, '\\$1');
}

function distinguishedName(options: CertificateOptions): string {
  if (!options.commonName.trim()) throw new RangeError('a certificate needs a common name');
  const parts = [`CN=${escapeRdn(options.commonName)}`];
  if (options.organization) parts.push(`O=${escapeRdn(options.organization)}`);
  return parts.join(', ');
}

function validity(options: CertificateOptions, defaultDays: number): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - CLOCK_SKEW_MS);
  return { notBefore, notAfter: new Date(notBefore.getTime() + (options.validityDays ?? defaultDays) * DAY_MS) };
}

function leafExtensions(subjectKey: Uint8Array, issuerKey: Uint8Array, did: string): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([EMAIL_PROTECTION]),
    new x509.SubjectKeyIdentifierExtension(keyIdentifier(subjectKey)),
    new x509.AuthorityKeyIdentifierExtension(keyIdentifier(issuerKey)),
    // Binds the certificate to the ledger identity: verifiers can match it to record signers.
    new x509.SubjectAlternativeNameExtension([{ type: 'url', value: did }]),
  ];
}

/** A self-signed claim-signing certificate for an individual's identity. */
export async function selfSignedCertificate(identity: CertificateSigner, options: CertificateOptions): Promise<Uint8Array> {
  const name = distinguishedName(options);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: name,
      issuer: name,
      ...validity(options, LEAF_VALIDITY_DAYS),
      publicKey: spki(identity.publicKey),
      signingKey: identityKey,
      signingAlgorithm: ED25519,
      extensions: leafExtensions(identity.publicKey, identity.publicKey, identity.did),
    },
    identityCrypto(identity),
  );
  return new Uint8Array(cert.rawData);
}

/** A project CA certificate (CA:TRUE, path length 0: it issues signer certificates only). */
export async function caCertificate(ca: CertificateSigner, options: CertificateOptions): Promise<Uint8Array> {
  const name = distinguishedName(options);
  const id = keyIdentifier(ca.publicKey);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: name,
      issuer: name,
      ...validity(options, CA_VALIDITY_DAYS),
      publicKey: spki(ca.publicKey),
      signingKey: identityKey,
      signingAlgorithm: ED25519,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.SubjectKeyIdentifierExtension(id),
        new x509.AuthorityKeyIdentifierExtension(id),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: ca.did }]),
      ],
    },
    identityCrypto(ca),
  );
  return new Uint8Array(cert.rawData);
}

/**
 * A claim-signing certificate for `subjectDid` (a did:key: its public key is in the did), issued
 * by the project CA. Only the CA's identity signs; the subject's private key is not needed.
 */
export async function issueCertificate(ca: CertificateSigner, caCert: Uint8Array, subjectDid: string, options: CertificateOptions): Promise<Uint8Array> {
  const issuer = describeCertificate(caCert);
  if (!issuer.isCa) throw new Error(`the CA certificate "${issuer.subject}" is not a CA certificate`);
  if (!issuer.publicKey || !equalBytes(issuer.publicKey, ca.publicKey)) {
    throw new Error(`the CA certificate "${issuer.subject}" does not belong to CA identity ${ca.did}`);
  }
  const subjectKey = publicKeyFromDidKey(subjectDid);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serialNumber(),
      subject: distinguishedName(options),
      issuer: parseCertificate(caCert).subjectName,
      ...validity(options, LEAF_VALIDITY_DAYS),
      publicKey: spki(subjectKey),
      signingKey: identityKey,
      signingAlgorithm: ED25519,
      extensions: leafExtensions(subjectKey, ca.publicKey, subjectDid),
    },
    identityCrypto(ca),
  );
  const notAfter = issuer.notAfter.getTime();
  const der = new Uint8Array(cert.rawData);
  if (describeCertificate(der).notAfter.getTime() > notAfter) {
    throw new Error(`the CA certificate "${issuer.subject}" expires before the new certificate would; renew the CA first`);
  }
  return der;
}


export function describeCertificate(der: Uint8Array): CertificateInfo {
  const cert = parseCertificate(der);
  const basic = cert.getExtension(x509.BasicConstraintsExtension);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const did = san?.names.items.find((n) => n.type === 'url' && n.value.startsWith('did:key:'))?.value;
  const raw = new Uint8Array(cert.publicKey.rawData);
  const info: CertificateInfo = {
    subject: cert.subject,
    issuer: cert.issuer,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    isCa: basic?.ca ?? false,
    selfSigned: cert.subject === cert.issuer,
    der: new Uint8Array(der),
  };
  if (did) info.did = did;
  if (raw.length === SPKI_PREFIX.length + 32 && equalBytes(raw.subarray(0, SPKI_PREFIX.length), SPKI_PREFIX)) info.publicKey = raw.slice(SPKI_PREFIX.length);
  return info;
}

/** True when `cert` was signed by the key in `issuer` (both DER). */
export async function isIssuedBy(cert: Uint8Array, issuer: Uint8Array): Promise<boolean> {
  try {
    return await parseCertificate(cert).verify({ publicKey: parseCertificate(issuer).publicKey, signatureOnly: true }, globalThis.crypto as unknown as GeneratorCrypto);
  } catch {
    return false;
  }
}

export function toPem(der: Uint8Array): string {
  return parseCertificate(der).toString('pem') + '\n';
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * The certificates in PEM text, in order. Refuses text holding anything but certificates, so a
 * private key pasted by mistake is never read, stored or echoed; `what` names the file in errors.
 */
export function certificatesFromPem(text: string, what: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1]!;
    if (label !== 'CERTIFICATE') {
      throw new Error(`${what} holds a "${label}" block; only CERTIFICATE blocks are accepted${/PRIVATE/.test(label) ? ' (never share or store a private key here)' : ''}`);
    }
    const der = base64Decode(match[2]!.replace(/\s+/g, ''));
    try {
      parseCertificate(der);
    } catch {
      throw new Error(`${what}: certificate ${out.length + 1} is not a valid X.509 certificate`);
    }
    out.push(der);
  }
  if (out.length === 0) throw new Error(`${what} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  return out;
}

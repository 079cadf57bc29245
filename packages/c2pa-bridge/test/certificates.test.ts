import '../src/reflect-polyfill.js';
import { verify as nodeVerify, createPublicKey } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { decode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { generateIdentity } from '@colophon/core';
import { caCertificate, certificatesFromPem, coseSigner, describeCertificate, isIssuedBy, issueCertificate, padToSize, protectedHeaderFor, reserveSizeFor, selfSignedCertificate, toPem } from '../src/index.js';
import './helpers.js';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

describe('certificates for Colophon identities', () => {
  it('self-signed: the C2PA claim-signer profile, bound to the did', async () => {
    const dana = generateIdentity();
    const der = await selfSignedCertificate(dana, { commonName: 'Dana' });
    const info = describeCertificate(der);
    expect(info).toMatchObject({ isCa: false, selfSigned: true, did: dana.did, subject: 'CN=Dana' });
    expect(info.publicKey).toEqual(dana.publicKey);
    const cert = new x509.X509Certificate(der);
    const usage = cert.getExtension(x509.KeyUsagesExtension)!;
    expect(usage.critical).toBe(true);
    expect(usage.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages).toEqual(['1.3.6.1.5.5.7.3.4']);
    expect(cert.getExtension(x509.BasicConstraintsExtension)!.ca).toBe(false);
    const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(ski);
    expect(await isIssuedBy(der, der)).toBe(true);
  });

  it('project CA issues leaf certificates signed by the CA identity, for any did:key', async () => {
    const ca = generateIdentity();
    const dana = generateIdentity();
    const caDer = await caCertificate(ca, { commonName: 'Studio CA', organization: 'Studio' });
    const caInfo = describeCertificate(caDer);
    expect(caInfo).toMatchObject({ isCa: true, selfSigned: true, did: ca.did });
    const leaf = await issueCertificate(ca, caDer, dana.did, { commonName: 'Dana' });
    const info = describeCertificate(leaf);
    expect(info).toMatchObject({ isCa: false, selfSigned: false, did: dana.did, issuer: caInfo.subject });
    expect(await isIssuedBy(leaf, caDer)).toBe(true);
    expect(await isIssuedBy(leaf, await selfSignedCertificate(dana, { commonName: 'x' }))).toBe(false);
    const cert = new x509.X509Certificate(leaf);
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(new x509.X509Certificate(caDer).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
    // A CA certificate of another key cannot be used with this CA identity.
    await expect(issueCertificate(generateIdentity(), caDer, dana.did, { commonName: 'Dana' })).rejects.toThrow(/does not belong to CA identity/);
    await expect(issueCertificate(ca, leaf, dana.did, { commonName: 'Dana' })).rejects.toThrow(/is not a CA certificate/);
  });

  it('PEM input accepts certificates only, and never echoes a private key', async () => {
    const der = await selfSignedCertificate(generateIdentity(), { commonName: 'A' });
    expect(certificatesFromPem(toPem(der) + toPem(der), 'a.pem')).toHaveLength(2);
    const key = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n-----END PRIVATE KEY-----\n';
    let message = '';
    try {
      certificatesFromPem(toPem(der) + key, 'anchors.pem');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/anchors\.pem holds a "PRIVATE KEY" block; only CERTIFICATE blocks are accepted/);
    expect(message).not.toContain('MC4CAQAw');
    expect(() => certificatesFromPem('hello', 'x.pem')).toThrow(/x\.pem holds no PEM certificate/);
  });
});

describe('COSE_Sign1 signer', () => {
  it('produces a tagged COSE_Sign1 with EdDSA, x5chain, detached payload and a valid signature, padded exactly', async () => {
    const dana = generateIdentity();
    const leaf = await selfSignedCertificate(dana, { commonName: 'Dana' });
    const signer = coseSigner(dana, [leaf]);
    const claim = new TextEncoder().encode('claim bytes');
    const sign1 = await signer.sign(claim as Uint8Array<ArrayBuffer>);
    expect(sign1.length).toBe(signer.reserveSize);
    const tagged = decode(sign1) as { tag: number; value: [Uint8Array, Map<string, Uint8Array> | Record<string, Uint8Array>, null, Uint8Array] };
    expect(tagged.tag).toBe(18);
    const [protectedBytes, , payload, signature] = tagged.value;
    expect(payload).toBeNull();
    const header = decode(protectedBytes) as Record<number, unknown> | Map<number, unknown>;
    const get = (k: number) => (header instanceof Map ? header.get(k) : header[k]);
    expect(get(1)).toBe(-8);
    expect(Buffer.from(get(33) as Uint8Array)).toEqual(Buffer.from(leaf));
    const { Encoder } = await import('cbor-x');
    const sigStructure = new Encoder({ useRecords: false, mapsAsObjects: false, tagUint8Array: false }).encode(['Signature1', protectedBytes, new Uint8Array(0), claim]);
    const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, dana.publicKey]), format: 'der', type: 'spki' });
    expect(nodeVerify(null, sigStructure, publicKey, signature)).toBe(true);
    expect(signer.count).toBe(1);
  });

  it('hits every reserved size exactly, including where one pad cannot (byte-string length steps)', () => {
    const header = protectedHeaderFor([new Uint8Array(400)]);
    const signature = new Uint8Array(64);
    let minimum = 0;
    for (let size = 400; size < 600 && !minimum; size++) {
      try {
        padToSize(header, signature, size);
        minimum = size;
      } catch (error) {
        expect((error as Error).message).toMatch(/needs \d+ bytes but only \d+ are reserved/);
      }
    }
    expect(minimum).toBeGreaterThan(400);
    // Past the minimum every size works, across the 24- and 256-byte length-prefix steps.
    for (let size = minimum; size < minimum + 700; size++) expect(padToSize(header, signature, size).length).toBe(size);
    expect(reserveSizeFor([new Uint8Array(400), new Uint8Array(400)])).toBe(2048);
    expect(reserveSizeFor([new Uint8Array(3000)])).toBe(4096);
  });
});

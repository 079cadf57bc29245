/**
 * The project CA and signer certificates, kept in `.colophon/ca/` of the workspace. Only public
 * material is ever written there (certificates and a small JSON description); the CA's private key
 * is a Colophon identity in the user's key store, outside every workspace.
 *
 *   ca/ca.pem            the CA certificate (the trust anchor verifiers are given)
 *   ca/ca.json           {version, key, did, subject, notBefore, notAfter}
 *   ca/certs/<id>.pem    a signer's chain, leaf first (CA-issued: leaf + CA; self-signed: leaf)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDidKey, type KeyStore, type SigningIdentity } from '@colophon/core';
import { writeFileAtomic } from '@colophon/core/node';
import { caCertificate, certificatesFromPem, describeCertificate, isIssuedBy, issueCertificate, selfSignedCertificate, toPem, type CertificateInfo } from './certificates.js';

export const CA_DIRECTORY = 'ca';
const CA_PEM = 'ca.pem';
const CA_JSON = 'ca.json';
const CERTS = 'certs';

export interface CaDescription {
  version: 1;
  /** Name of the CA identity in the owner's key store. */
  key: string;
  did: string;
  subject: string;
  notBefore: string;
  notAfter: string;
}

export interface SignerChain {
  /** Leaf first, DER. */
  chain: Uint8Array[];
  leaf: CertificateInfo;
  issuedBy: 'project-ca' | 'self';
  path: string;
}

export class CaError extends Error {
  override name = 'CaError';
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Public material only: refuses to write anything that looks like a private key. */
async function writePublic(path: string, text: string): Promise<void> {
  if (/PRIVATE KEY|"seed"/.test(text)) throw new CaError(`refusing to write private key material to ${path}`);
  await writeFileAtomic(path, text, 0o644);
}

function fileIdOf(did: string): string {
  if (!isDidKey(did)) throw new CaError(`"${did}" is not a did:key`);
  return did.slice('did:key:'.length);
}

const now = () => new Date();

export class ProjectCa {
  readonly directory: string;

  /** `colophonDir` is the workspace's `.colophon` folder. */
  constructor(colophonDir: string) {
    this.directory = join(colophonDir, CA_DIRECTORY);
  }

  get certificatePath(): string {
    return join(this.directory, CA_PEM);
  }

  chainPath(did: string): string {
    return join(this.directory, CERTS, `${fileIdOf(did)}.pem`);
  }

  async description(): Promise<CaDescription | undefined> {
    const text = await readText(join(this.directory, CA_JSON));
    if (text === undefined) return undefined;
    try {
      const value = JSON.parse(text) as CaDescription;
      if (value.version !== 1 || typeof value.key !== 'string' || typeof value.did !== 'string') throw new Error('shape');
      return value;
    } catch {
      throw new CaError(`${join(this.directory, CA_JSON)} is not a Colophon CA description`);
    }
  }

  /** The CA certificate (DER), or undefined when the project has no CA. */
  async certificate(): Promise<Uint8Array | undefined> {
    const text = await readText(this.certificatePath);
    if (text === undefined) return undefined;
    const [der] = certificatesFromPem(text, this.certificatePath);
    return der;
  }

  /** The CA certificate as PEM, for use as a trust anchor. */
  async anchorPem(): Promise<string | undefined> {
    const der = await this.certificate();
    return der && toPem(der);
  }

  /**
   * Creates the project CA: a key-store identity named `keyName` (made when missing) and a
   * self-signed CA certificate for it. Refuses when the project already has a CA.
   */
  async init(keys: KeyStore, options: { keyName: string; commonName: string; organization?: string }): Promise<{ description: CaDescription; createdKey: boolean }> {
    if (await this.description()) throw new CaError(`this project already has a CA (${this.directory}); its certificate is ${this.certificatePath}`);
    let ca = await keys.get(options.keyName);
    const createdKey = !ca;
    ca ??= await keys.create(options.keyName);
    const der = await caCertificate(ca, { commonName: options.commonName, ...(options.organization ? { organization: options.organization } : {}) });
    const info = describeCertificate(der);
    const description: CaDescription = { version: 1, key: options.keyName, did: ca.did, subject: info.subject, notBefore: info.notBefore.toISOString(), notAfter: info.notAfter.toISOString() };
    await writePublic(this.certificatePath, toPem(der));
    await writePublic(join(this.directory, CA_JSON), `${JSON.stringify(description, null, 2)}\n`);
    return { description, createdKey };
  }

  /** The CA identity from the key store: only the CA owner's machine has it. */
  async caIdentity(keys: KeyStore): Promise<SigningIdentity> {
    const description = await this.description();
    if (!description) throw new CaError('this project has no CA yet; create it with "colophon ca init"');
    const identity = await keys.get(description.key);
    if (!identity) throw new CaError(`the CA key "${description.key}" is not in this machine's key store; certificates are issued on the CA owner's machine`);
    if (identity.did !== description.did) throw new CaError(`key "${description.key}" in the key store is not the project CA's key (${description.did})`);
    return identity;
  }

  /** Issues a CA certificate for `subjectDid` and stores its chain (leaf, CA) for export. */
  async issue(keys: KeyStore, subjectDid: string, commonName: string, organization?: string): Promise<SignerChain> {
    const ca = await this.caIdentity(keys);
    const caDer = await this.certificate();
    if (!caDer) throw new CaError(`the CA certificate ${this.certificatePath} is missing`);
    const leaf = await issueCertificate(ca, caDer, subjectDid, { commonName, ...(organization ? { organization } : {}) });
    const path = this.chainPath(subjectDid);
    await writePublic(path, toPem(leaf) + toPem(caDer));
    return { chain: [leaf, caDer], leaf: describeCertificate(leaf), issuedBy: 'project-ca', path };
  }

  /** Makes and stores a self-signed certificate for an individual's identity. */
  async selfSign(identity: SigningIdentity, commonName: string): Promise<SignerChain> {
    const leaf = await selfSignedCertificate(identity, { commonName });
    const path = this.chainPath(identity.did);
    await writePublic(path, toPem(leaf));
    return { chain: [leaf], leaf: describeCertificate(leaf), issuedBy: 'self', path };
  }

  /**
   * The stored chain for `did`, when there is one that is for this key, currently valid, and (when
   * CA-issued) signed by this project's current CA. Anything else counts as absent.
   */
  async chainFor(did: string, at: Date = now()): Promise<SignerChain | undefined> {
    const path = this.chainPath(did);
    const text = await readText(path);
    if (text === undefined) return undefined;
    const chain = certificatesFromPem(text, path);
    const leaf = describeCertificate(chain[0]!);
    if (leaf.did !== did || leaf.notBefore > at || leaf.notAfter < at) return undefined;
    if (leaf.selfSigned) return { chain: [chain[0]!], leaf, issuedBy: 'self', path };
    const caDer = await this.certificate();
    if (!caDer || !(await isIssuedBy(chain[0]!, caDer))) return undefined;
    return { chain: [chain[0]!, caDer], leaf, issuedBy: 'project-ca', path };
  }

  /** The chain to sign with: the project CA's certificate when issued, else a self-signed one (made once). */
  async signerChain(identity: SigningIdentity, commonName: string): Promise<SignerChain> {
    return (await this.chainFor(identity.did)) ?? this.selfSign(identity, commonName);
  }
}

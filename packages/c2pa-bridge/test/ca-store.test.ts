import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportSeed, generateIdentity, MemoryKeyStore } from '@colophon/core';
import { describeCertificate, ProjectCa, toPem } from '../src/index.js';
import './helpers.js';

async function workspace(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'colophon-ca-')), '.colophon');
}

describe('ProjectCa: certificates in .colophon/ca, keys never', () => {
  it('init, issue and chainFor; only public material on disk', async () => {
    const dir = await workspace();
    const keys = new MemoryKeyStore();
    const dana = await keys.create('dana');
    const ca = new ProjectCa(dir);
    const { description, createdKey } = await ca.init(keys, { keyName: 'studio-ca', commonName: 'Studio CA', organization: 'Studio' });
    expect(createdKey).toBe(true);
    expect(description).toMatchObject({ version: 1, key: 'studio-ca', subject: 'CN=Studio CA, O=Studio' });
    await expect(ca.init(keys, { keyName: 'studio-ca', commonName: 'again' })).rejects.toThrow(/already has a CA/);

    expect(await ca.chainFor(dana.did)).toBeUndefined();
    const issued = await ca.issue(keys, dana.did, 'Dana', 'Studio');
    expect(issued.issuedBy).toBe('project-ca');
    expect(issued.leaf.subject).toBe('CN=Dana, O=Studio');
    const found = await ca.chainFor(dana.did);
    expect(found?.chain.map((c) => describeCertificate(c).subject)).toEqual(['CN=Dana, O=Studio', 'CN=Studio CA, O=Studio']);

    const secrets = [exportSeed((await keys.get('studio-ca'))!), exportSeed(dana)].map((s) => Buffer.from(s));
    for (const file of await readdir(join(dir, 'ca'), { recursive: true })) {
      if (!/\.(pem|json)$/.test(file)) continue;
      const bytes = await readFile(join(dir, 'ca', file));
      expect(bytes.toString()).not.toMatch(/PRIVATE/);
      for (const secret of secrets) {
        expect(bytes.includes(secret)).toBe(false);
        expect(bytes.includes(Buffer.from(secret.toString('base64')))).toBe(false);
      }
    }
  });

  it('falls back to a self-signed certificate, and ignores chains that are not for this key or CA', async () => {
    const dir = await workspace();
    const keys = new MemoryKeyStore();
    const sam = generateIdentity();
    const ca = new ProjectCa(dir);
    const self = await ca.signerChain(sam, 'Sam');
    expect(self.issuedBy).toBe('self');
    expect((await ca.signerChain(sam, 'Sam')).leaf.serialNumber).toBe(self.leaf.serialNumber); // made once, then reused

    // A chain file holding someone else's certificate is not used for sam.
    const other = await new ProjectCa(await workspace()).selfSign(generateIdentity(), 'Other');
    await writeFile(ca.chainPath(sam.did), toPem(other.chain[0]!));
    expect(await ca.chainFor(sam.did)).toBeUndefined();

    // A certificate from another project's CA does not count as this project's.
    const elsewhere = new ProjectCa(await workspace());
    await elsewhere.init(keys, { keyName: 'other-ca', commonName: 'Other CA' });
    await ca.init(keys, { keyName: 'this-ca', commonName: 'This CA' });
    const foreign = await elsewhere.issue(keys, sam.did, 'Sam');
    await writeFile(ca.chainPath(sam.did), toPem(foreign.chain[0]!) + toPem(foreign.chain[1]!));
    expect(await ca.chainFor(sam.did)).toBeUndefined();
    // Issuing needs the CA key: a machine without it gets a clear error.
    await expect(new ProjectCa(dir).issue(new MemoryKeyStore(), sam.did, 'Sam')).rejects.toThrow(/the CA key "this-ca" is not in this machine's key store/);
  });
});

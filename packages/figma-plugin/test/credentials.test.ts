// The main thread signs for the panel only what a C2PA export needs: a claim's COSE
// Sig_structure, or a certificate body for its own key. A panel that asks for anything else (a
// record, another key's certificate, arbitrary bytes) is refused, and a stored chain must certify
// this identity's key.
import { selfSignedCertificate } from '@colophon/c2pa-bridge';
import { generateIdentity, signRecord } from '@colophon/core';
import { describe, expect, it } from 'vitest';
import { CERTIFICATE_KEY, loadChain, signForPanel, storeChain } from '../src/credentials.js';

function memoryStorage(): ClientStorageAPI {
  const values = new Map<string, unknown>();
  return {
    getAsync: async (key) => values.get(key),
    setAsync: async (key, value) => void values.set(key, JSON.parse(JSON.stringify(value))),
    deleteAsync: async (key) => void values.delete(key),
    keysAsync: async () => [...values.keys()],
  };
}

describe('signing for the panel', () => {
  const alice = generateIdentity();
  const mallory = generateIdentity();

  it('signs a COSE Sig_structure and a certificate for its own key', async () => {
    const sigStructure = Uint8Array.from([0x84, 0x6a, ...Buffer.from('Signature1'), 0x40, 0x40, 0x41, 0x00]);
    expect(signForPanel(alice, sigStructure)).toHaveLength(64);
    let tbs: Uint8Array | undefined;
    await selfSignedCertificate({ did: alice.did, publicKey: alice.publicKey, sign: (m) => ((tbs = m), signForPanel(alice, m)) }, { commonName: 'Alice' });
    expect(tbs?.[0]).toBe(0x30);
  });

  it('refuses a record, another key\'s certificate, and anything else', async () => {
    // The exact message a record signature covers (what a rogue panel would need signed).
    let recordMessage: Uint8Array | undefined;
    signRecord({ kind: 'project.genesis', by: alice.did, seq: 0, at: 1, ext: { 'colophon.project': { name: 'x' } } }, { ...alice, sign: (m) => ((recordMessage = m), alice.sign(m)) });
    expect(() => signForPanel(alice, recordMessage)).toThrow(/refused to sign/);
    await expect(selfSignedCertificate({ did: mallory.did, publicKey: mallory.publicKey, sign: (m) => signForPanel(alice, m) }, { commonName: 'Mallory' })).rejects.toThrow(/refused to sign/);
    expect(() => signForPanel(alice, new Uint8Array(300 * 1024).fill(0x84))).toThrow(/refused/);
    expect(() => signForPanel(alice, 'Signature1')).toThrow(/must carry bytes/);
  });

  it('keeps only a chain that certifies its own key', async () => {
    const storage = memoryStorage();
    const own = await selfSignedCertificate(alice, { commonName: 'Alice' });
    const other = await selfSignedCertificate(mallory, { commonName: 'Mallory' });
    await expect(storeChain(storage, alice, [other])).rejects.toThrow(/not for this identity's key/);
    await expect(storeChain(storage, alice, 'not a chain')).rejects.toThrow(/one to four DER certificates/);
    expect(await loadChain(storage, alice)).toBeUndefined();
    await storeChain(storage, alice, [own]);
    expect(await loadChain(storage, alice)).toEqual([own]);
    expect(await loadChain(storage, mallory)).toBeUndefined();
    expect(JSON.stringify(await storage.getAsync(CERTIFICATE_KEY))).not.toMatch(/seed|secret|private/i);
  });
});

// The browser entry (@colophon/c2pa-bridge/browser): bundled for a browser it pulls in no node:*
// module, and with a key that answers asynchronously (as the Figma panel's, which asks the main
// thread) it signs credentials the official reader finds Valid, through the same manifest builder.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { contentCid, generateIdentity, MemoryBlobStore, MemoryRecordStore, Project } from '@colophon/core';
import { describe, expect, it } from 'vitest';
import { exportC2pa, readCredentials, selfSignedCertificate, type CertificateSigner } from '../src/browser.js';
import '../src/sdk-node.js';

const ENTRY = fileURLToPath(new URL('../src/browser.ts', import.meta.url));
const PNG = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64'));

describe('c2pa-bridge browser entry', () => {
  it('bundles for the browser without any node: module', async () => {
    const result = await build({ entryPoints: [ENTRY], bundle: true, write: false, platform: 'browser', format: 'esm', conditions: ['@colophon/source'], logLevel: 'silent', metafile: true });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith('node:') || i.includes('sdk-node'))).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });

  it('signs with a key that answers asynchronously, and the reader finds the credentials Valid', async () => {
    const alice = generateIdentity();
    const project = await Project.create('Browser', alice, new MemoryRecordStore());
    await project.record(alice, { kind: 'asset.create', asset: 'pixel.png', out: contentCid(PNG), delta: { class: 'human' } });
    let asked = 0;
    const remote: CertificateSigner = {
      did: alice.did,
      publicKey: alice.publicKey,
      sign: async (message) => {
        asked++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        return alice.sign(message);
      },
    };
    const chain = [await selfSignedCertificate(remote, { commonName: 'Alice' })];
    const result = await exportC2pa({ store: project.store, blobs: new MemoryBlobStore(), project: project.genesis.cid, asset: 'pixel.png', fileName: 'pixel.png', bytes: PNG, identity: remote, chain });
    // The certificate's signature, then the claim's (the splice path signs its carrier claim more than once).
    expect(asked).toBeGreaterThanOrEqual(2);
    const report = await readCredentials({ fileName: 'pixel.png', bytes: result.asset });
    expect(report.state).toBe('Valid');
    expect(report.actions[0]).toMatchObject({ action: 'c2pa.created', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation' });
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentCid } from '@colophon/core';
import { exportC2pa, extractManifestStore, ingestFactsOf, ingestFile, initSdk, readCredentials, SdkError, type ExportInput } from '../src/index.js';
import { sdkContext, WasmReader } from '../src/sdk.js';
import { FIXTURES, fixture, flip, record, studio, type Studio } from './helpers.js';

let s: Studio;
beforeAll(async () => {
  initSdk();
  s = await studio();
});

async function ingest(name: string, anchors?: string) {
  return ingestFile({ project: s.project, identity: s.owner, blobs: s.blobs, fileName: join(FIXTURES, name), bytes: fixture(name), ...(anchors ? { anchors } : {}) });
}

describe('ingest: each shared fixture is recorded with the right state', () => {
  for (const name of ['C.jpg', 'CA.jpg', 'C_with_CAWG_data.jpg']) {
    it(`${name}: valid but untrusted, manifest store kept as a blob`, async () => {
      const { record: stored, facts, existing } = await ingest(name);
      expect(existing).toBe(false);
      expect(stored.record.kind).toBe('ingest');
      expect(stored.record.asset).toBe(`file:${name}`);
      expect(stored.record.out).toEqual(contentCid(fixture(name)));
      expect(facts.state).toBe('Valid');
      expect(facts.codes).toContain('signingCredential.untrusted');
      expect(facts.codes!.every((c) => c.endsWith('.untrusted'))).toBe(true);
      expect(facts.claimGenerator).toBeTruthy();
      expect(facts.actions!.length).toBeGreaterThan(0);
      expect(stored.record.in).toEqual([facts.manifest]);
      // What the record says is what a reader of the stored record sees.
      expect(ingestFactsOf((await s.project.store.get(stored.cid))!.record.ext)).toEqual(facts);
      // The stored blob is the file's manifest store: the SDK reads the same active manifest from it.
      const store = (await s.blobs.get(facts.manifest!))!;
      const reader = await WasmReader.fromBytes('application/c2pa', store, sdkContext());
      try {
        expect(reader.activeLabel()).toBe(facts.activeManifest);
      } finally {
        reader.free();
      }
    });
  }

  it('CA.jpg records its ingredient tree (a parentOf ingredient)', async () => {
    const { facts } = await ingest('CA.jpg');
    expect(facts.ingredients).toEqual([expect.objectContaining({ title: 'A.jpg', relationship: 'parentOf', format: 'image/jpeg' })]);
    expect(facts.actions!.map((a) => a.action)).toEqual(['c2pa.opened', 'c2pa.color_adjustments']);
  });

  it('C_with_CAWG_data.jpg: its own trust anchor makes the claim signer trusted; the CAWG identity credential stays untrusted', async () => {
    const anchors = readFileSync(join(FIXTURES, 'trust_anchor-correct.pem'), 'utf8');
    const report = await readCredentials({ fileName: 'C_with_CAWG_data.jpg', bytes: fixture('C_with_CAWG_data.jpg'), anchors });
    expect(report.untrusted).toBe(false);
    expect(report.failures.map((f) => f.code)).toEqual(['cawg.x509.credential.untrusted']);
    // The SDK keeps the whole store at Valid while any credential in it is untrusted.
    expect(report.state).toBe('Valid');
  });

  it('no_alg.jpg is a clear error, and nothing is recorded', async () => {
    const before = (await s.project.store.query({ kind: 'ingest' })).length;
    const error = await ingest('no_alg.jpg').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkError);
    expect((error as SdkError).code).toBe('UnknownAlgorithm');
    expect((error as Error).message).toMatch(/no_alg\.jpg: its credentials are signed with an algorithm the C2PA SDK does not know/);
    expect((await s.project.store.query({ kind: 'ingest' })).length).toBe(before);
  });

  for (const name of ['earth_apollo17.jpg', 'libpng-test.png', 'mars.webp', 'sample1.svg', 'basic.pdf']) {
    it(`${name}: recorded as "no credentials"`, async () => {
      const { record: stored, facts } = await ingest(name);
      expect(facts.state).toBe('none');
      expect(facts.manifest).toBeUndefined();
      expect(stored.record.in).toBeUndefined();
      expect(stored.record.out).toEqual(contentCid(fixture(name)));
    });
  }

  it('ingesting the same file again returns the existing record', async () => {
    const first = await ingest('C.jpg');
    expect(first.existing).toBe(true);
  });
});

describe('ingest: credentials that were tampered with are recorded as Invalid', () => {
  it('a signed file whose image bytes changed', async () => {
    const bytes = fixture('earth_apollo17.jpg');
    await record(s, s.dana, { kind: 'asset.create', asset: 'file:moon.jpg', out: contentCid(bytes) });
    const exported = await exportC2pa({ store: s.project.store, blobs: s.blobs, project: s.project.id, asset: 'file:moon.jpg', fileName: 'moon.jpg', bytes, identity: s.dana, chain: s.danaChain });
    const tampered = flip(exported.asset, exported.asset.length - 10);
    const result = await ingestFile({ project: s.project, identity: s.owner, blobs: s.blobs, fileName: 'moon-tampered.jpg', bytes: tampered, anchors: s.caPem });
    expect(result.facts.state).toBe('Invalid');
    expect(result.facts.codes).toContain('assertion.dataHash.mismatch');
  });
});

describe('ingested sources become ingredients that carry their own manifests', () => {
  it('an asset edited from CA.jpg exports with c2pa.opened and CA.jpg as parentOf, its manifest inside', async () => {
    const source = fixture('CA.jpg');
    const ingested = await ingestFile({ project: s.project, identity: s.dana, blobs: s.blobs, fileName: 'CA.jpg', bytes: source, asset: 'file:derived.jpg' });
    const final = fixture('earth_apollo17.jpg'); // stands in for the edited pixels
    await record(s, s.dana, { kind: 'asset.edit', asset: 'file:derived.jpg', in: [ingested.record.record.out!], out: contentCid(final) });
    const input: ExportInput = { store: s.project.store, blobs: s.blobs, project: s.project.id, asset: 'file:derived.jpg', fileName: 'derived.jpg', bytes: final, identity: s.dana, chain: s.danaChain };
    const exported = await exportC2pa(input);
    const report = await readCredentials({ fileName: 'derived.jpg', bytes: exported.asset, anchors: s.caPem });
    expect(report.state).toBe('Trusted');
    expect(report.actions.map((a) => a.action)).toEqual(['c2pa.opened', 'c2pa.edited']);
    expect(report.manifestCount).toBeGreaterThanOrEqual(2);
    expect(report.ingredients).toEqual([
      expect.objectContaining({ title: 'CA.jpg', relationship: 'parentOf', manifest: ingested.facts.activeManifest, claimGenerator: expect.stringContaining('make_test_images'), codes: ['signingCredential.untrusted'] }),
    ]);
    expect(report.ingredients[0]!.ingredients).toEqual([expect.objectContaining({ title: 'A.jpg', relationship: 'parentOf' })]);
  });

  it('a source placed into another asset becomes componentOf with c2pa.placed', async () => {
    const logo = await ingestFile({ project: s.project, identity: s.dana, blobs: s.blobs, fileName: 'C.jpg', bytes: fixture('C.jpg'), asset: 'file:logo.jpg' });
    const final = fixture('libpng-test.png');
    await record(s, s.dana, { kind: 'asset.create', asset: 'file:layout.png', in: [logo.record.record.out!], out: contentCid(final) });
    const exported = await exportC2pa({ store: s.project.store, blobs: s.blobs, project: s.project.id, asset: 'file:layout.png', fileName: 'layout.png', bytes: final, identity: s.dana, chain: s.danaChain });
    const report = await readCredentials({ fileName: 'layout.png', bytes: exported.asset, anchors: s.caPem });
    expect(report.state).toBe('Trusted');
    expect(report.actions.map((a) => a.action)).toEqual(['c2pa.created', 'c2pa.placed']);
    expect(report.ingredients).toEqual([expect.objectContaining({ title: 'C.jpg', relationship: 'componentOf', manifest: logo.facts.activeManifest })]);
  });
});

describe('manifest store extraction round-trips for every embedded format we write', () => {
  for (const [file, name, mime] of [
    ['x.png', 'libpng-test.png', 'image/png'],
    ['x.jpg', 'earth_apollo17.jpg', 'image/jpeg'],
    ['x.webp', 'mars.webp', 'image/webp'],
    ['x.svg', 'sample1.svg', 'image/svg+xml'],
    ['x.pdf', 'basic.pdf', 'application/pdf'],
  ] as const) {
    it(mime, async () => {
      const bytes = fixture(name);
      const asset = `file:extract-${file}`;
      await record(s, s.dana, { kind: 'asset.create', asset, out: contentCid(bytes) });
      const exported = await exportC2pa({ store: s.project.store, blobs: s.blobs, project: s.project.id, asset, fileName: file, bytes, identity: s.dana, chain: s.danaChain });
      const store = extractManifestStore(exported.asset, mime);
      expect(store, `no store found in the ${mime}`).toBeDefined();
      const fromFile = await WasmReader.fromBytes(mime, exported.asset, sdkContext());
      const fromStore = await WasmReader.fromBytes('application/c2pa', store!, sdkContext());
      try {
        expect(fromStore.activeLabel()).toBe(fromFile.activeLabel());
      } finally {
        fromFile.free();
        fromStore.free();
      }
    });
  }
});

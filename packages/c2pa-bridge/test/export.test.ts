import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIGITAL_SOURCE_TYPES as DIGITAL_SOURCE_TYPE, contentCid, contentCidFromDigest, openFeedCheckpoint, signFeedCheckpoint, utf8Encode } from '@colophon/core';
import {
  exportC2pa,
  exportC2paFile,
  extractManifestStore,
  MAX_EXPORT_BYTES,
  selfSignedCertificate,
  HistoryError,
  initSdk,
  readCredentials,
  RECORD_PARAMETER,
  sdkContext,
  type CredentialReport,
  type ExportInput,
} from '../src/index.js';
import { WasmReader } from '../src/sdk.js';
import { writePng } from '../../../test/fixtures-scripts/png-file.mjs';
import { fixture, flip, indexOfBytes, MODEL, record, session, studio, type Studio } from './helpers.js';

const TEXT = '# Notes\n\nA paragraph that people and a model wrote together.\n';

const FORMATS = [
  { file: 'poster.png', bytes: () => fixture('libpng-test.png'), mime: 'image/png' },
  { file: 'photo.jpg', bytes: () => fixture('earth_apollo17.jpg'), mime: 'image/jpeg' },
  { file: 'mars.webp', bytes: () => fixture('mars.webp'), mime: 'image/webp' },
  { file: 'logo.svg', bytes: () => fixture('sample1.svg'), mime: 'image/svg+xml' },
  { file: 'brochure.pdf', bytes: () => fixture('basic.pdf'), mime: 'application/pdf' },
  { file: 'notes.md', bytes: () => utf8Encode(TEXT), mime: 'text/markdown' },
  { file: 'notes.txt', bytes: () => utf8Encode(TEXT), mime: 'text/plain' },
];

function input(s: Studio, asset: string, fileName: string, bytes: Uint8Array, extra: Partial<ExportInput> = {}): ExportInput {
  return { store: s.project.store, blobs: s.blobs, project: s.project.id, asset, fileName, bytes, identity: s.dana, chain: s.danaChain, ...extra };
}

async function read(fileName: string, exported: { asset: Uint8Array; sidecar?: Uint8Array }, anchors?: string): Promise<CredentialReport> {
  return readCredentials({ fileName, bytes: exported.asset, ...(exported.sidecar ? { sidecar: exported.sidecar } : {}), ...(anchors ? { anchors } : {}) });
}

/** The active manifest as the SDK reports it, with assertions by label. */
function activeManifest(report: CredentialReport): { assertions: Map<string, any>; ingredients: any[] } {
  const store = report.store as { active_manifest: string; manifests: Record<string, { assertions: { label: string; data: unknown }[]; ingredients?: unknown[] }> };
  const manifest = store.manifests[store.active_manifest]!;
  return { assertions: new Map(manifest.assertions.map((a) => [a.label, a.data])), ingredients: manifest.ingredients ?? [] };
}

let s: Studio;
beforeAll(async () => {
  initSdk();
  s = await studio();
});

describe('export: every format reads back Valid, and Trusted with the project CA as anchor', () => {
  for (const format of FORMATS) {
    it(format.file, async () => {
      const bytes = format.bytes();
      const asset = `file:${format.file}`;
      await session(s, asset, bytes);
      const exported = await exportC2pa(input(s, asset, format.file, bytes));
      expect(exported.format.mime).toBe(format.mime);
      if (format.mime.startsWith('text/')) {
        expect(exported.sidecar).toBeDefined();
        expect(exported.asset).toEqual(bytes); // text is never changed
      } else {
        expect(exported.sidecar).toBeUndefined();
        expect(exported.asset.length).toBeGreaterThan(bytes.length);
      }
      const plain = await read(format.file, exported);
      expect(plain.state).toBe('Valid');
      expect(plain.untrusted).toBe(true);
      expect(plain.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);
      const trusted = await read(format.file, exported, s.caPem);
      expect(trusted.state).toBe('Trusted');
      expect(trusted.failures).toEqual([]);
      expect(trusted.ledger?.asset).toBe(asset);
      if (exported.sidecar) expect(trusted.sidecar?.dataHash).toBe('match');
    });
  }

  it('a self-signed individual reads back Valid with signingCredential.untrusted, even with the project CA as anchor', async () => {
    const bytes = fixture('libpng-test.png');
    await record(s, s.dana, { kind: 'asset.create', asset: 'file:self.png', out: contentCid(bytes) });
    const exported = await exportC2pa(input(s, 'file:self.png', 'self.png', bytes, { chain: s.danaSelf }));
    for (const anchors of [undefined, s.caPem]) {
      const report = await read('self.png', exported, anchors);
      expect(report.state).toBe('Valid');
      expect(report.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);
      expect(report.signer?.commonName).toBe('Dana (self-signed)');
    }
  });
});

describe('export: the manifest is the ledger', () => {
  it('actions v2, ingredients, training-mining and org.colophon.ledger match the recorded steps', async () => {
    const bytes = fixture('earth_apollo17.jpg');
    const asset = 'file:ledger.jpg';
    const { intent, draft, edit, commit } = await session(s, asset, bytes, 'a secret brief about the moon');
    // A signed checkpoint of Dana's feed, as `colophon checkpoint` stores it; only the newest counts.
    const danaFeed: Uint8Array[] = [];
    for await (const r of s.project.store.records()) if (r.record.by === s.dana.did) danaFeed.push(r.bytes);
    const older = signFeedCheckpoint({ genesis: s.project.id, identity: s.dana, records: danaFeed.slice(0, 1) });
    const newest = openFeedCheckpoint(signFeedCheckpoint({ genesis: s.project.id, identity: s.dana, records: danaFeed }).note, { did: s.dana.did });
    const checkpoints = [older, newest].map((c) => ({ signer: c.did, size: c.size, rootHash: c.rootHash }));
    const exported = await exportC2pa(input(s, asset, 'ledger.jpg', bytes, { checkpoints }));
    const report = await read('ledger.jpg', exported, s.caPem);
    expect(report.state).toBe('Trusted');
    const { assertions, ingredients } = activeManifest(report);

    const actions = (assertions.get('c2pa.actions.v2') as { actions: any[] }).actions;
    expect(actions.map((a) => a.action)).toEqual(['c2pa.created', 'c2pa.edited']);
    expect(actions[0]).toMatchObject({
      digitalSourceType: DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia,
      softwareAgent: { name: 'acme/painter', version: '2.1' },
      when: new Date(draft.record.at).toISOString(),
    });
    expect(actions[0].parameters[RECORD_PARAMETER]).toBe(draft.cid.toString());
    expect(actions[0].parameters.ingredients).toHaveLength(1); // the prompt
    expect(actions[1]).toMatchObject({ digitalSourceType: DIGITAL_SOURCE_TYPE.compositeWithTrainedAlgorithmicMedia, when: new Date(edit.record.at).toISOString() });
    expect(actions[1].softwareAgent).toBeUndefined(); // a person, by hand
    expect(actions[1].parameters[RECORD_PARAMETER]).toBe(edit.cid.toString());

    expect(ingredients).toHaveLength(1);
    expect(ingredients[0]).toMatchObject({ relationship: 'inputTo', title: 'Prompt (private)', instance_id: `colophon:commitment:${commit.commit}` });
    expect(ingredients[0].data).toBeUndefined();
    expect(Buffer.from(exported.asset).includes(Buffer.from('secret brief'))).toBe(false);

    expect(assertions.get('c2pa.training-mining')).toEqual({ entries: { 'c2pa.ai_training': { use: 'notAllowed' }, 'c2pa.data_mining': { use: 'allowed' } } });

    const ledger = report.ledger!;
    expect(ledger.project).toBe(s.project.id.toString());
    expect(ledger.content).toBe(contentCid(bytes).toString());
    expect(ledger.steps.map((st) => st.record)).toEqual([draft.cid.toString(), edit.cid.toString()]);
    expect(ledger.steps.map((st) => st.classes)).toEqual([['ai'], ['human']]);
    const heads = await Promise.all((await s.project.store.signers()).sort().map(async (signer) => ({ signer, seq: (await s.project.store.head(signer))!.seq, record: (await s.project.store.head(signer))!.cid.toString() })));
    expect(ledger.heads).toEqual(heads);
    expect(ledger.checkpoints).toEqual([{ signer: s.dana.did, size: danaFeed.length, root: Buffer.from(newest.rootHash).toString('base64') }]);
    expect(ledger.share).toEqual({ human: 0.5, ai: 0.5, tool: 0, pasted: 0, unknown: 0, unit: 'steps', total: 2 });
    expect(ledger.prompts).toEqual([{ ingredient: 'prompt-1', record: intent.cid.toString(), commitment: commit.commit.toString(), disclosed: false }]);
    expect(ledger.license).toBe('CC-BY-4.0');
  });

  it('discloses prompt text only when asked, as the ingredient\'s data', async () => {
    const bytes = fixture('libpng-test.png');
    const asset = 'file:disclosed.png';
    await session(s, asset, bytes, 'a poster with falling leaves');
    const exported = await exportC2pa(input(s, asset, 'disclosed.png', bytes, { disclosePrompts: true }));
    const reader = await WasmReader.fromBytes('image/png', exported.asset, sdkContext());
    try {
      const store = JSON.parse(reader.json());
      const prompt = store.manifests[store.active_manifest].ingredients[0];
      expect(prompt.title).toBe('Prompt');
      expect(new TextDecoder().decode(reader.resourceToBytes(prompt.data.identifier))).toBe('a poster with falling leaves');
    } finally {
      reader.free();
    }
    const report = await read('disclosed.png', exported, s.caPem);
    expect(report.state).toBe('Trusted');
    expect(report.ledger!.prompts[0]!.disclosed).toBe(true);
  });

  it('describes purely human work as digitalCreation and a model alone as trainedAlgorithmicMedia', async () => {
    const human = utf8Encode('all by hand\n');
    await record(s, s.dana, { kind: 'asset.create', asset: 'file:hand.txt', out: contentCid(utf8Encode('draft\n')) });
    await record(s, s.dana, { kind: 'asset.edit', asset: 'file:hand.txt', out: contentCid(human), agent: { type: 'tool', name: 'prettier', version: '3.3.3' } });
    const byHand = await read('hand.txt', await exportC2pa(input(s, 'file:hand.txt', 'hand.txt', human)));
    expect(byHand.actions.map((a) => [a.action, a.digitalSourceType, a.softwareAgent])).toEqual([
      ['c2pa.created', DIGITAL_SOURCE_TYPE.digitalCreation, undefined],
      ['c2pa.edited', DIGITAL_SOURCE_TYPE.digitalCreation, 'prettier 3.3.3'],
    ]);
    expect(byHand.ledger!.share).toEqual({ human: 0.5, ai: 0, tool: 0.5, pasted: 0, unknown: 0, unit: 'steps', total: 2 });

    const generated = utf8Encode('model only\n');
    await record(s, s.dana, { kind: 'ai.generate', asset: 'file:gen.txt', agent: MODEL, out: contentCid(generated), intent: { text: 'write something' } });
    const byModel = await read('gen.txt', await exportC2pa(input(s, 'file:gen.txt', 'gen.txt', generated)));
    expect(byModel.digitalSourceType).toBe(DIGITAL_SOURCE_TYPE.trainedAlgorithmicMedia);
    expect(byModel.ledger!.share).toEqual({ human: 0, ai: 1, tool: 0, pasted: 0, unknown: 0, unit: 'steps', total: 1 });
    // A prompt that is in the clear on the ledger still stays out of the credentials unless disclosed.
    expect(byModel.ingredients).toEqual([{ title: 'Prompt (private)', format: 'text/plain', relationship: 'inputTo' }]);
  });

  it('refuses bytes that are not a recorded state of the asset, naming both', async () => {
    const bytes = fixture('libpng-test.png');
    await expect(exportC2pa(input(s, 'file:nothing.png', 'nothing.png', bytes))).rejects.toThrow(/asset "file:nothing.png" has no recorded content/);
    const other = flip(bytes, 100);
    const error = await exportC2pa(input(s, 'file:poster.png', 'poster.png', other)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect((error as Error).message).toContain(contentCid(other).toString());
    expect((error as Error).message).toMatch(/is not a recorded state of asset "file:poster.png"/);
  });

  it('refuses corrupt and unsupported files with a message naming the file', async () => {
    await expect(exportC2pa(input(s, 'file:x', 'broken.png', utf8Encode('not a png')))).rejects.toThrow(/broken\.png is not a PNG image: its content does not match its name/);
    await expect(exportC2pa(input(s, 'file:x', 'clip.gif', utf8Encode('GIF89a')))).rejects.toThrow(/clip\.gif: "\.gif" files are not supported/);
  });
});

describe('tampering is detected', () => {
  async function exportedFile(file: string, bytes: Uint8Array): Promise<Uint8Array> {
    const asset = `file:tamper-${file}`;
    await record(s, s.dana, { kind: 'asset.create', asset, out: contentCid(bytes) });
    return (await exportC2pa(input(s, asset, file, bytes))).asset;
  }

  /** A byte of image data: outside the embedded manifest store, away from the file header. */
  function imageByte(signed: Uint8Array, mime: string): number {
    if (mime === 'image/jpeg') return signed.length - 10; // entropy-coded data just before EOI
    const store = extractManifestStore(signed, mime)!;
    const start = indexOfBytes(signed, store.subarray(0, 64));
    expect(start).toBeGreaterThan(0);
    return start > signed.length / 2 ? Math.floor(start / 2) : Math.floor((start + store.length + signed.length) / 2);
  }

  for (const [file, name, mime] of [['t.png', 'libpng-test.png', 'image/png'], ['t.jpg', 'earth_apollo17.jpg', 'image/jpeg'], ['t.webp', 'mars.webp', 'image/webp']] as const) {
    it(`image bytes of a ${mime} -> assertion.dataHash.mismatch`, async () => {
      const signed = await exportedFile(file, fixture(name));
      const report = await readCredentials({ fileName: file, bytes: flip(signed, imageByte(signed, mime)), anchors: s.caPem });
      expect(report.state).toBe('Invalid');
      expect(report.failures.map((f) => f.code)).toContain('assertion.dataHash.mismatch');
    });
  }

  for (const [file, name] of [['m.png', 'libpng-test.png'], ['m.jpg', 'earth_apollo17.jpg']] as const) {
    it(`an assertion inside the manifest of ${file} -> assertion.hashedURI.mismatch`, async () => {
      const signed = await exportedFile(file, fixture(name));
      const at = indexOfBytes(signed, utf8Encode(`file:tamper-${file}`));
      expect(at).toBeGreaterThan(0);
      const report = await readCredentials({ fileName: file, bytes: flip(signed, at + 6), anchors: s.caPem });
      expect(report.state).toBe('Invalid');
      expect(report.failures.map((f) => f.code)).toContain('assertion.hashedURI.mismatch');
    });
  }

  it("a sidecar's text, and the sidecar manifest itself", async () => {
    const text = utf8Encode(TEXT);
    await record(s, s.dana, { kind: 'asset.create', asset: 'file:side.md', out: contentCid(text) });
    const exported = await exportC2pa(input(s, 'file:side.md', 'side.md', text));
    const edited = utf8Encode(TEXT.replace('together', 'apart'));
    const textChanged = await readCredentials({ fileName: 'side.md', bytes: edited, sidecar: exported.sidecar!, anchors: s.caPem });
    expect(textChanged.state).toBe('Invalid');
    expect(textChanged.sidecar?.dataHash).toBe('mismatch');
    expect(textChanged.failures.map((f) => f.code)).toContain('assertion.dataHash.mismatch');

    const at = indexOfBytes(exported.sidecar!, utf8Encode('file:side.md'));
    const manifestChanged = await readCredentials({ fileName: 'side.md', bytes: text, sidecar: flip(exported.sidecar!, at + 6), anchors: s.caPem });
    expect(manifestChanged.state).toBe('Invalid');
    expect(manifestChanged.failures.map((f) => f.code)).toContain('assertion.hashedURI.mismatch');
  });
});

describe('sidecars', () => {
  it('a sidecar that is not a manifest store is a clear error', async () => {
    const error = await readCredentials({ fileName: 'notes.md', bytes: utf8Encode(TEXT), sidecar: utf8Encode('not a manifest') }).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/the sidecar of notes\.md is not a C2PA manifest store/);
  });

  it('a text file without a sidecar has no credentials', async () => {
    expect((await readCredentials({ fileName: 'notes.md', bytes: utf8Encode(TEXT) })).state).toBe('none');
  });
});

describe('export of a file on disk: PNG and JPEG are signed by splice, never read whole', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colophon-c2pa-file-'));
  });

  it(`a PNG above the whole-file limit (${MAX_EXPORT_BYTES / 1024 / 1024} MiB) exports, and the official reader finds it intact`, async () => {
    const path = join(dir, 'huge.png');
    const digest = await writePng(path, 4096, 4096, [Buffer.alloc(MAX_EXPORT_BYTES + 1024)]);
    await record(s, s.dana, { kind: 'asset.create', asset: 'file:huge.png', out: contentCidFromDigest(digest) });
    const exported = await exportC2paFile({ store: s.project.store, blobs: s.blobs, project: s.project.id, asset: 'file:huge.png', fileName: 'huge.png', path, identity: s.dana, chain: s.danaChain });
    const out = join(dir, 'huge-signed.png');
    await exported.writeTo(out);
    const signed = new Uint8Array(await readFile(out));
    const report = await readCredentials({ fileName: 'huge.png', bytes: signed, anchors: s.caPem });
    expect(report.state).toBe('Trusted');
    expect(report.ledger?.asset).toBe('file:huge.png');
    // The original bytes are all there, in order, around the one manifest inserted after IHDR.
    const original = new Uint8Array(await readFile(path));
    const inserted = signed.length - original.length;
    expect(Buffer.compare(signed.subarray(0, 33), original.subarray(0, 33))).toBe(0);
    expect(Buffer.from(signed.subarray(37, 41)).toString('latin1')).toBe('caBX');
    expect(Buffer.compare(signed.subarray(33 + inserted), original.subarray(33))).toBe(0);
    const tampered = flip(signed, signed.length - 1000);
    expect((await readCredentials({ fileName: 'huge.png', bytes: tampered, anchors: s.caPem })).failures.map((f) => f.code)).toContain('assertion.dataHash.mismatch');
  });

  for (const [file, name] of [['disk.png', 'libpng-test.png'], ['disk.jpg', 'earth_apollo17.jpg']] as const) {
    it(`${file}: written file reads back Trusted; an input changed before writing is refused and nothing is written`, async () => {
      const bytes = fixture(name);
      const path = join(dir, file);
      await writeFile(path, bytes);
      await record(s, s.dana, { kind: 'asset.create', asset: `file:${file}`, out: contentCid(bytes) });
      const exportIt = () => exportC2paFile({ store: s.project.store, blobs: s.blobs, project: s.project.id, asset: `file:${file}`, fileName: file, path, identity: s.dana, chain: s.danaChain });
      const out = join(dir, `signed-${file}`);
      await (await exportIt()).writeTo(out);
      expect((await readCredentials({ fileName: file, bytes: new Uint8Array(await readFile(out)), anchors: s.caPem })).state).toBe('Trusted');

      const pending = await exportIt();
      await writeFile(path, flip(bytes, bytes.length - 20));
      const late = join(dir, `late-${file}`);
      await expect(pending.writeTo(late)).rejects.toThrow(new RegExp(`${file} changed during the export; nothing was written`));
      await expect(readFile(late)).rejects.toThrow(/ENOENT/);
    });
  }

  it('a signature that does not verify (a key that is not the certificate\'s) fails the export and writes nothing', async () => {
    for (const [file, name] of [['bad.png', 'libpng-test.png'], ['bad.jpg', 'earth_apollo17.jpg'], ['bad.webp', 'mars.webp']] as const) {
      const bytes = fixture(name);
      const path = join(dir, file);
      await writeFile(path, bytes);
      await record(s, s.dana, { kind: 'asset.create', asset: `file:${file}`, out: contentCid(bytes) });
      // Dana's key, the owner's certificate: the claim signature cannot verify against it.
      const wrongChain = [await selfSignedCertificate(s.owner, { commonName: 'Owner' })];
      const attempt = exportC2paFile({ store: s.project.store, blobs: s.blobs, project: s.project.id, asset: `file:${file}`, fileName: file, path, identity: s.dana, chain: wrongChain });
      await expect(attempt, file).rejects.toThrow(/claimSignature|does not verify/);
      await expect(exportC2pa(input(s, `file:${file}`, file, bytes, { chain: wrongChain })), file).rejects.toThrow(/claimSignature|does not verify/);
    }
  });

  it('a JPEG that already carries credentials is signed whole by the SDK, within the whole-file limit', async () => {
    const bytes = fixture('CA.jpg');
    const path = join(dir, 'carried.jpg');
    await writeFile(path, bytes);
    await record(s, s.dana, { kind: 'asset.create', asset: 'file:carried.jpg', out: contentCid(bytes) });
    const exported = await exportC2paFile({ store: s.project.store, blobs: s.blobs, project: s.project.id, asset: 'file:carried.jpg', fileName: 'carried.jpg', path, identity: s.dana, chain: s.danaChain });
    await exported.writeTo(join(dir, 'carried-signed.jpg'));
    const report = await readCredentials({ fileName: 'carried.jpg', bytes: new Uint8Array(await readFile(join(dir, 'carried-signed.jpg'))), anchors: s.caPem });
    expect(report.state).toBe('Trusted');
    expect(report.ledger?.asset).toBe('file:carried.jpg');
  });
});

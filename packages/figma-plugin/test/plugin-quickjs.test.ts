// Design sessions against the bundled main thread (dist/code.js) running in QuickJS under the fake
// host; per-layer attribution is read back from the document and checked against what was done.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EMBEDDED_CHUNK_BYTES } from '@colophon/core/record';
import { contentCid, generateIdentity, MemoryBlobStore, MemoryRecordStore, Project } from '@colophon/core';
import { exportC2pa, selfSignedCertificate } from '@colophon/c2pa-bridge';
import { ENTRY_LIMIT_BYTES, FakeDocument, type BatchShape, type FakeFigma } from './fake-figma.js';
import { flush, launch, readBack } from './harness.js';
import type { QuickJSPlugin } from './quickjs-host.js';

const running: QuickJSPlugin[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const plugin of running.splice(0)) plugin.dispose();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function didOf(plugin: QuickJSPlugin): string {
  return (plugin.posted.find((m) => m.type === 'status') as { did: string }).did;
}

/** An OpenAI-compatible endpoint on 127.0.0.1 that answers with a fixed design, and what it was asked. */
async function modelServer(): Promise<{ url: string; requests: { auth?: string; body: { model: string; messages: { role: string; content: string }[] } }[] }> {
  const requests: { auth?: string; body: { model: string; messages: { role: string; content: string }[] } }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      requests.push({ auth: req.headers.authorization, body: JSON.parse(body) });
      const design = { name: 'Hero', width: 640, height: 360, layers: [{ type: 'RECTANGLE', name: 'Backdrop', x: 0, y: 0, width: 640, height: 360, color: '#102030' }, { type: 'TEXT', name: 'Headline', x: 32, y: 40, text: 'Ship it' }] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: 'test-model-2026-01', choices: [{ message: { role: 'assistant', content: JSON.stringify(design) } }] }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

/** Figma's fetch for the QuickJS host: a real HTTP request from Node. */
const realFetch = async (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => {
  const response = await fetch(url, { method: init.method ?? 'GET', ...(init.headers && { headers: init.headers }), ...(init.body !== undefined && { body: init.body }), redirect: 'manual' });
  return { ok: response.ok, status: response.status, text: await response.text() };
};

async function start(view: FakeFigma, options?: Parameters<typeof launch>[1]): Promise<QuickJSPlugin> {
  const plugin = await launch(view, options);
  running.push(plugin);
  return plugin;
}

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../../test/fixtures/c2pa/${name}`, import.meta.url)));

/** An image an outside AI tool made and signed: a real C2PA manifest saying trainedAlgorithmicMedia, from another project and key. */
async function aiGeneratedImage(): Promise<Uint8Array> {
  const png = fixture('libpng-test.png');
  const tool = generateIdentity();
  const project = await Project.create('image tool', tool, new MemoryRecordStore());
  await project.record(tool, { kind: 'ai.generate', asset: 'banner.png', out: contentCid(png), agent: { type: 'ai', model: { provider: 'imagegen', name: 'pixel-diffusion', version: '3' } } });
  const chain = [await selfSignedCertificate(tool, { commonName: 'Image Tool', organization: 'Imagegen Ltd' })];
  const signed = await exportC2pa({ store: project.store, blobs: new MemoryBlobStore(), project: project.genesis.cid, asset: 'banner.png', fileName: 'banner.png', bytes: png, identity: tool, chain });
  return signed.asset;
}

describe('the bundled plugin in QuickJS', () => {
  it('records a designer drawing and editing layers as human, per layer and property', async () => {
    const doc = new FakeDocument('Poster');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const plugin = await start(alice);
    const page = alice.currentPage;
    const card = alice.draw('FRAME', page, { name: 'Card' });
    const title = alice.draw('TEXT', card, { name: 'Title', characters: 'Hello' });
    await alice.settle();
    alice.act(() => {
      title.x = 24;
      (title as TextNode).characters = 'Hello, world';
    });
    await flush(alice, plugin);

    const back = await readBack(doc);
    expect(back.report.findings).toEqual([]);
    const did = (plugin.posted.find((m) => m.type === 'status') as { did: string }).did;
    const nodes = await back.nodes(`figma:${card.id}`);
    const titleCells = nodes.node(title.id)!;
    expect(titleCells.createdBy).toMatchObject({ class: 'human', who: did });
    const byName = Object.fromEntries(titleCells.properties.map((p) => [p.name, p.author]));
    expect(byName.x).toMatchObject({ class: 'human', who: did });
    expect(byName.characters).toMatchObject({ class: 'human', who: did });
    // Records carry ids and property names, never content.
    for (const record of back.records) expect(JSON.stringify(record.record.delta ?? {})).not.toContain('Hello');
  });

  it("records a generation through an OpenAI-compatible endpoint as the model's, with the prompt committed, not stored", async () => {
    const endpoint = await modelServer();
    const doc = new FakeDocument('Campaign');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const plugin = await start(alice, { fetch: realFetch });
    const prompt = 'A dark hero banner that says Ship it';
    const generated = await plugin.request<{ frame: string; layers: number }>(
      { type: 'generate', prompt, settings: { endpoint: endpoint.url, model: 'test-model', apiKey: 'sk-test-secret' }, salt: new Uint8Array(randomBytes(32)) },
      (m) => m.type === 'generated' || m.type === 'error',
    );
    expect(generated).toMatchObject({ type: 'generated', layers: 3 });
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.requests[0]!.auth).toBe('Bearer sk-test-secret');
    expect(endpoint.requests[0]!.body.messages.at(-1)!.content).toBe(prompt);
    // A human edit after the generation is the human's.
    const frame = alice.node(generated.frame) as FrameNode;
    const [backdrop, headline] = frame.children;
    await alice.settle();
    alice.act(() => (headline!.x = 48));
    await flush(alice, plugin);

    const back = await readBack(doc);
    expect(back.report.findings).toEqual([]);
    const nodes = await back.nodes(`figma:${frame.id}`);
    const model = `127.0.0.1:${new URL(endpoint.url).port}/test-model@test-model-2026-01`;
    expect(nodes.node(frame.id)!.createdBy).toMatchObject({ class: 'ai', who: model });
    const cells = (id: string) => Object.fromEntries(nodes.node(id)!.properties.map((p) => [p.name, p.author]));
    expect(cells(backdrop!.id).fills).toMatchObject({ class: 'ai', who: model });
    expect(cells(headline!.id).characters).toMatchObject({ class: 'ai', who: model });
    expect(cells(headline!.id).x).toMatchObject({ class: 'human', who: didOf(plugin) });
    const generation = back.records.find((r) => r.record.kind === 'ai.generate')!;
    expect(generation.record.ext?.['colophon.evidence']).toBe('command');
    const intent = back.records.find((r) => r.record.kind === 'intent')!;
    expect(generation.record.links?.map(String)).toContain(intent.cid.toString());
    expect('commit' in intent.record.intent!).toBe(true);
    const everything = JSON.stringify(back.records.map((r) => r.record), (_k, v) => (v instanceof Uint8Array ? undefined : v));
    expect(everything).not.toContain('Ship it');
    expect(everything).not.toContain('sk-test-secret');
  });

  // Figma documents neither the order of a batch's changes nor whether it merges several changes
  // to one node into one entry: the attribution must come out the same under each.
  for (const shape of ['as-made', 'reversed', 'merged'] as BatchShape[]) {
    it(`records a person's edits that land in the same change batch as a generation's own events (batch ${shape})`, async () => {
      const endpoint = await modelServer();
      const doc = new FakeDocument('Campaign');
      const alice = doc.connect({ id: 'u1', name: 'Alice' });
      alice.batchShape = shape;
      const plugin = await start(alice, { fetch: realFetch });
      const other = alice.draw('RECTANGLE', alice.currentPage, { name: 'Elsewhere' });
      await flush(alice, plugin);
      // Milliseconds after the generation's layers appear, before Figma delivers their changes,
      // Alice edits: a layer elsewhere, a property of a generated layer the generation left alone,
      // one it set (a second change after the generation's value), and a layer she draws into the frame.
      let drawn: SceneNode | undefined;
      alice.actBeforeBatch(
        (changes) => changes.some((c) => c.type === 'CREATE' && c.nodeType === 'FRAME'),
        () => {
          const frame = alice.currentPage.children.find((n) => n.type === 'FRAME') as FrameNode;
          const [backdrop, headline] = frame.children;
          other.x = 99;
          (backdrop as RectangleNode).opacity = 0.5;
          headline!.x = 48;
          drawn = alice.draw('ELLIPSE', frame, { name: 'Her mark' });
        },
      );
      const generated = await plugin.request<{ type: string; frame: string }>(
        { type: 'generate', prompt: 'A hero', settings: { endpoint: endpoint.url, model: 'test-model' }, salt: new Uint8Array(randomBytes(32)) },
        (m) => m.type === 'generated' || m.type === 'error',
      );
      expect(generated.type).toBe('generated');
      await flush(alice, plugin);
      expect(drawn).toBeDefined();

      const back = await readBack(doc);
      expect(back.report.findings).toEqual([]);
      const frame = alice.node(generated.frame) as FrameNode;
      const [backdrop, headline] = frame.children;
      const nodes = await back.nodes(`figma:${frame.id}`);
      const model = `127.0.0.1:${new URL(endpoint.url).port}/test-model@test-model-2026-01`;
      const human = { class: 'human', who: didOf(plugin) };
      const ai = { class: 'ai', who: model };
      const cells = (id: string) => Object.fromEntries(nodes.node(id)!.properties.map((p) => [p.name, p.author]));
      // What the generation made stays the model's ...
      expect(nodes.node(frame.id)!.createdBy).toMatchObject(ai);
      expect(nodes.node(backdrop!.id)!.createdBy).toMatchObject(ai);
      expect(cells(backdrop!.id).fills).toMatchObject(ai);
      expect(cells(headline!.id).characters).toMatchObject(ai);
      expect(cells(headline!.id).y).toMatchObject(ai);
      // ... and everything Alice did in the same batch is hers.
      expect(cells(backdrop!.id).opacity).toMatchObject(human);
      expect(cells(headline!.id).x).toMatchObject(human);
      // Merged, Figma reports her layer only as part of the new frame's subtree: who made it cannot be told.
      const drawer = shape === 'merged' ? { class: 'unknown' } : human;
      expect(nodes.node(drawn!.id)!.createdBy).toMatchObject(drawer);
      expect(cells(drawn!.id).fills).toMatchObject(drawer);
      const unknowns = back.records.filter((r) => (r.record.delta as { class?: string } | undefined)?.class === 'unknown');
      expect(unknowns.map((r) => (r.record.delta as { created?: string[] }).created)).toEqual(shape === 'merged' ? [[drawn!.id]] : []);
      const elsewhere = await back.nodes(`figma:${other.id}`);
      expect(Object.fromEntries(elsewhere.node(other.id)!.properties.map((p) => [p.name, p.author])).x).toMatchObject(human);
      // Nothing of the generation's own writes is recorded as hers or as unknown.
      for (const id of [frame.id, backdrop!.id, headline!.id]) {
        for (const cell of nodes.node(id)!.properties) {
          const expected = (id === backdrop!.id && cell.name === 'opacity') || (id === headline!.id && cell.name === 'x') ? human : ai;
          expect(cell.author, `${id} ${cell.name}`).toMatchObject(expected);
        }
      }
    });

    it(`records "Mark as AI" over edits made just before it, and edits just after it as the user's, in one batch (batch ${shape})`, async () => {
      const doc = new FakeDocument('Moodboard');
      const alice = doc.connect({ id: 'u1', name: 'Alice' });
      alice.batchShape = shape;
      const plugin = await start(alice);
      const picture = alice.draw('RECTANGLE', alice.currentPage, { name: 'From another tool' });
      await flush(alice, plugin);
      // One batch: an edit, the mark, an edit (all within milliseconds, before Figma delivers any).
      alice.act(() => (picture.x = 10));
      alice.select([picture]);
      plugin.fromUi({ type: 'mark-ai', model: { provider: 'midjourney', name: 'midjourney', version: '7' } });
      alice.act(() => (picture.y = 20));
      await flush(alice, plugin);
      const back = await readBack(doc);
      expect(back.report.findings).toEqual([]);
      const nodes = await back.nodes(`figma:${picture.id}`);
      const cells = Object.fromEntries(nodes.node(picture.id)!.properties.map((p) => [p.name, p.author]));
      expect(cells.x).toMatchObject({ class: 'ai', who: 'midjourney/midjourney@7' });
      expect(cells.fills).toMatchObject({ class: 'ai', who: 'midjourney/midjourney@7' });
      expect(cells.y).toMatchObject({ class: 'human', who: didOf(plugin) });
    });
  }

  it('records "Mark selection as AI-generated" as the signed claim of the user about the model', async () => {
    const doc = new FakeDocument('Moodboard');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const plugin = await start(alice);
    const board = alice.draw('FRAME', alice.currentPage, { name: 'Board' });
    const picture = alice.draw('RECTANGLE', board, { name: 'From another tool' });
    const note = alice.draw('TEXT', board, { name: 'Note', characters: 'mine' });
    await flush(alice, plugin);
    alice.select([picture]);
    const marked = await plugin.request<{ layers: number }>({ type: 'mark-ai', model: { provider: 'midjourney', name: 'midjourney', version: '7' } }, (m) => m.type === 'marked');
    expect(marked.layers).toBe(1);
    await flush(alice, plugin);
    const back = await readBack(doc);
    const nodes = await back.nodes(`figma:${board.id}`);
    for (const cell of nodes.node(picture.id)!.properties) expect(cell.author).toMatchObject({ class: 'ai', who: 'midjourney/midjourney@7' });
    for (const cell of nodes.node(note.id)!.properties) expect(cell.author).toMatchObject({ class: 'human', who: didOf(plugin) });
    const claim = back.records.find((r) => r.record.agent?.type === 'ai')!;
    expect(claim.record.by).toBe(didOf(plugin));
    expect(claim.record.ext?.['colophon.evidence']).toBe('reported');
  });

  it('attributes placed images by their Content Credentials: AI per its digital source type, a tool, and unknown without any', async () => {
    const doc = new FakeDocument('Moodboard');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const plugin = await start(alice);
    const ai = doc.addImage(await aiGeneratedImage());
    const plain = doc.addImage(fixture('libpng-test.png'));
    const tool = doc.addImage(fixture('C.jpg'));
    const board = alice.draw('FRAME', alice.currentPage, { name: 'Board' });
    const image = (hash: string) => [{ type: 'IMAGE', imageHash: hash, scaleMode: 'FILL', visible: true, opacity: 1, blendMode: 'NORMAL' }];
    const generated = alice.draw('RECTANGLE', board, { name: 'Generated', fills: image(ai) });
    const photo = alice.draw('RECTANGLE', board, { name: 'Plain', fills: image(plain) });
    const rendered = alice.draw('RECTANGLE', board, { name: 'Rendered' });
    await alice.settle();
    alice.act(() => ((rendered as RectangleNode).fills = image(tool) as Paint[]));
    await flush(alice, plugin);
    expect(plugin.posted.filter((m) => m.type === 'read-image')).toHaveLength(3);

    const back = await readBack(doc);
    expect(back.report.findings).toEqual([]);
    const nodes = await back.nodes(`figma:${board.id}`);
    const fills = (id: string) => nodes.node(id)!.properties.find((p) => p.name === 'fills')!.author;
    expect(fills(generated.id)).toMatchObject({ class: 'ai', who: expect.stringContaining('imagegen/pixel-diffusion') });
    expect(fills(photo.id)).toMatchObject({ class: 'unknown' });
    expect(fills(rendered.id)).toMatchObject({ class: 'tool', who: expect.stringContaining('Make Test Images') });
    // Alice placed them: the layers and their other properties are hers.
    expect(nodes.node(generated.id)!.createdBy).toMatchObject({ class: 'human', who: didOf(plugin) });
    expect(nodes.node(generated.id)!.properties.find((p) => p.name === 'x')!.author.class).toBe('human');
    // One ingest per image, with what its credentials said; the layer's record links it.
    const ingests = back.records.filter((r) => r.record.kind === 'ingest');
    const facts = Object.fromEntries(ingests.map((r) => [r.record.asset, r.record.ext?.['colophon.c2pa'] as { state: string; digitalSourceType?: string }]));
    expect(facts[`figma-image:${ai}`]).toMatchObject({ state: 'Valid', digitalSourceType: expect.stringMatching(/trainedAlgorithmicMedia$/) });
    expect(facts[`figma-image:${plain}`]).toMatchObject({ state: 'none' });
    expect(facts[`figma-image:${tool}`]).toMatchObject({ state: 'Valid', digitalSourceType: expect.stringMatching(/algorithmicMedia$/) });
    const aiRecord = back.records.find((r) => r.cid.equals(fills(generated.id).record!))!;
    const aiIngest = ingests.find((r) => r.record.asset === `figma-image:${ai}`)!;
    expect(aiRecord.record.links?.map(String)).toContain(aiIngest.cid.toString());
    // Changing the layer again does not read the image again.
    alice.act(() => (generated.x = 40));
    await flush(alice, plugin);
    expect(plugin.posted.filter((m) => m.type === 'read-image')).toHaveLength(3);
  });

  it("reads an image placed on a generated layer in the same change batch as the generation's own events", async () => {
    const endpoint = await modelServer();
    const doc = new FakeDocument('Campaign');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const plugin = await start(alice, { fetch: realFetch });
    const ai = doc.addImage(await aiGeneratedImage());
    alice.actBeforeBatch(
      (changes) => changes.some((c) => c.type === 'CREATE' && c.nodeType === 'FRAME'),
      () => {
        const frame = alice.currentPage.children.find((n) => n.type === 'FRAME') as FrameNode;
        (frame.children[0] as RectangleNode).fills = [{ type: 'IMAGE', imageHash: ai, scaleMode: 'FILL', visible: true, opacity: 1, blendMode: 'NORMAL' }];
      },
    );
    const generated = await plugin.request<{ type: string; frame: string }>(
      { type: 'generate', prompt: 'A hero', settings: { endpoint: endpoint.url, model: 'test-model' }, salt: new Uint8Array(randomBytes(32)) },
      (m) => m.type === 'generated' || m.type === 'error',
    );
    expect(generated.type).toBe('generated');
    await flush(alice, plugin);
    expect(plugin.posted.filter((m) => m.type === 'read-image')).toHaveLength(1);
    const back = await readBack(doc);
    expect(back.report.findings).toEqual([]);
    const frame = alice.node(generated.frame) as FrameNode;
    const [backdrop, headline] = frame.children;
    const nodes = await back.nodes(`figma:${frame.id}`);
    const fills = (id: string) => nodes.node(id)!.properties.find((p) => p.name === 'fills')!.author;
    // The image's own credentials name its model; the other layer's fills stay the generation's.
    expect(fills(backdrop!.id)).toMatchObject({ class: 'ai', who: expect.stringContaining('imagegen/pixel-diffusion') });
    expect(fills(headline!.id)).toMatchObject({ class: 'ai', who: expect.stringContaining('test-model') });
  });

  it('reconciles edits made while the plugin was closed as unknown, and keeps the key across sessions', async () => {
    const doc = new FakeDocument('Deck');
    const first = doc.connect({ id: 'u1', name: 'Alice' });
    const plugin = await start(first);
    const slide = first.draw('FRAME', first.currentPage, { name: 'Slide' });
    const title = first.draw('TEXT', slide, { name: 'Title', characters: 'Q3' });
    const logo = first.draw('RECTANGLE', slide, { name: 'Logo' });
    await flush(first, plugin);
    const did = didOf(plugin);
    running.splice(running.indexOf(plugin), 1);
    plugin.dispose();

    // Alice works on without the plugin: nothing is watching.
    const offline = doc.connect({ id: 'u1', name: 'Alice' }, first);
    offline.act(() => ((offline.node(title.id) as TextNode).characters = 'Q4 results'));
    const badge = offline.draw('ELLIPSE', offline.node(slide.id) as FrameNode, { name: 'Badge' });
    offline.act(() => offline.node(logo.id).remove());
    await offline.settle();
    doc.disconnect(offline);

    const again = doc.connect({ id: 'u1', name: 'Alice' }, first);
    const reopened = await start(again);
    expect(didOf(reopened)).toBe(did);
    await flush(again, reopened);
    const back = await readBack(doc);
    expect(back.report.findings).toEqual([]);
    const nodes = await back.nodes(`figma:${slide.id}`);
    const cells = Object.fromEntries(nodes.node(title.id)!.properties.map((p) => [p.name, p.author]));
    expect(cells.characters).toMatchObject({ class: 'unknown' });
    expect(cells.name).toMatchObject({ class: 'human', who: did });
    expect(nodes.node(badge.id)!.createdBy).toMatchObject({ class: 'unknown' });
    expect(nodes.node(logo.id)).toBeUndefined();
    const reconciled = back.records.filter((r) => r.record.ext?.['colophon.evidence'] === 'reconciled');
    expect(reconciled).toHaveLength(1);
    // A second launch with nothing changed records nothing.
    const count = back.records.length;
    running.splice(running.indexOf(reopened), 1);
    reopened.dispose();
    const third = doc.connect({ id: 'u1', name: 'Alice' }, first);
    const quiet = await start(third);
    await flush(third, quiet);
    expect((await readBack(doc)).records.length).toBe(count);
  });

  it('keeps the feeds of two writers apart in one document, each verified by the other', async () => {
    const doc = new FakeDocument('Shared');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const bob = doc.connect({ id: 'u2', name: 'Bob' });
    const pa = await start(alice);
    const pb = await start(bob);
    const frame = alice.draw('FRAME', alice.currentPage, { name: 'Screen' });
    await alice.settle();
    const button = bob.draw('RECTANGLE', bob.node(frame.id) as FrameNode, { name: 'Button' });
    const label = alice.draw('TEXT', alice.node(frame.id) as FrameNode, { name: 'Label', characters: 'OK' });
    // Bob's plugin writes first; Alice's, taking his feed in, leaves his layers to his own records.
    await flush(bob, pb);
    await flush(alice, pa);
    const back = await readBack(doc);
    expect(back.report.findings).toEqual([]);
    expect(new Set(back.records.map((r) => r.record.by))).toEqual(new Set([didOf(pa), didOf(pb)]));
    // Each plugin records its own user's layers as human and the other's as unknown (Figma names no one).
    const byAuthor = (nodes: Awaited<ReturnType<typeof back.nodes>>, id: string, who: string) =>
      nodes.node(id)!.properties.filter((p) => p.author.class === 'human' && p.author.who === who).length;
    const nodes = await back.nodes(`figma:${frame.id}`);
    expect(byAuthor(nodes, button.id, didOf(pb))).toBeGreaterThan(0);
    expect(byAuthor(nodes, label.id, didOf(pa))).toBeGreaterThan(0);
    // Bob's plugin took Alice's feed in (refresh on REMOTE changes) and saw no problem.
    const status = await pb.request<{ feeds: number; problems: string[] }>({ type: 'refresh' }, (m) => m.type === 'timeline');
    expect(status).toBeDefined();
    const last = pb.posted.filter((m) => m.type === 'status').at(-1) as { feeds: number; problems: string[] };
    expect(last.problems).toEqual([]);
  });

  it('grows a ledger past 100 kB across chunked entries that each stay under the limit', async () => {
    const doc = new FakeDocument('Big');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const plugin = await start(alice);
    // Every top-level layer is an asset of its own: each round of edits is one record per layer.
    const cells: SceneNode[] = [];
    for (let i = 0; i < 30; i++) cells.push(alice.draw('RECTANGLE', alice.currentPage, { name: `Tile ${i}` }));
    await flush(alice, plugin);
    for (let round = 0; round < 10; round++) {
      alice.act(() => cells.forEach((cell, i) => (cell.x = round * 10 + i)));
      await flush(alice, plugin);
    }
    const entries = (doc.restJson() as { document: { sharedPluginData: { colophon: Record<string, string> } } }).document.sharedPluginData.colophon;
    const index = JSON.parse(entries[`feeds/${didOf(plugin)}`]!);
    expect(index.bytes).toBeGreaterThan(100_000);
    expect(index.chunks).toBeGreaterThan(1);
    for (const [key, value] of Object.entries(entries)) expect(8 + key.length + value.length).toBeLessThanOrEqual(ENTRY_LIMIT_BYTES);
    expect(EMBEDDED_CHUNK_BYTES * (index.chunks - 1)).toBeLessThan(index.bytes);
    const back = await readBack(doc);
    expect(back.report.findings).toEqual([]);
    for (const cell of cells) {
      const nodes = await back.nodes(`figma:${cell.id}`);
      expect(nodes.node(cell.id)!.properties.find((p) => p.name === 'x')!.author).toMatchObject({ class: 'human', who: didOf(plugin) });
    }
  });
});

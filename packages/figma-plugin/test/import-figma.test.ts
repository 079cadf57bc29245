// `colophon import figma`: a design file's JSON (as the REST API returns it with
// plugin_data=shared), written by the bundled plugin running in QuickJS under the fake host, is
// verified and imported exactly as `import car` would, and the CLI attributes its layers.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { colophonInProcess, sandbox } from '../../cli/test/helpers.js';
import { FakeDocument } from './fake-figma.js';
import { flush, launch } from './harness.js';
import type { QuickJSPlugin } from './quickjs-host.js';

const running: QuickJSPlugin[] = [];
afterEach(() => {
  for (const plugin of running.splice(0)) plugin.dispose();
});

/** A file where Alice (running the plugin) draws a card and Bob, without the plugin, moves its title. */
async function designSession(): Promise<{ doc: FakeDocument; card: SceneNode; title: SceneNode; did: string }> {
  const doc = new FakeDocument('Launch poster');
  const alice = doc.connect({ id: 'u1', name: 'Alice' });
  const bob = doc.connect({ id: 'u2', name: 'Bob' });
  const plugin = await launch(alice);
  running.push(plugin);
  const card = alice.draw('FRAME', alice.currentPage, { name: 'Card' });
  const title = alice.draw('TEXT', card, { name: 'Title', characters: 'Launch' });
  await alice.settle();
  bob.act(() => {
    (bob.node(title.id) as TextNode).y = 40;
  });
  await flush(alice, plugin);
  const did = (plugin.posted.find((m) => m.type === 'status') as { did: string }).did;
  return { doc, card, title, did };
}

describe('colophon import figma', () => {
  it('imports the feeds a design file carries and attributes its layers', async () => {
    const { doc, card, title, did } = await designSession();
    const { dir } = await sandbox();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'poster.json'), JSON.stringify(doc.restJson()));

    const imported = await colophonInProcess(dir, 'import', 'figma', 'poster.json', '--json');
    expect(imported.err).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.out).imported).toBeGreaterThan(1);
    expect((await readdir(join(dir, '.colophon', 'feeds'))).length).toBe(1);
    expect((await colophonInProcess(dir, 'verify')).code).toBe(0);

    const attribution = await colophonInProcess(dir, 'attribute', '--asset', `figma:${card.id}`, '--json');
    expect(attribution.code).toBe(0);
    const result = JSON.parse(attribution.out);
    const layer = result.nodes.find((n: { id: string }) => n.id === title.id);
    const byName = Object.fromEntries(layer.properties.map((p: { property: string }) => [p.property, p]));
    expect(byName.characters).toMatchObject({ class: 'human', who: did });
    // Bob's move reached Alice's plugin as a REMOTE change: someone else, whom Figma does not name.
    expect(byName.y).toMatchObject({ class: 'unknown' });

    // Idempotent, as import car is.
    const again = await colophonInProcess(dir, 'import', 'figma', 'poster.json', '--json');
    expect(JSON.parse(again.out).imported).toBe(0);
  });

  it('refuses a tampered, torn or foreign file with one clear line and stores nothing', async () => {
    const { doc } = await designSession();
    const { dir } = await sandbox();
    await mkdir(dir, { recursive: true });
    const json = doc.restJson() as { document: { sharedPluginData: { colophon: Record<string, string> } } };
    const entries = json.document.sharedPluginData.colophon;
    const chunkKey = Object.keys(entries).find((k) => k.endsWith('/0'))!;
    const chunk = Buffer.from(entries[chunkKey]!, 'base64');
    chunk[chunk.length - 3]! ^= 1;
    await writeFile(join(dir, 'torn.json'), JSON.stringify({ ...json, document: { ...json.document, sharedPluginData: { colophon: { ...entries, [chunkKey]: chunk.toString('base64') } } } }));
    const torn = await colophonInProcess(dir, 'import', 'figma', 'torn.json');
    expect(torn.code).toBe(1);
    expect(torn.out).toMatch(/do not hash to the index's sha256/);

    await writeFile(join(dir, 'plain.json'), JSON.stringify({ ...json, document: { id: '0:0', name: 'Document', type: 'DOCUMENT', children: [] } }));
    const plain = await colophonInProcess(dir, 'import', 'figma', 'plain.json');
    expect(plain.code).toBe(1);
    expect(plain.err).toMatch(/plain\.json: the document node has no sharedPluginData; fetch the file with \?plugin_data=shared/);
    expect(plain.err).not.toMatch(/\n\s+at /);

    await writeFile(join(dir, 'broken.json'), '{"document": ');
    const broken = await colophonInProcess(dir, 'import', 'figma', 'broken.json');
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/broken\.json: not JSON/);
    await expect(readdir(join(dir, '.colophon'))).rejects.toThrow();
  });
});

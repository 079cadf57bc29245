// Design sessions against the bundled main thread (dist/code.js) running in QuickJS under the fake
// host; per-layer attribution is read back from the document and checked against what was done.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeDocument, type FakeFigma } from './fake-figma.js';
import { flush, launch, readBack } from './harness.js';
import type { QuickJSPlugin } from './quickjs-host.js';

const running: QuickJSPlugin[] = [];
afterEach(() => {
  for (const plugin of running.splice(0)) plugin.dispose();
});

async function start(view: FakeFigma, options?: Parameters<typeof launch>[1]): Promise<QuickJSPlugin> {
  const plugin = await launch(view, options);
  running.push(plugin);
  return plugin;
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
});

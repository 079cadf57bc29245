// The panel (dist/ui.html) in headless Chromium, in a sandboxed srcdoc iframe as Figma hosts it,
// under a host page that relays messages to and from the bundled main thread running in QuickJS.
// The panel supplies the key's entropy itself; a designer's layers, a REMOTE edit and a
// generation are shown per layer and property; the screenshot is kept for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDocument } from './fake-figma.js';
import { bundle } from './harness.js';
import { runPluginInQuickJS, type QuickJSPlugin } from './quickjs-host.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../../.bench-out/', import.meta.url));

const HOST_PAGE = (html: string) => `<!doctype html><html><body style="margin:0;background:#f0f0f0">
<iframe id="ui" sandbox="allow-scripts allow-forms" style="width:380px;height:760px;border:0;background:#fff" srcdoc="${html.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>
<script>
  // Figma's relay: the iframe posts {pluginMessage}; the plugin's posts arrive as {pluginMessage}.
  const encode = (v) => v instanceof Uint8Array ? { $bytes: Array.from(v) } : Array.isArray(v) ? v.map(encode) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])) : v;
  window.addEventListener('message', (event) => { if (event.data && event.data.pluginMessage) window.toMain(encode(event.data.pluginMessage)); });
  window.toUi = (message) => document.getElementById('ui').contentWindow.postMessage({ pluginMessage: message }, '*');
</script></body></html>`;

const decode = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    if ('$bytes' in v) return Uint8Array.from((v as { $bytes: number[] }).$bytes);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]));
  }
  return v;
};

describe.skipIf(!existsSync(CHROMIUM))('the panel in Chromium, relayed to the main thread in QuickJS', () => {
  let browser: Browser;
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const design = { name: 'Hero', width: 640, height: 360, layers: [{ type: 'RECTANGLE', name: 'Backdrop', width: 640, height: 360, color: '#102030' }, { type: 'TEXT', name: 'Headline', x: 32, y: 40, text: 'Ship it' }] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: 'studio-model-7', choices: [{ message: { content: JSON.stringify(design) } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('shows the selection per layer and property, the timeline, and drives generation', async () => {
    const { code, html } = bundle();
    const doc = new FakeDocument('Launch poster');
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const bob = doc.connect({ id: 'u2', name: 'Bob' });
    const page: Page = await browser.newPage({ viewport: { width: 380, height: 760 } });
    let plugin: QuickJSPlugin | undefined;
    const early: unknown[] = [];
    await page.exposeFunction('toMain', (message: unknown) => (plugin ? plugin.fromUi(decode(message)) : early.push(message)));
    await page.setContent(HOST_PAGE(html));
    await page.frameLocator('#ui').locator('#status').waitFor();
    plugin = await runPluginInQuickJS(alice, code, html, {
      fetch: async (url, init) => {
        const r = await fetch(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null, redirect: 'manual' });
        return { ok: r.ok, status: r.status, text: await r.text() };
      },
      onPost: (message) => void page.evaluate((m) => (globalThis as unknown as { toUi(m: unknown): void }).toUi(m), message).catch(() => undefined),
    });
    try {
      const ui = page.frameLocator('#ui');
      await expect.poll(() => ui.locator('#status').textContent(), { timeout: 60_000 }).toMatch(/Launch poster · 1 records/);

      const card = alice.draw('FRAME', alice.currentPage, { name: 'Card' });
      const title = alice.draw('TEXT', card, { name: 'Title', characters: 'Launch' });
      await alice.settle();
      bob.act(() => ((bob.node(title.id) as TextNode).y = 40));
      await alice.settle();
      await ui.locator('#save').click();
      await plugin.waitForUi((m) => m.type === 'flushed');
      alice.select([title]);
      await expect.poll(() => ui.locator('#selection').textContent()).toContain('Title');
      const selection = await ui.locator('#selection').textContent();
      expect(selection).toMatch(/human · \S+[^]*characters/);
      expect(selection).toMatch(/unknown\s*y(?!\w)/);

      await ui.locator('input[name=endpoint]').fill(endpoint);
      await ui.locator('input[name=model]').fill('studio-model');
      await ui.locator('textarea[name=prompt]').fill('A dark hero banner that says Ship it');
      const generated = plugin.waitForUi<{ frame: string }>((m) => m.type === 'generated' || m.type === 'error');
      await ui.locator('#generate button').click();
      const result = await generated;
      expect(result).toMatchObject({ type: 'generated' });
      const frame = alice.node(result.frame) as FrameNode;
      alice.select([frame.children[1]!]);
      await expect.poll(() => ui.locator('#selection').textContent()).toContain('Headline');
      expect(await ui.locator('#selection').textContent()).toMatch(/AI · 127\.0\.0\.1:\d+\/studio-model@studio-model-7/);
      await expect.poll(() => ui.locator('#timeline').textContent()).toContain('ai.generate');
      expect(plugin.failures).toEqual([]);
      mkdirSync(SHOTS, { recursive: true });
      await ui.locator('body').evaluate((body) => body.ownerDocument.defaultView!.scrollTo(0, 0));
      await page.screenshot({ path: `${SHOTS}figma-panel.png` });
    } finally {
      plugin.dispose();
      await page.close();
    }
  });
});

// The panel (dist/ui.html) in headless Chromium, in a sandboxed srcdoc iframe as Figma hosts it,
// under a host page that relays messages to and from the bundled main thread running in QuickJS.
// The panel supplies the key's entropy itself; a designer's layers, a REMOTE edit and a
// generation are shown per layer and property; the screenshot is kept for a person to look at.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetAttribution, loadAssetHistory } from '@colophon/core';
import { readCredentials } from '@colophon/c2pa-bridge';
import { FakeDocument } from './fake-figma.js';
import { bundle, readBack } from './harness.js';
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

// The SDK's wasm, served as the pinned CDN would (any origin may fetch it).
const WASM = readFileSync(createRequire(new URL('../../c2pa-bridge/package.json', import.meta.url)).resolve('@contentauth/c2pa-wasm/c2pa.wasm'));

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
  let wasmUrl: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    server = createServer((req, res) => {
      if (req.url === '/c2pa_bg.wasm') {
        res.writeHead(200, { 'content-type': 'application/wasm', 'access-control-allow-origin': '*' }).end(WASM);
        return;
      }
      req.resume();
      req.on('end', () => {
        const design = { name: 'Hero', width: 640, height: 360, layers: [{ type: 'RECTANGLE', name: 'Backdrop', width: 640, height: 360, color: '#102030' }, { type: 'TEXT', name: 'Headline', x: 32, y: 40, text: 'Ship it' }] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model: 'studio-model-7', choices: [{ message: { content: JSON.stringify(design) } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    wasmUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/c2pa_bg.wasm`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** The panel in a host page, relayed to the bundled main thread running for `view`'s user. */
  async function open(view: ReturnType<FakeDocument['connect']>, height = 760): Promise<{ page: Page; plugin: QuickJSPlugin }> {
    const { code, html } = bundle();
    const page: Page = await browser.newPage({ viewport: { width: 380, height } });
    let plugin: QuickJSPlugin | undefined;
    await page.exposeFunction('toMain', (message: unknown) => plugin?.fromUi(decode(message)));
    await page.setContent(HOST_PAGE(html));
    await page.frameLocator('#ui').locator('#status').waitFor();
    plugin = await runPluginInQuickJS(view, code, html, {
      fetch: async (url, init) => {
        const r = await fetch(url, { method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null, redirect: 'manual' });
        return { ok: r.ok, status: r.status, text: await r.text() };
      },
      onPost: (message) => void page.evaluate((m) => (globalThis as unknown as { toUi(m: unknown): void }).toUi(m), message).catch(() => undefined),
    });
    return { page, plugin };
  }

  async function generate(page: Page, plugin: QuickJSPlugin): Promise<string> {
    const ui = page.frameLocator('#ui');
    await ui.locator('input[name=endpoint]').fill(endpoint);
    await ui.locator('input[name=model]').fill('studio-model');
    await ui.locator('textarea[name=prompt]').fill('A dark hero banner that says Ship it');
    const generated = plugin.waitForUi<{ frame: string }>((m) => m.type === 'generated' || m.type === 'error');
    await ui.locator('#generate button').click();
    const result = await generated;
    expect(result).toMatchObject({ type: 'generated' });
    return result.frame;
  }

  interface PanelSession {
    doc: FakeDocument;
    alice: ReturnType<FakeDocument['connect']>;
    page: Page;
    plugin: QuickJSPlugin;
    ui: ReturnType<Page['frameLocator']>;
  }

  /** Alice opens a new file with the panel; `body` works in it; the panel is then photographed into `shot`. */
  async function inPanel(name: string, shot: string, body: (session: PanelSession) => Promise<void>, height = 900): Promise<void> {
    const doc = new FakeDocument(name);
    const alice = doc.connect({ id: 'u1', name: 'Alice' });
    const { page, plugin } = await open(alice, height);
    try {
      const ui = page.frameLocator('#ui');
      await expect.poll(() => ui.locator('#status').textContent(), { timeout: 60_000 }).toContain(`${name} · 1 records`);
      await body({ doc, alice, page, plugin, ui });
      expect(plugin.failures).toEqual([]);
      mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: `${SHOTS}${shot}` });
    } finally {
      plugin.dispose();
      await page.close();
    }
  }

  it('shows the selection per layer and property, the timeline, and drives generation', () =>
    inPanel('Launch poster', 'figma-panel.png', async ({ doc, alice, page, plugin, ui }) => {
      const bob = doc.connect({ id: 'u2', name: 'Bob' });

      const card = alice.draw('FRAME', alice.currentPage, { name: 'Card' });
      const title = alice.draw('TEXT', card, { name: 'Title', characters: 'Launch' });
      await alice.settle();
      bob.act(() => ((bob.node(title.id) as TextNode).y = 40));
      await alice.settle();
      await ui.locator('#save').click();
      await plugin.waitForUi((m) => m.type === 'flushed');
      alice.select([title]);
      // The report's own layer table (core's workHtml), the selected layer marked and named.
      const titleRow = ui.locator(`#selection tr[data-node="${title.id}"]`);
      await expect.poll(() => titleRow.textContent()).toContain('Title');
      expect(await titleRow.getAttribute('class')).toContain('selected');
      expect(await titleRow.locator('.prop[data-class=human]', { hasText: 'characters' }).textContent()).toContain('Alice');
      expect(await titleRow.locator('.prop[data-class=unknown]').allTextContents()).toContainEqual(expect.stringMatching(/^y\b/));
      expect(await ui.locator('#selection #shares').textContent()).toMatch(/Who made it/);

      const frame = alice.node(await generate(page, plugin)) as FrameNode;
      alice.select([frame.children[1]!]);
      const headlineRow = ui.locator(`#selection tr[data-node="${frame.children[1]!.id}"]`);
      await expect.poll(() => headlineRow.textContent()).toContain('Headline');
      expect(await headlineRow.locator('.prop[data-class=ai]').first().textContent()).toMatch(/127\.0\.0\.1:\d+\/studio-model@studio-model-7/);
      await expect.poll(() => ui.locator('#timeline').textContent()).toContain('ai.generate');
      await ui.locator('body').evaluate((body) => body.ownerDocument.defaultView!.scrollTo(0, 0));
    }, 760));

  it('exports a frame with Content Credentials signed in the panel (key on the main thread) that the official reader finds Valid and in agreement with core', () =>
    inPanel('Launch poster', 'figma-panel-export.png', async ({ doc, alice, page, plugin, ui }) => {
      // The model makes the banner; Alice then retitles and recolours its headline by hand.
      const frame = alice.node(await generate(page, plugin)) as FrameNode;
      const headline = frame.children[1]!;
      await alice.settle(); // the generation's own change events come first (a person cannot edit within milliseconds of it)
      alice.act(() => {
        headline.name = 'Headline (final)';
        (headline as TextNode).fills = [{ type: 'SOLID', color: { r: 1, g: 0.8, b: 0.2 } }];
      });
      alice.select([headline]);
      await ui.locator('details:has(#sdk-url) summary').click();
      await ui.locator('#sdk-url').fill(wasmUrl);

      const signatures = () => plugin.posted.filter((m) => m.type === 'signature').length;
      const exported = new Map<string, Uint8Array>();
      for (const format of ['PNG', 'JPG', 'SVG', 'PDF']) {
        const before = signatures();
        await ui.locator('select[name=format]').selectOption(format);
        await ui.locator('#export button').click();
        await expect.poll(() => ui.locator('#export-result').textContent(), { timeout: 60_000 }).toMatch(/Content Credentials Valid|problem|not|cannot/i);
        const text = await ui.locator('#export-result').textContent();
        expect(text).toContain('Content Credentials Valid (signer not on a trust list: self-signed)');
        const link = ui.locator('#download');
        const name = (await link.getAttribute('download'))!;
        expect(name).toBe(`Hero.${format === 'JPG' ? 'jpg' : format.toLowerCase()}`);
        const bytes = await link.evaluate(async (a) => Array.from(new Uint8Array(await (await fetch((a as unknown as { href: string }).href)).arrayBuffer())));
        exported.set(name, Uint8Array.from(bytes));
        // Every signature crossed to the main thread: the certificate's (first export only) and the claim's.
        expect(signatures() - before).toBeGreaterThanOrEqual(format === 'PNG' ? 2 : 1);
      }
      expect(plugin.posted.filter((m) => m.type === 'certificate-stored')).toHaveLength(1);
      expect(plugin.posted.filter((m) => m.type === 'signature' && m.error)).toEqual([]);

      // The official reader, in Node, independently of the panel; core's attribution from the document's ledger.
      const back = await readBack(doc);
      const asset = `figma:${frame.id}`;
      const attribution = assetAttribution(await loadAssetHistory(back.store, asset), { asset });
      expect(attribution.shares.byClass.ai).toBeGreaterThan(0);
      expect(attribution.shares.byClass.human).toBeGreaterThan(0);
      for (const [name, bytes] of exported) {
        const report = await readCredentials({ fileName: name, bytes });
        expect(report.state, name).toBe('Valid');
        expect(report.untrusted).toBe(true);
        expect(report.failures.map((f) => f.code)).toEqual(['signingCredential.untrusted']);
        expect(report.signer?.commonName).toBe('Alice');
        expect(report.ledger?.asset).toBe(asset);
        expect(report.digitalSourceType).toBe(attribution.digitalSourceType);
        expect(report.ledger?.share?.ai).toBeCloseTo(attribution.shares.byClass.ai, 4);
        expect(report.ledger?.share?.human).toBeCloseTo(attribution.shares.byClass.human, 4);
        // The model's generation and Alice's edit, in that order, as the ledger has them.
        const [created, ...edits] = report.actions;
        expect(created).toMatchObject({ action: 'c2pa.created', digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia' });
        expect(created!.softwareAgent).toMatch(/studio-model/);
        expect(edits.some((a) => a.action === 'c2pa.edited' && !a.softwareAgent)).toBe(true);
        expect(report.ledger?.steps.map((s) => s.classes)).toEqual(expect.arrayContaining([['ai'], ['human']]));
      }

      // Verify in the panel: the records, then the exported file through the file picker.
      await ui.locator('#verify').click();
      await expect.poll(() => ui.locator('#verify-result').textContent()).toMatch(/All \d+ records in 1 feed\(s\) verify/);
      await ui.locator('#check-file').setInputFiles({ name: 'Hero.png', mimeType: 'image/png', buffer: Buffer.from(exported.get('Hero.png')!) });
      await expect.poll(() => ui.locator('#verify-result').textContent()).toContain('Content Credentials Valid');
      expect(await ui.locator('#verify-result').textContent()).toMatch(/human \d+% · AI \d+%/);
      await ui.locator('#export').evaluate((form) => form.scrollIntoView());
    }));

  it('shows the gates in force and records a director\'s approval with core\'s governance rules', () =>
    inPanel('Campaign', 'figma-panel-gates.png', async ({ doc, alice, plugin, ui }) => {
      const card = alice.draw('FRAME', alice.currentPage, { name: 'Card' });
      await alice.settle();
      alice.select([card]);
      await ui.locator('#gates').click();
      await expect.poll(() => ui.locator('#gates-result').textContent()).toContain(`No contract governs figma:${card.id}`);

      const contract = { name: 'launch', gates: { directorApproved: "approvals.exists(a, a.final && 'director' in a.roles)", mostlyHuman: 'attribution.humanShare >= 0.5' } };
      await ui.locator('details:has(#contract) summary').click();
      // The owner makes herself a director (a studio of one), as `colophon member add` would.
      await ui.locator('input[name=subject]').fill((await ui.locator('#identity').getAttribute('title'))!);
      await ui.locator('#grant button').click();
      await plugin.waitForUi((m) => m.type === 'granted' || m.type === 'error').then((m) => expect(m.type).toBe('granted'));
      await ui.locator('textarea[name=contract]').fill(JSON.stringify(contract));
      await ui.locator('#contract button').click();
      await plugin.waitForUi((m) => m.type === 'contract-recorded' || m.type === 'error').then((m) => expect(m.type).toBe('contract-recorded'));
      await ui.locator('#gates').click();
      await expect.poll(() => ui.locator('#gates-result').textContent()).toMatch(/launch for figma:\S+: not every gate passes/);
      expect(await ui.locator('#gates-result').textContent()).toMatch(/✗ directorApproved.*✓ mostlyHuman/);

      await ui.locator('#approve').click();
      await plugin.waitForUi((m) => m.type === 'approved' || m.type === 'error').then((m) => expect(m).toMatchObject({ type: 'approved', pass: true }));
      await expect.poll(() => ui.locator('#gates-result').textContent()).toMatch(/Approved figma:\S+: every gate passes/);
      const back = await readBack(doc);
      expect(back.report.findings).toEqual([]);
      const kinds = back.records.map((r) => r.record.kind);
      expect(kinds).toEqual(expect.arrayContaining(['contract', 'approve', 'gate']));
    }));
});

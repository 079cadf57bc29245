// The report as people see it, in real headless Chromium (Debian's chromium, playwright-core), at
// phone and desktop widths, for the demo's launch post and for a long mixed chapter (~50 KB: two
// models, a writer, pasted material, a formatter, changes nobody observed, non-ASCII text). Every
// figure on the page is held to `colophon attribute --json`, every tinted span to its runs; no
// width scrolls sideways, no lineage label is drawn below 11 px, nothing is fetched, and the page
// prints. Screenshots are kept in the test's temporary folder (the path is printed) to look at.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentCid, utf8Encode, type CID, type Contribution } from '@colophon/core';
import { REPORT_CSP } from '@colophon/core/report';
import { openWorkspace } from '../src/workspace.js';
import { colophonInProcess, withKeys } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
const WIDTHS = [360, 390, 1280, 1920];
const SCREENSHOT_WIDTHS = new Set([390, 1280, 1920]);
const MIN_LABEL_PX = 11;

/** The browser's globals the page functions use (the tests compile without the DOM library). */
interface Browserside {
  getComputedStyle(element: unknown): { backgroundColor: string; fontSize: string };
  innerWidth: number;
  document: { documentElement: { scrollWidth: number }; querySelector(selector: string): Box & { querySelector(selector: string): unknown } };
}
interface Box {
  scrollHeight: number;
  clientHeight: number;
}

interface Run {
  start: number;
  length: number;
  class: string;
  who: string;
}

interface Attribution {
  total: number;
  humanShare: number;
  digitalSourceType: string | null;
  records: unknown[];
  shares: { byClass: Record<string, number>; unitsByClass: Record<string, number>; byContributor: { contributor: string; units: number; share: number }[] };
  runs: Run[];
}

interface Subject {
  name: string;
  html: string;
  attribution: Attribution;
  text: string;
}

let base: string;
let browser: Browser;
const subjects: Subject[] = [];
let poster: { html: string; attribution: Attribution & { nodes: { id: string; properties: { property: string; class: string }[] }[] } };

async function inProcess(cwd: string, keys: string, ...argv: string[]): Promise<string> {
  const result = await withKeys(keys, () => colophonInProcess(cwd, ...argv));
  expect(result.code, `colophon ${argv.join(' ')}: ${result.err}`).toBe(0);
  return result.out;
}

async function subject(name: string, studio: string, keys: string, asset: string, html: string): Promise<Subject> {
  const attribution = JSON.parse(await inProcess(studio, keys, 'attribute', '--asset', asset, '--json')) as Attribution;
  const text = await readFile(join(studio, asset.slice('file:'.length)), 'utf8');
  return { name, html, attribution, text };
}

/** Deterministic prose: words from a small vocabulary, some of them not ASCII. */
function prose(seed: number, length: number): string {
  const words = ['autumn', 'wool', 'harbour', 'light', 'café', 'river', 'Porto', 'naïve', 'stitch', 'evening', 'grey', 'salt', 'window', 'déjà', 'bread', 'tram', '🧶', 'quiet', 'hands', 'colour'];
  let x = seed;
  let out = '';
  let sentence = 0;
  while (out.length < length) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const word = words[(x >> 11) % words.length]!;
    out += sentence === 0 ? word[0]!.toUpperCase() + word.slice(1) : word;
    sentence++;
    if (sentence > 8 + ((x >> 7) % 7)) {
      out += (x >> 5) % 5 === 0 ? '.\n\n' : '. ';
      sentence = 0;
    } else out += ' ';
  }
  const cut = out.slice(0, length);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** `pos`, moved back off the second half of a surrogate pair (an emoji is two UTF-16 units). */
function boundary(text: string, pos: number): number {
  const code = text.charCodeAt(pos);
  return code >= 0xdc00 && code <= 0xdfff ? pos - 1 : pos;
}

/** A long chapter made by two models, a writer, a paste, a formatter and changes nobody saw. */
async function longChapter(dir: string, keys: string): Promise<string> {
  await inProcess(dir, keys, 'init', '--name', 'Long read', '--as', 'mia');
  await inProcess(dir, keys, 'id', 'new', 'agent');
  await inProcess(dir, keys, 'member', 'add', 'agent', '--role', 'agent', '--as', 'mia');
  const { ws, mia, agent } = await withKeys(keys, async () => {
    const opened = await openWorkspace(dir);
    return { ws: opened, mia: (await opened.keys.get('mia'))!, agent: (await opened.keys.get('agent'))! };
  });
  const asset = 'file:chapter.md';
  let text = '';
  let last: CID | undefined;
  const edit = async (signer: typeof mia, ops: [number, number, string, string][], extra: Partial<Contribution>) => {
    for (const [pos, del, ins] of ops) text = text.slice(0, pos) + ins + text.slice(pos + del);
    const stored = await ws.project.record(signer, {
      kind: 'asset.edit',
      asset,
      out: contentCid(utf8Encode(text)),
      delta: { text: ops.map(([pos, del, ins, cls]) => [pos, del, ins.length, cls]) },
      ...(last ? { links: [last] } : {}),
      ...extra,
    } as Contribution);
    last = stored.cid;
  };
  const modelA = { type: 'ai', model: { provider: 'anthropic', name: 'claude-sonnet', version: '4.5' } } as const;
  const modelB = { type: 'ai', model: { provider: 'openai', name: 'gpt', version: '5' } } as const;
  await edit(agent, [[0, 0, `# Chapter three\n\n${prose(1, 22_000)}`, 'ai']], { kind: 'ai.generate', agent: modelA, intent: { text: 'Draft chapter three: the harbour in autumn.' } });
  // The writer rewrites: 80 passages inserted and some cut, all over the chapter (each op's
  // position counts in the text the ops before it left, as the record format says).
  for (let round = 0; round < 4; round++) {
    const ops: [number, number, string, string][] = [];
    let draft = text;
    for (let i = 0; i < 20; i++) {
      const pos = boundary(draft, Math.floor((((i * 997 + round * 131) % 1000) / 1000) * draft.length));
      const cut = i % 4 === 0 ? boundary(draft, Math.min(pos + 40, draft.length)) - pos : 0;
      const insert = `${prose(100 + round * 20 + i, 220)} `;
      ops.push([pos, cut, insert, 'human']);
      draft = draft.slice(0, pos) + insert + draft.slice(pos + cut);
    }
    await edit(mia, ops, {});
  }
  await edit(mia, [[boundary(text, Math.floor(text.length / 3)), 0, `\n\n> ${prose(500, 3_000)}\n\n`, 'paste']], {});
  await edit(agent, [[text.length, 0, `\n\n${prose(700, 9_000)}`, 'ai']], { kind: 'ai.generate', agent: modelB });
  await edit(mia, [[0, 17, '# Chapter Three\n\n', 'tool'], [boundary(text, text.length - 500), 0, ' — ', 'tool']], { agent: { type: 'tool', name: 'prettier', version: '3.3.3' } });
  await edit(mia, [[boundary(text, Math.floor(text.length / 2)), 0, prose(900, 1_200), 'unknown']], {});
  await writeFile(join(dir, 'chapter.md'), text);
  return asset;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the report tests`);
  base = await mkdtemp(join(tmpdir(), 'colophon-report-pages-'));
  // The demo, exactly as `npm run demo` plays it.
  const demoDir = join(base, 'demo');
  await mkdir(demoDir, { recursive: true });
  const played = await colophonInProcess(base, 'demo', '--dir', demoDir);
  expect(played.code, played.err).toBe(0);
  const demoStudio = join(demoDir, 'studio');
  subjects.push(await subject('demo', demoStudio, join(demoDir, 'keys'), 'file:launch.md', await readFile(join(demoStudio, 'out', 'report.html'), 'utf8')));

  poster = {
    html: await readFile(join(demoStudio, 'out', 'poster-report.html'), 'utf8'),
    attribution: JSON.parse(await inProcess(demoStudio, join(demoDir, 'keys'), 'attribute', '--asset', 'file:poster.png', '--json')) as Attribution & { nodes: { id: string; properties: { property: string; class: string }[] }[] },
  };

  const long = join(base, 'long');
  const keys = join(base, 'long-keys');
  await mkdir(long, { recursive: true });
  const asset = await longChapter(long, keys);
  await inProcess(long, keys, 'report', '--asset', asset, '--out', 'report.html');
  subjects.push(await subject('long', long, keys, asset, await readFile(join(long, 'report.html'), 'utf8')));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  process.stdout.write(`report screenshots: ${base}\n`);
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

async function open(html: string, width: number): Promise<{ page: Page; attempted: string[]; problems: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, offline: true });
  const attempted: string[] = [];
  await context.route('**/*', (route) => {
    attempted.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('request', (request) => attempted.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.setContent(html, { waitUntil: 'load' });
  return { page, attempted, problems, close: () => context.close() };
}

const percent = (share: number) => (share > 0 && share < 0.0005 ? '<0.1%' : `${(share * 100).toFixed(1)}%`);

/** Every [data-figure] on the page equals its field in `attribute --json`, shown as attribute prints it. */
async function expectFigures(page: Page, a: Attribution): Promise<void> {
  const figures = await page.locator('[data-figure]').evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-figure')!, value: e.getAttribute('data-value')!, text: e.textContent!, row: e.closest('tr')?.getAttribute('data-contributor') ?? null })));
  expect(figures.length).toBeGreaterThan(10);
  const contributors = new Map(a.shares.byContributor.map((c) => [c.contributor, c]));
  for (const f of figures) {
    let expected: number | string | null;
    if (f.name === 'humanShare') expected = a.humanShare;
    else if (f.name === 'total') expected = a.total;
    else if (f.name === 'records') expected = a.records.length;
    else if (f.name === 'digitalSourceType') expected = a.digitalSourceType;
    else if (f.name.startsWith('byClass.')) expected = a.shares.byClass[f.name.slice(8)]!;
    else if (f.name.startsWith('unitsByClass.')) expected = a.shares.unitsByClass[f.name.slice(13)]!;
    else if (f.name === 'contributor.units') expected = contributors.get(f.row!)!.units;
    else if (f.name === 'contributor.share') expected = contributors.get(f.row!)!.share;
    else throw new Error(`a figure the test does not know: ${f.name}`);
    expect(f.value, f.name).toBe(String(expected));
    if (typeof expected === 'number') {
      const shown = f.name.includes('units') || f.name === 'total' || f.name === 'records' ? expected.toLocaleString('en') : percent(expected);
      expect(f.text, f.name).toBe(shown);
    }
  }
  // Every class with content and every contributor has its figure.
  for (const [cls, units] of Object.entries(a.shares.unitsByClass)) if (units > 0) expect(figures.some((f) => f.name === `byClass.${cls}`)).toBe(true);
  for (const c of a.shares.byContributor.slice(0, 50)) expect(figures.some((f) => f.row === c.contributor && f.name === 'contributor.share')).toBe(true);
}

describe.each(['demo', 'long'])('the %s report', (name) => {
  const get = () => subjects.find((s) => s.name === name)!;

  it('is one self-contained file under a strict policy', () => {
    const { html } = get();
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('shows every figure exactly as attribute --json says it', async () => {
    const { html, attribution } = get();
    const { page, close } = await open(html, 1280);
    await expectFigures(page, attribution);
    await close();
  });

  it('tints the text in exactly the runs attribute gives, and the text is the file', async () => {
    const { html, attribution: a, text } = get();
    const { page, close } = await open(html, 1280);
    const spans = await page.locator('.authored .run').evaluateAll((els) =>
      els.map((e) => ({ start: Number(e.getAttribute('data-start')), length: Number(e.getAttribute('data-length')), class: e.getAttribute('data-class')!, who: e.getAttribute('data-who')!, text: e.textContent!, background: (globalThis as unknown as Browserside).getComputedStyle(e).backgroundColor, title: e.getAttribute('title')! })),
    );
    expect(spans.map(({ start, length, class: cls, who }) => ({ start, length, class: cls, who }))).toEqual(a.runs.map((r) => ({ start: r.start, length: r.length, class: r.class, who: r.who })));
    expect(spans.map((s) => s.text).join('')).toBe(text);
    // Coloured: every span has a tint, and different classes have different tints.
    const tint = new Map<string, Set<string>>();
    for (const s of spans) {
      expect(s.background, `${s.class} at ${s.start}`).not.toBe('rgba(0, 0, 0, 0)');
      tint.set(s.class, (tint.get(s.class) ?? new Set()).add(s.background));
      expect(s.title).toMatch(/record baf/);
    }
    const classes = [...tint.keys()];
    for (let i = 0; i < classes.length; i++) for (let j = i + 1; j < classes.length; j++) for (const c of tint.get(classes[i]!)!) expect(tint.get(classes[j]!)!.has(c)).toBe(false);
    await close();
  });

  it.each(WIDTHS)('at %i px: no sideways scroll, lineage labels >= 11 px, nothing fetched', async (width) => {
    const { html } = get();
    const { page, attempted, problems, close } = await open(html, width);
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as Browserside;
      return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth };
    });
    expect(overflow.scroll, `page is ${overflow.scroll} px wide at ${width} px`).toBeLessThanOrEqual(overflow.inner);
    const labels = await page.locator('#lineage svg text').evaluateAll((els) =>
      els.map((e) => {
        // Graphviz sizes text in user units; the screen matrix turns them into CSS pixels.
        const t = e as unknown as { textContent: string; getScreenCTM(): { a: number } | null };
        return { text: t.textContent, px: parseFloat((globalThis as unknown as Browserside).getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a ?? 0) };
      }),
    );
    expect(labels.length).toBeGreaterThan(3);
    const smallest = labels.reduce((min, l) => (l.px < min.px ? l : min));
    expect(smallest.px, `"${smallest.text}" is drawn at ${smallest.px.toFixed(1)} px`).toBeGreaterThanOrEqual(MIN_LABEL_PX);
    expect(await page.locator('.authored .run').count()).toBeGreaterThan(0);
    if (SCREENSHOT_WIDTHS.has(width)) await page.screenshot({ path: join(base, `${name}-${width}.png`), fullPage: true });
    expect(attempted).toEqual([]);
    expect(problems).toEqual([]);
    await close();
  });

  it('prints: an A4 page width holds it, the whole text is printed, and Chromium makes a PDF', async () => {
    const { html, attribution: a } = get();
    const { page, close } = await open(html, 794);
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const g = globalThis as unknown as Browserside;
      const authored = g.document.querySelector('.authored');
      return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth, clipped: authored.scrollHeight - authored.clientHeight, tinted: g.getComputedStyle(authored.querySelector('.run')).backgroundColor };
    });
    expect(printed.scroll).toBeLessThanOrEqual(printed.inner);
    expect(printed.clipped).toBeLessThanOrEqual(1);
    expect(printed.tinted).not.toBe('rgba(0, 0, 0, 0)');
    await page.screenshot({ path: join(base, `${name}-print.png`), fullPage: true });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(a.total).toBeGreaterThan(0);
    await close();
  });
});

describe('the long chapter', () => {
  it('is about 50 KB of mixed work: two models, a writer, a paste, a formatter and unobserved changes', () => {
    const { attribution: a, text } = subjects.find((s) => s.name === 'long')!;
    expect(text.length).toBeGreaterThan(45_000);
    expect(a.runs.length).toBeGreaterThan(100);
    for (const cls of ['human', 'ai', 'tool', 'pasted', 'unknown']) expect(a.shares.unitsByClass[cls], cls).toBeGreaterThan(0);
    expect(a.shares.byContributor.filter((c) => c.contributor.startsWith('ai:')).map((c) => c.contributor).sort()).toEqual(['ai:anthropic/claude-sonnet@4.5', 'ai:openai/gpt@5']);
  });
});

describe('the demo poster report', () => {
  it('shows the image itself and each layer property with the author attribute names', async () => {
    const { page, attempted, close } = await open(poster.html, 390);
    const image = await page.locator('#work img').evaluate((img) => ({ src: img.getAttribute('src')!, width: (img as unknown as { naturalWidth: number }).naturalWidth }));
    expect(image.src.startsWith('data:image/png;base64,')).toBe(true);
    expect(image.width).toBe(240);
    const layers = await page.locator('table.layers tbody tr').evaluateAll((rows) => rows.map((r) => ({ id: r.getAttribute('data-node')!, properties: [...r.querySelectorAll('.prop')].map((p) => ({ property: p.querySelector('code')!.textContent!, class: p.getAttribute('data-class')! })) })));
    expect(layers).toEqual(poster.attribution.nodes.map((n) => ({ id: n.id, properties: n.properties.map((p) => ({ property: p.property, class: p.class })) })));
    await expectFigures(page, poster.attribution);
    expect(await page.evaluate(() => {
      const g = globalThis as unknown as Browserside;
      return g.document.documentElement.scrollWidth <= g.innerWidth;
    })).toBe(true);
    expect(attempted).toEqual([]);
    await close();
  });
});

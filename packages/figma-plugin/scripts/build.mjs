// Builds the two files Figma loads (see manifest.json): dist/code.js, the main thread as one IIFE
// script for Figma's QuickJS sandbox (ES2020; no modules, TextEncoder, crypto or WebAssembly),
// and dist/ui.html, the panel as one self-contained HTML file (script and styles inlined).
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
// COLOPHON_FIGMA_OUT=<dir> builds elsewhere (tests build a private copy, so parallel runs never read a half-written file).
const dist = process.env.COLOPHON_FIGMA_OUT ? new URL(`file://${process.env.COLOPHON_FIGMA_OUT.replace(/\/?$/, '/')}`) : new URL('dist/', root);
await mkdir(dist, { recursive: true });

const common = {
  bundle: true,
  target: 'es2020',
  // Bundle core from its TypeScript sources, so the plugin never packs a stale core build.
  conditions: ['@colophon/source'],
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [new URL('src/main.ts', root).pathname],
  outfile: new URL('code.js', dist).pathname,
  format: 'iife',
  platform: 'neutral',
  minify: true,
});

// The panel fetches the C2PA SDK's wasm (too big to inline) and uses it only if it is this exact build.
const require = createRequire(new URL('../../c2pa-bridge/package.json', import.meta.url));
const wasmPackage = JSON.parse(await readFile(require.resolve('@contentauth/c2pa-wasm/package.json'), 'utf8'));
const wasm = await readFile(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm'));
const wasmUrl = `https://cdn.jsdelivr.net/npm/@contentauth/c2pa-wasm@${wasmPackage.version}/pkg/c2pa_bg.wasm`;

const ui = await build({
  ...common,
  define: { __C2PA_WASM_URL__: JSON.stringify(wasmUrl), __C2PA_WASM_SHA256__: JSON.stringify(createHash('sha256').update(wasm).digest('hex')) },
  entryPoints: [new URL('src/ui/panel.ts', root).pathname],
  format: 'iife',
  platform: 'browser',
  minify: true,
  write: false,
});
const template = await readFile(new URL('src/ui/panel.html', root), 'utf8');
const script = ui.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
if (!template.includes('<!-- PANEL_SCRIPT -->')) throw new Error('src/ui/panel.html lacks the <!-- PANEL_SCRIPT --> marker');
await writeFile(new URL('ui.html', dist), template.replace('<!-- PANEL_SCRIPT -->', () => `<script>${script}</script>`));

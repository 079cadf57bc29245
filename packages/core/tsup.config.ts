import { defineConfig, type Options } from 'tsup';

const library: Options = {
  entry: {
    index: 'src/index.ts',
    'capture/index': 'src/capture/index.ts',
    'record/index': 'src/record/index.ts',
    'attribution/index': 'src/attribution/index.ts',
    'contracts/index': 'src/contracts/index.ts',
    'lineage/index': 'src/lineage/index.ts',
    'report/index': 'src/report/index.ts',
    'node/index': 'src/node/index.ts',
  },
  format: ['esm'],
  // tsconfig.json leaves out Node's types (the main entry must not use them); ./node needs them.
  dts: { compilerOptions: { types: ['node'] } },
  clean: true,
  target: 'es2020',
  platform: 'neutral',
  external: [/^node:/],
};

// One self-contained file of the main entry, for sandboxes without a module loader (Figma, QuickJS tests).
const bundle: Options = {
  entry: { 'core.bundle': 'src/index.ts' },
  format: ['esm'],
  dts: false,
  clean: false,
  target: 'es2020',
  platform: 'neutral',
  noExternal: [/.*/],
  mainFields: ['module', 'main'],
};

// COLOPHON_BUNDLE_ONLY=1 builds just dist/core.bundle.js (about half a second; used by the QuickJS test).
export default defineConfig(process.env.COLOPHON_BUNDLE_ONLY === '1' ? [bundle] : [library, bundle]);

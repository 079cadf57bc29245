import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
    format: ['esm'],
    // tsconfig.json leaves out Node's types (the main entry must not use them); ./node needs them.
    dts: { compilerOptions: { types: ['node'] } },
    clean: true,
    target: 'es2020',
    platform: 'neutral',
    external: [/^node:/],
  },
  // One self-contained file of the main entry, for sandboxes without a module loader (Figma, QuickJS tests).
  {
    entry: { 'core.bundle': 'src/index.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    target: 'es2020',
    platform: 'neutral',
    noExternal: [/.*/],
    mainFields: ['module', 'main'],
  },
]);

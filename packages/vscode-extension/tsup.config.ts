import { defineConfig, type Options } from 'tsup';

// Built from the sibling packages' sources (the @colophon/source condition), so build order does not matter.
const fromSources: Options['esbuildOptions'] = (options) => {
  options.conditions = ['@colophon/source', 'import', 'module', 'default'];
};

export default defineConfig([
  // One CommonJS file that VS Code's extension host `require`s: everything bundled (the .vsix ships
  // no node_modules) except the `vscode` module the host provides.
  {
    entry: { extension: 'src/extension.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    platform: 'node',
    target: 'node20',
    external: ['vscode'],
    noExternal: [/^(?!vscode$).*/],
    clean: true,
    dts: false,
    minify: true,
    esbuildOptions: fromSources,
  },
  // The change handler's VS Code-free part, for bench/vscode-handler.mjs (not shipped in the .vsix).
  {
    entry: { 'bench/classify': 'src/capture/classify.ts', 'bench/expectations': 'src/capture/expectations.ts', 'bench/formatted': 'src/capture/formatted.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    clean: false,
    dts: false,
    esbuildOptions: fromSources,
  },
]);

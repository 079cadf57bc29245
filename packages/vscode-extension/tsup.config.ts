import { defineConfig } from 'tsup';

// One CommonJS file that VS Code's extension host `require`s: everything bundled (the .vsix ships no
// node_modules) except the `vscode` module the host provides. Built from the sibling packages'
// sources (the @colophon/source condition), so build order does not matter.
export default defineConfig({
  entry: { extension: 'src/extension.ts' },
  format: ['cjs'],
  outExtension: () => ({ js: '.cjs' }),
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  noExternal: [/^(?!vscode$).*/],
  clean: true,
  dts: false,
  sourcemap: false,
  esbuildOptions(options) {
    options.conditions = ['@colophon/source', 'import', 'module', 'default'];
  },
});

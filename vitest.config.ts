import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@colophon/source'] },
  ssr: { resolve: { conditions: ['@colophon/source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'core', include: ['packages/core/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['packages/cli/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'c2pa', include: ['packages/c2pa-bridge/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'figma', include: ['packages/figma-plugin/test/**/*.test.ts'] } },
    ],
  },
});

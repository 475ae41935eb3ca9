import { defineConfig } from 'vitest/config';

// Tests and benchmarks run against each package's TypeScript source: the `@mm/source` export condition
// (declared in every package.json) points at `src/index.ts`, so no build is needed (the Vitest pattern).
export default defineConfig({
  resolve: {
    conditions: ['@mm/source', 'module', 'node', 'default'],
  },
  ssr: {
    resolve: {
      conditions: ['@mm/source', 'module', 'node', 'default'],
      externalConditions: ['@mm/source'],
    },
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'tools/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    benchmark: {
      include: ['packages/*/bench/**/*.bench.ts'],
    },
  },
});

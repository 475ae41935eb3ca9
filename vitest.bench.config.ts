import { defineConfig } from 'vitest/config';

// Benchmarks measure the code users get: each package's built `dist` (run `pnpm build` first; `pnpm bench` does).
// Without the `@mm/source` condition the packages resolve to `dist`, which Node loads natively. (Through the test
// module runner every imported binding becomes a getter call, which would triple the cost of the hot paths.)
export default defineConfig({
  test: {
    // One bench file at a time: on a two-core machine, files running side by side would time each other.
    fileParallelism: false,
    benchmark: {
      include: ['packages/*/bench/**/*.bench.ts'],
    },
    server: {
      deps: {
        external: [/\/packages\/[^/]+\/dist\//],
      },
    },
  },
});

import { defineConfig } from 'vitest/config';
import { sourceConfig } from './vitest.shared';

// Every test of the repository in one run (`pnpm test`); each package also has its own config for `pnpm test`
// inside it.
export default defineConfig({
  ...sourceConfig,
  test: {
    ...sourceConfig.test,
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'tools/**/*.test.ts',
    ],
    benchmark: {
      include: ['packages/*/bench/**/*.bench.ts'],
    },
  },
});

import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { sourceConfig } from './vitest.shared';

// Every test of the repository in one run (`pnpm test`); each package also has its own config for `pnpm test`
// inside it.
export default defineConfig({
  ...sourceConfig,
  test: {
    ...sourceConfig.test,
    // Vitest's default leaves one core to the main process, which does nothing here: on two cores, that is one
    // worker and every file in turn.
    maxWorkers: availableParallelism(),
    // The default report, then the ten slowest files.
    reporters: ['default', './tools/slowest-files-reporter.ts'],
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

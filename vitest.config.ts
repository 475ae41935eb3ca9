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
      'packages/*/bench/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'tools/**/*.test.ts',
    ],
    // The packaging test builds, packs and installs every package (about two minutes on two cores): `pnpm
    // test:packaging` runs it (vitest.packaging.config.ts), and CI (.ci/run) runs it after the README's test command.
    exclude: ['tools/selective-install.test.ts', '**/node_modules/**'],
    benchmark: {
      include: ['packages/*/bench/**/*.bench.ts'],
    },
  },
});

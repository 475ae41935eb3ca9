import type { ViteUserConfig as UserConfig } from 'vitest/config';

/**
 * What every Vitest config of the repository shares: tests run against each package's TypeScript source, through
 * the `@mm/source` export condition (declared in every package.json, pointing at `src/index.ts`), so no build is
 * needed (the Vitest pattern); and generous timeouts for the end-to-end tests.
 */
export const sourceConfig = {
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
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
} satisfies UserConfig;

/** A package's own config (`pnpm test` inside it): its tests beside the code and in `test/`. */
export function packageConfig(): UserConfig {
  return {
    ...sourceConfig,
    test: { ...sourceConfig.test, include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'] },
  };
}

import { defineConfig } from 'vitest/config';
import { sourceConfig } from './vitest.shared';

// `pnpm test:packaging`: the packages as users install them, built, packed and installed offline from their
// tarballs (tools/selective-install.test.ts). Kept out of `pnpm test`, which stays fast; CI runs both.
export default defineConfig({
  ...sourceConfig,
  test: {
    ...sourceConfig.test,
    include: ['tools/selective-install.test.ts'],
    reporters: ['default', './tools/slowest-files-reporter.ts'],
  },
});

import { defineConfig } from 'tsup';

/** The build every package shares: ESM and `.d.ts` of `src/index.ts`, for Node 20. */
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});

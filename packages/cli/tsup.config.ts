import { defineConfig } from 'tsup';
import base from '../../tsup.config.base';

// The CLI also builds its executable, `dist/bin.js`.
export default defineConfig({
  ...base,
  entry: ['src/index.ts', 'src/bin.ts'],
  dts: { entry: 'src/index.ts' },
});

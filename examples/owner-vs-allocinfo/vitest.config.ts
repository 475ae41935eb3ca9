import { defineConfig } from 'vitest/config';
import { packageConfig } from '../../vitest.shared';

// This package's tests, against the sources of it and its dependencies (see vitest.shared.ts).
export default defineConfig(packageConfig());

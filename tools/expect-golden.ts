import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/**
 * Compares `actual` with the golden file `name` in `directory`. There is no switch that rewrites goldens: a golden
 * changes by hand, with the reason in its directory's PROVENANCE.md (a kernel source line, a real sample, the
 * kernel's own tool), never because the code wrote it.
 */
export function expectGolden(directory: URL, name: string, actual: string): void {
  expect(actual).toBe(readFileSync(new URL(name, directory), 'utf8'));
}

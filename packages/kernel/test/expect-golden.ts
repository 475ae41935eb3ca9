import { readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Compares `actual` with the golden file `name` in `directory`; `UPDATE_GOLDEN=1` rewrites it instead. */
export function expectGolden(directory: URL, name: string, actual: string): void {
  const file = new URL(name, directory);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

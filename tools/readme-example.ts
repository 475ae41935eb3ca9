import { readFileSync } from 'node:fs';

/**
 * For the README example tests: the lines of the README's first `ts` example (trimmed, blank lines left out) that
 * the test file does not contain in the same order. A test that runs the example line for line asserts this is
 * empty, so the README and the test cannot drift apart.
 */
export function readmeLinesMissingFrom(readme: URL, test: URL): string[] {
  const block = /```ts\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'));
  if (block === null) throw new Error(`${readme.pathname} has no ts example`);
  const source = readFileSync(test, 'utf8')
    .split('\n')
    .map((line) => line.trim());
  const missing: string[] = [];
  let at = 0;
  for (const line of block[1]!.split('\n').map((text) => text.trim())) {
    if (line === '') continue;
    const found = source.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

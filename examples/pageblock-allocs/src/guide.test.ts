import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const guide = new URL('../../../docs/guide/writing-a-client.md', import.meta.url);
const packageRoot = new URL('../', import.meta.url);

/**
 * The `ts` excerpts of docs/guide/writing-a-client.md: each names its file in its first line
 * (`// examples/pageblock-allocs/src/...`) and may leave lines out where it says `// ...`.
 */
function excerpts(): { file: string; lines: string[] }[] {
  const text = readFileSync(guide, 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => {
    const [first, ...rest] = match[1]!.split('\n');
    const file = /^\/\/ examples\/pageblock-allocs\/(\S+)$/.exec(first!.trim())?.[1];
    if (file === undefined) throw new Error(`a ts excerpt of the guide names no file of the example: ${first}`);
    return { file, lines: rest.map((line) => line.trim()).filter((line) => line !== '' && line !== '// ...') };
  });
}

/** The excerpt's lines that the file does not have, in the excerpt's order. */
function missingLines(file: string, lines: readonly string[]): string[] {
  const source = readFileSync(new URL(file, packageRoot), 'utf8')
    .split('\n')
    .map((line) => line.trim());
  const missing: string[] = [];
  let at = 0;
  for (const line of lines) {
    const found = source.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

describe('docs/guide/writing-a-client.md', () => {
  it("quotes this package's code as it is", () => {
    const all = excerpts();
    expect(all.length).toBeGreaterThan(5);
    for (const { file, lines } of all) {
      expect({ file, missing: missingLines(file, lines) }).toEqual({ file, missing: [] });
    }
  });
});

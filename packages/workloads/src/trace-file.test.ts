import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTraceText } from './trace-file';

const scratch = mkdtempSync(join(tmpdir(), 'mmsim-trace-file-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('readTraceText', () => {
  it('decodes UTF-8, a character split between chunks included, and ASCII chunks as they are', async () => {
    // A comm of multi-byte characters straddling the 64 KiB chunk boundary, between pure ASCII chunks.
    const text = `${'a'.repeat(65535)}€ 名前 ${'b'.repeat(70000)}é\n`;
    const file = join(scratch, 'trace.txt');
    writeFileSync(file, text);
    let read = '';
    let chunks = 0;
    for await (const chunk of readTraceText(file)) {
      read += chunk;
      chunks++;
    }
    expect(read).toBe(text);
    expect(chunks).toBeGreaterThan(2);
  });
});

import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicFile, writeFileAtomic } from './write-file-atomic';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mmsim-atomic-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('AtomicFile', () => {
  it('shows nothing at the target until commit, then the whole content', () => {
    const path = join(directory, 'out');
    const file = AtomicFile.open(path);
    file.write('abc');
    file.write(new Uint8Array([0x0a, 0xff]));
    file.write('\u00e9', 'latin1');
    expect(readdirSync(directory)).toEqual([expect.stringMatching(/^\.out\.tmp-\d+-\d+$/)]);
    file.commit();
    expect(readdirSync(directory)).toEqual(['out']);
    expect([...readFileSync(path)]).toEqual([0x61, 0x62, 0x63, 0x0a, 0xff, 0xe9]);
  });

  it('writes chunks of every size and encoding byte for byte across its 1 MiB buffer', () => {
    const path = join(directory, 'out');
    const file = AtomicFile.open(path);
    const expected: Buffer[] = [];
    const write = (chunk: string | Uint8Array, encoding?: BufferEncoding) => {
      file.write(chunk, encoding);
      expected.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : Buffer.from(chunk));
    };
    // Multi-byte characters that straddle the buffer's end, a string and bytes larger than the buffer, Latin-1.
    for (let round = 0; round < 3; round++) {
      write('\u00e9\u20ac\ud83d\ude00'.repeat(90_000 + round));
      write(new Uint8Array(300_000 + round).fill(round + 1));
      write('x'.repeat(2 ** 20 + 3), 'latin1');
      write(new Uint8Array(2 ** 20 + 5).fill(0x7f));
      write('\u00ff\u0080'.repeat(200_000), 'latin1');
    }
    file.commit();
    expect(readFileSync(path).equals(Buffer.concat(expected))).toBe(true);
  });

  it('leaves the old file as it was on abort', () => {
    const path = join(directory, 'out');
    writeFileSync(path, 'old');
    const file = AtomicFile.open(path);
    file.write('new');
    file.abort();
    expect(readFileSync(path, 'utf8')).toBe('old');
    expect(readdirSync(directory)).toEqual(['out']);
  });

  it('keeps the permission bits of the file it replaces', () => {
    const path = join(directory, 'out');
    writeFileSync(path, 'old');
    chmodSync(path, 0o640);
    writeFileAtomic(path, 'new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('writes through a symbolic link', () => {
    const target = join(directory, 'target');
    writeFileSync(target, 'old');
    symlinkSync(target, join(directory, 'link'));
    writeFileAtomic(join(directory, 'link'), ['a', 'b']);
    expect(readFileSync(target, 'utf8')).toBe('ab');
    expect(statSync(join(directory, 'link')).isFile()).toBe(true);
  });

  it('fails as fopen(path, "w") would for a directory or a missing directory', () => {
    mkdirSync(join(directory, 'sub'));
    expect(() => AtomicFile.open(join(directory, 'sub'))).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => AtomicFile.open(join(directory, 'missing', 'out'))).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
    expect(readdirSync(directory)).toEqual(['sub']);
  });
});

describe('stale temporaries', () => {
  it('removes the temporary files of dead writers next to the target, not those of live ones', () => {
    // pid 2^22 + 1 is above the kernel's pid_max limit (PID_MAX_LIMIT, 4M): no process has it.
    writeFileSync(join(directory, `.out.tmp-${2 ** 22 + 1}-0`), 'half');
    writeFileSync(join(directory, `.out.tmp-${process.pid}-99`), 'ours');
    writeFileAtomic(join(directory, 'out'), 'whole');
    expect(readdirSync(directory).sort()).toEqual([`.out.tmp-${process.pid}-99`, 'out']);
  });
});

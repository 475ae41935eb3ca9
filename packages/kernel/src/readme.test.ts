import { boot } from '@mm/kernel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readmeLinesMissingFrom } from '../../../tools/readme-example';

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('boots the core alone and prints its boot log and files', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    // The README example, line for line:
    const kernel = boot({ memory: '4G', cmdline: 'movablecore=1G', profile: 'v6.18' }); // no features: the core alone
    console.log(kernel.featureNames, kernel.pageExt); // [] undefined: no feature asked for page_ext
    console.log(kernel.dmesg()); // Linux version 6.18.2 ... Movable zone start for each node ... Freeing unused ...
    console.log(kernel.buddyinfo()); // Node 0, zone      DMA ..., DMA32 ..., Movable ...
    console.log(kernel.buddy.totalFreePages(), 'pages free'); // 1021732 pages free
    console.log(kernel.files().map((file) => file.path)); // [ 'proc/buddyinfo', 'proc/pagetypeinfo', ... ]

    const [features, dmesg, buddyinfo, free, files] = log.mock.calls;
    expect(features).toEqual([[], undefined]);
    const lines = (dmesg![0] as string).split('\n');
    expect(lines[0]).toMatch(/^\[ {4}0\.000000\] Linux version 6\.18\.2 /);
    expect(lines).toContain('[    0.000000] Movable zone start for each node');
    expect(lines).toContain('[    0.000000]   Node 0: 0x0000000100000000');
    // The user-defined e820 map is printed only after mem= or memmap=.
    expect(dmesg![0]).not.toContain('user-defined physical RAM map');
    expect(dmesg![0]).not.toContain('page_ext');
    expect(lines.at(-2)).toMatch(/\] Freeing unused kernel image \(initmem\) memory: 3072K$/);
    expect(buddyinfo![0]).toMatch(/^Node 0, zone {6}DMA .*\nNode 0, zone {4}DMA32 .*\nNode 0, zone {2}Movable .*\n$/);
    expect(free).toEqual([1021732, 'pages free']);
    expect(files).toEqual([['proc/buddyinfo', 'proc/pagetypeinfo', 'proc/kpageflags', 'proc/kpagecount']]);
    expect(boot({ memory: '4G', cmdline: 'mem=3G' }).dmesg()).toContain('user-defined physical RAM map:');
  });

  it('is the code the README shows', () => {
    expect(readmeLinesMissingFrom(new URL('../README.md', import.meta.url), new URL(import.meta.url))).toEqual([]);
  });
});

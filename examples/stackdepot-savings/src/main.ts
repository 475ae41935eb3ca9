import { boot } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { kernelBuild, Simulation } from '@mm/workloads';

/**
 * What the stackdepot commit (f2ca0b557107, v4.8) saves: page_owner's memory with 8 inline frames in page_ext (v4.7, 88 bytes a page) against a
 * stackdepot handle (v4.8, 24 bytes a page) plus the depot's pool pages after a kernel build, on 1, 4 and 64 GiB.
 */
export function stackdepotSavings(sizes: readonly string[] = ['1G', '4G', '64G']) {
  return sizes.map((memory) => {
    const inline = boot({ memory, profile: 'v4.7', cmdline: 'page_owner=on', features: [pageOwner()] });
    const depot = boot({ memory, profile: 'v4.8', cmdline: 'page_owner=on', features: [pageOwner()] });
    kernelBuild({ units: 40 }).run(new Simulation(depot, { seed: 1 }));
    const inlineBytes = inline.pageExt!.totalBytes;
    const depotBytes = depot.pageExt!.totalBytes + depot.feature(pageOwner)!.depot.stats.pages * 4096;
    return { memory, inlineBytes, depotBytes, savedPercent: Math.round((1 - depotBytes / inlineBytes) * 1000) / 10 };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log('RAM   v4.7 inline (88 B/page)   v4.8 depot (24 B/page + pools)   saved');
  for (const row of stackdepotSavings()) {
    console.log(
      `${row.memory.padEnd(5)} ${row.inlineBytes.toLocaleString('en-US').padStart(24)}   ${row.depotBytes
        .toLocaleString('en-US')
        .padStart(30)}   ${row.savedPercent}%`,
    );
  }
}

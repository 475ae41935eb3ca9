import { boot } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
import { pageCacheReadPaths } from '../../tools/kernel-read-paths.ts';

const kernel = boot({ memory: '4G', profile: 'v6.18', cmdline: 'page_owner=on', cpus: 2, features: [pageOwner()] });
kernel.stack.pushAll(kernel.text.sites(pageCacheReadPaths[kernel.profile.era]));
const { buddy } = kernel;
const gfp = kernel.profile.gfp.flags.GFP_HIGHUSER_MOVABLE;
for (let r = 0; r < 60; r++) {
  const t = performance.now();
  for (let i = 0; i < 100000; i++) buddy.freePages(buddy.allocPages(gfp, 0), 0);
  if (r % 20 === 19) console.log(((performance.now() - t) * 10).toFixed(1), 'ns/pair');
}

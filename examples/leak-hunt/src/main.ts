import { boot } from '@mm/kernel';
import { dumpPageOwner, pageOwner } from '@mm/page-owner';
import { diffPageOwner, type StackGrowth } from '@mm/page-owner-tools';
import { leakWorkload, Simulation } from '@mm/workloads';

/** The page_owner dump of the machine now, as `cat /sys/kernel/debug/page_owner` would read it. */
function dump(kernel: ReturnType<typeof boot>): string {
  const chunks: string[] = [];
  dumpPageOwner(kernel.feature(pageOwner)!, (chunk) =>
    chunks.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)),
  );
  return chunks.join('');
}

async function* chunksOf(text: string): AsyncGenerator<string> {
  yield text;
}

/**
 * Boots a machine with page_owner, lets the `leak` workload (normal traffic plus a driver that keeps one page in
 * eight) run, takes a dump, lets it run three times as long, takes another, and compares them: the stack that grew
 * most is the leak.
 */
export async function leakHunt(): Promise<{ leaked: number; top: StackGrowth }> {
  const kernel = boot({ memory: '1G', cmdline: 'page_owner=on', features: [pageOwner()] });
  const sim = new Simulation(kernel, { seed: 7 });
  leakWorkload(10).run(sim);
  const before = dump(kernel);
  leakWorkload(30).run(sim);
  const after = dump(kernel);
  const [top] = await diffPageOwner(chunksOf(before), chunksOf(after), { before: 'before', after: 'after' });
  return { leaked: sim.counters.get('leak.pages') ?? 0, top: top! };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { leaked, top } = await leakHunt();
  console.log(`The driver leaked ${leaked} pages. The stack that grew most between the dumps (+${top.growth} pages):`);
  console.log(
    top.stack
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  );
}

import { allFeatures } from '@mm/defaults';
import { boot } from '@mm/kernel';
import { pageIdle } from '@mm/page-idle';
import { pageOwner, RecordFormatter } from '@mm/page-owner';
import { PAGE_SIZE } from '@mm/physmem';
import { describe, expect, it } from 'vitest';
import { Simulation } from './simulation';
import { WssWorkload, wssWorkload } from './wss';

describe('the wss workload', () => {
  it('maps every page, then touches exactly each process’s hot pages every tick', () => {
    const kernel = boot({ memory: '512M', features: allFeatures() });
    const workload = new WssWorkload(kernel, [
      { comm: 'db', anonPages: 300, filePages: 200, sharedPages: 0, hotFraction: 0.3 },
      { comm: 'cache', anonPages: 500, filePages: 0, sharedPages: 0, hotFraction: 0.1 },
    ]);
    expect(workload.populate()).toBe(0);
    for (const process of workload.processes) {
      expect(kernel.vm.mappedPages(process.task)).toBe(process.addresses.length);
    }
    workload.resetTouched();
    workload.tick();
    workload.tick();
    for (const process of workload.processes) {
      const hot = process.hot.reduce((sum, bit) => sum + bit, 0);
      expect(workload.touchedPages(process)).toBe(hot);
      // Roughly the fraction asked for.
      expect(hot / process.addresses.length).toBeCloseTo(process.spec.hotFraction, 1);
    }
    expect(workload.ticks).toBe(2);
  });

  it('counts a shared page touched by one process as touched for every process that maps it', () => {
    const kernel = boot({ memory: '256M', features: allFeatures() });
    const workload = new WssWorkload(kernel, [
      { comm: 'a', anonPages: 0, filePages: 0, sharedPages: 64, hotFraction: 1 },
      { comm: 'b', anonPages: 16, filePages: 0, sharedPages: 64, hotFraction: 0 },
    ]);
    workload.populate();
    workload.resetTouched();
    workload.tick();
    expect(workload.touchedPages(workload.processes[1]!)).toBe(64);
  });

  it('runs as a built-in workload, its faults recorded by page_owner with the fault paths', () => {
    const kernel = boot({ memory: '512M', cmdline: 'page_owner=on', features: allFeatures() });
    const sim = new Simulation(kernel, { seed: 5 });
    let progress = 0;
    wssWorkload(2).run(sim, (fraction) => {
      progress = fraction;
    });
    expect(progress).toBe(1);
    expect(kernel.vm.events.pgfault).toBeGreaterThan(20_000);
    expect(kernel.vm.lru.inactive_anon + kernel.vm.lru.inactive_file).toBeGreaterThan(20_000);
    const postgres = [...kernel.vm.tasks.values()].find((task) => task.comm === 'postgres')!;
    const heap = postgres.mm.vmas.find((vma) => vma.file === undefined)!;
    const pfn = kernel.vm.translate(postgres, heap.start * PAGE_SIZE);
    const record = new RecordFormatter(kernel.feature(pageOwner)!).record(pfn);
    expect(record).toMatch(
      /^Page allocated via order 0, mask 0x[0-9a-f]+\(GFP_HIGHUSER_MOVABLE\|__GFP_ZERO\|__GFP_COMP\), pid \d+, tgid \d+ \(postgres\)/,
    );
    expect(record).toContain(' do_anonymous_page+');
  });

  it('marks every mapped page idle after faulting them in, so the bitmap at the end shows the cold pages', () => {
    const idleAfter = (ticks: number) => {
      const kernel = boot({ memory: '512M', features: allFeatures() });
      wssWorkload(ticks).run(new Simulation(kernel, { seed: 5 }));
      const mapped = new Set<number>();
      for (const task of kernel.vm.tasks.values()) {
        for (const vma of task.mm.vmas) {
          for (let page = vma.start; page < vma.end; page++) mapped.add(kernel.vm.translate(task, page * PAGE_SIZE));
        }
      }
      const bitmap = kernel.feature(pageIdle)!.readWholeBitmap();
      let idle = 0;
      for (const pfn of mapped) if ((bitmap[pfn >> 3]! & (1 << (pfn & 7))) !== 0) idle++;
      let bits = 0;
      for (const byte of bitmap) for (let bit = byte; bit !== 0; bit &= bit - 1) bits++;
      expect(bits).toBe(idle); // nothing but mapped pages is marked
      return { mapped: mapped.size, idle };
    };
    const untouched = idleAfter(0);
    expect(untouched.idle).toBe(untouched.mapped);
    const { mapped, idle } = idleAfter(2);
    expect(mapped).toBe(untouched.mapped);
    expect(idle).toBeGreaterThan(mapped / 2);
    expect(idle).toBeLessThan(mapped);
  });
});

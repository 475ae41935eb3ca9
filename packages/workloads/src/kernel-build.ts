import { pageIdle } from '@mm/page-idle';
import { PAGE_SIZE, type ProfileName } from '@mm/physmem';
import type { VmFile } from '@mm/vm';
import { bootModules, modulePaths } from './module-paths';
import type { SimTask, Simulation } from './simulation';
import type { Workload } from './workload';

/** Options of the kernel-build workload. */
export interface KernelBuildOptions {
  /**
   * Compile units; default 450 per GiB of memory (a tree whose objects outgrow the page cache), at least 64 and at
   * most the era's tree holds ({@link treeUnits}).
   */
  readonly units?: number;
  /** Parallel jobs (`make -j`); default twice the CPUs. */
  readonly jobs?: number;
}

/** The memory cgroup of the build: the user's login session (`cgroup_name()` of `/user.slice/.../session-2.scope`). */
const SESSION_CGROUP = 'session-2.scope';
/**
 * The C files an x86_64 build of each era's tree could compile: every `.c` file outside `arch/` (but those of
 * `arch/x86/`), `tools/`, `samples/`, `scripts/`, `usr/` and `Documentation/`, counted with `git ls-tree` in the
 * v4.7.4, v4.8.15 and v6.18.2 trees. A machine large enough for more units (40 GiB in v4.8, 64 GiB in v6.18) builds
 * the whole tree and has memory to spare, as a real one does: the build's cost follows the tree, not the RAM.
 */
const treeUnits: Readonly<Record<ProfileName, number>> = { 'v4.7': 17_718, 'v4.8': 18_012, 'v6.18': 28_704 };

/** The default compile units of a machine with `presentPages` of RAM: 450 per GiB, from 64 to the whole tree. */
export function kernelBuildUnits(profile: ProfileName, presentPages: number): number {
  const gib = (presentPages * PAGE_SIZE) / 2 ** 30;
  return Math.min(treeUnits[profile], Math.max(64, Math.round(450 * gib)));
}

/** Headers in the tree. */
const HEADERS = 6000;
/** The headers' paths, made once: a unit opens 40, and a path made afresh is hashed afresh at each lookup. */
const headerPaths = Array.from({ length: HEADERS }, (_, header) => `include/header${header}.h`);
/** udev's: `/system.slice/systemd-udevd.service`. */
const UDEV_CGROUP = 'systemd-udevd.service';

/**
 * udev loads the machine's modules, then `make -j`, through the vm, so that every page has the life a real one has:
 * for each compile unit, make forks a compiler (a kernel stack, the page tables fork copies), which execs (the copied
 * page tables freed, an exec buffer, the binary mapped and its text faulted in from the page cache), reads its
 * source and a handful of shared headers through the page cache (new dentries filling dentry slabs), grows its
 * heap by anonymous page faults, writes its object file (dirty page cache, written back by the flusher) and exits.
 * The page cache grows until the zones reach their low watermark; then kswapd (and, when an allocation cannot
 * wait, direct reclaim) evicts the oldest unreferenced file pages, as on a real machine: memory ends mostly page
 * cache and anonymous memory, free memory near the high watermark. A machine with room for the whole tree (64 GiB
 * in v6.18) keeps it all cached and most of its memory free. The link writes vmlinux.o, the kallsyms passes
 * and vmlinux. Halfway, with page_idle built in, every page is marked idle through the bitmap (as a working-set
 * estimator does), so that the bitmap at the end shows the build's recent working set. The stacks are the real
 * kernel paths of each era.
 */
export function kernelBuild(options: KernelBuildOptions = {}): Workload {
  return {
    name: 'kernel-build',
    description: 'make -j: compilers fork, exec, read sources and headers, fault in heaps, write objects, exit',
    run(sim, progress) {
      const { kernel, paths } = sim;
      const g = kernel.profile.gfp.flags;
      const memory = kernel.memory;
      const units = options.units ?? kernelBuildUnits(kernel.profile.name, memory.presentPages);
      const jobs = options.jobs ?? 2 * memory.cpus;
      const v6 = kernel.profile.era === 'v6';
      sim.defaultMemcg = SESSION_CGROUP;
      loadModules(sim);
      // The tree: sources and headers of a few pages each, objects with their debug information of a few hundred.
      const sourcePages = (unit: number) => 4 + ((unit * 7919) % 37);
      const headerPages = (header: number) => 1 + ((header * 104729) % 12);
      const objectPages = (unit: number) => 128 + ((unit * 2654435761) % 769);
      const make = sim.spawn('make');
      let dentries = 0;
      let kmallocs = 0;
      const open = (name: string) => {
        if (!sim.files.has(name) && dentries++ % 21 === 0) {
          sim.slab(paths.slabDentry, g.GFP_KERNEL | g.RECLAIMABLE | g.NOWARN | g.NORETRY, 0, {
            reclaimable: true,
            accounted: true,
          });
        }
      };
      sim.run(make, () => {
        sim.fault(make, 400);
        for (let file = 0; file < 40; file++) {
          open(`Makefile.${file}`);
          sim.readFile(`Makefile.${file}`, 2);
        }
      });
      const running: SimTask[] = [];
      for (let unit = 0; unit < units; unit++) {
        const as = unit % 7 === 0;
        const compiler = sim.spawn(as ? 'as' : 'cc1');
        const forkTables: number[] = [];
        sim.run(make, () => {
          // fork(): the child's kernel stack, and the page tables copy_page_range() copies.
          if (v6) {
            for (let page = 0; page < 4; page++) {
              const pfn = sim.alloc(paths.kernelStack, g.GFP_KERNEL_ACCOUNT | g.ZERO | g.HIGHMEM, 0);
              if (pfn >= 0) compiler.kernelPages.push([pfn, 1]);
            }
          } else {
            const pfn = sim.alloc(paths.kernelStack, g.GFP_KERNEL | g.NOTRACK, 2);
            if (pfn >= 0) {
              kernel.buddy.splitPage(pfn, 2);
              for (let page = 0; page < 4; page++) compiler.kernelPages.push([pfn + page, 1]);
            }
          }
          for (const [pfn, pages] of compiler.kernelPages) kernel.vm.kernelStackPages(pfn, pages);
          for (let page = 0; page < 4; page++) {
            const pfn = sim.alloc(paths.forkPageTable, g.GFP_KERNEL_ACCOUNT | g.ZERO, 0);
            if (pfn >= 0) forkTables.push(pfn);
          }
        });
        sim.step(200_000);
        sim.run(compiler, () => {
          // execve(): the copied mm goes (with its page tables), an exec buffer now and then, the binary mapped.
          for (const pfn of forkTables) sim.free(paths.pageTableFree, pfn, 0);
          if (kmallocs++ % 16 === 0) {
            sim.slab(paths.slabKmalloc, g.GFP_KERNEL | g.COMP | g.NOWARN | g.NORETRY, 1);
          }
          const binary = sim.file(as ? 'usr/bin/as' : 'usr/libexec/gcc/cc1', as ? 180 : 900);
          execBinary(sim, compiler, binary, as ? 40 : 160);
          sim.step(500_000);
          const source = `src/unit${unit}.c`;
          open(source);
          sim.readFile(source, sourcePages(unit));
          // Headers: a few are in every unit (kernel.h, types.h), most in some: the popular ones stay active.
          for (let header = 0; header < 40; header++) {
            const name = Math.floor(HEADERS * sim.random() ** 3);
            open(headerPaths[name]!);
            sim.readFile(headerPaths[name]!, headerPages(name));
          }
          sim.fault(compiler, sim.randomInt(64, 256));
          const object = `obj/unit${unit}.o`;
          open(object);
          sim.readFile(object, objectPages(unit), true);
          sim.readFile(`obj/.unit${unit}.o.cmd`, 1, true);
        });
        running.push(compiler);
        // The OOM killer may have chosen a compiler: make sees it die.
        for (const task of running.filter((task) => task.vm.mm.oomKilled)) {
          sim.exit(task);
          running.splice(running.indexOf(task), 1);
        }
        if (running.length > jobs) sim.exit(running.shift()!);
        if (unit === units >> 1) markEverythingIdle(sim);
        sim.step(1_000_000);
        if (unit % 16 === 0) progress?.(unit / units);
      }
      for (const task of running) sim.exit(task);
      // The link: ld writes vmlinux.o, the two kallsyms passes and vmlinux (with debug information, each about an
      // eighth of all the objects).
      for (const output of ['vmlinux.o', '.tmp_vmlinux1', '.tmp_vmlinux2', 'vmlinux']) {
        const ld = sim.spawn('ld');
        sim.run(ld, () => {
          execBinary(sim, ld, sim.file('usr/bin/ld', 400), 120);
          sim.fault(ld, 2048);
          // The first pass reads every object's symbols and relocations: the early ones were reclaimed long ago,
          // and come back as refaults where their shadow entries are still in the page cache.
          if (output === 'vmlinux.o') {
            for (let unit = 0; unit < units; unit++) sim.readFile(`obj/unit${unit}.o`, objectPages(unit) >> 4);
          }
          sim.readFile(output, units * 64, true);
        });
        sim.exit(ld);
        sim.step(50_000_000);
      }
      sim.run(make, () => sim.writeShmem('tmp/make.log', 64));
      progress?.(1);
    },
  };
}

/**
 * `load_elf_binary()`: the binary mapped private and executable, and the text pages the compiler runs faulted in
 * (page cache pages, mapped: `nr_mapped`), its stack mapped and touched.
 */
function execBinary(sim: Simulation, task: SimTask, binary: VmFile, textPages: number): void {
  const { vm } = sim.kernel;
  const text = vm.mmap(task.vm, { file: binary, pages: binary.pages, write: false, exec: true });
  for (let page = 0; page < Math.min(textPages, binary.pages); page++) {
    if (vm.touch(task.vm, text + ((page * 7) % binary.pages) * PAGE_SIZE) < 0) break;
  }
  const stack = vm.mmap(task.vm, { pages: 32, name: '[stack]' });
  for (let page = 0; page < 8; page++) vm.touch(task.vm, stack + (31 - page) * PAGE_SIZE, true);
}

/**
 * Idle page tracking as a working-set estimator uses it (Documentation/admin-guide/mm/idle_page_tracking.rst): every
 * page marked idle through /sys/kernel/mm/page_idle/bitmap (all ones, written whole), so that the bitmap read at the
 * end shows which pages the rest of the build did not touch. Nothing without page_idle.
 */
function markEverythingIdle(sim: Simulation): void {
  const idle = sim.kernel.feature(pageIdle);
  if (idle === undefined) return;
  const bitmap = idle.bitmapFile();
  const bytes = Math.ceil(sim.kernel.memory.maxPfn / 64) * 8;
  const ones = new Uint8Array(1 << 16).fill(0xff);
  for (let position = 0; position < bytes; position += ones.length) {
    bitmap.write(position, ones.subarray(0, Math.min(ones.length, bytes - position)));
  }
}

/**
 * udev loading the machine's modules: each module's init allocates a buffer and its probe a DMA ring, which stay
 * allocated (modules are not unloaded).
 */
function loadModules(sim: Simulation): void {
  const g = sim.kernel.profile.gfp.flags;
  const era = sim.kernel.profile.era;
  const udev = sim.spawn(era === 'v6' ? '(udev-worker)' : 'systemd-udevd', { memcg: UDEV_CGROUP });
  sim.run(udev, () => {
    for (const name of bootModules) {
      const paths = modulePaths(name, era);
      sim.alloc(paths.init, g.GFP_KERNEL | g.COMP, 1);
      sim.alloc(paths.probe, g.GFP_KERNEL, 2);
      sim.step(2_000_000);
    }
  });
  sim.exit(udev);
}

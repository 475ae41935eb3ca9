import type { KernelParam } from '@mm/hooks';

/**
 * Parameters the real kernel owns that have no effect on the simulation (console and root device settings, log
 * levels, init). mmsim accepts them silently, as the kernel does, so they are not reported as unknown.
 */
const ignored = [
  'quiet',
  'debug',
  'loglevel',
  'ignore_loglevel',
  'console',
  'earlyprintk',
  'root',
  'rootfstype',
  'rootwait',
  'ro',
  'rw',
  'init',
  'rdinit',
  'initrd',
  'nokaslr',
  'panic',
  'nosmp',
  'maxcpus',
  'nr_cpus',
  'mitigations',
  'splash',
  'noapic',
  'acpi',
];

/** The core kernel parameters mmsim recognises and ignores. */
export function ignoredCoreParams(): KernelParam[] {
  return ignored.map((name) => ({
    name,
    early: false,
    description: `${name}: a kernel parameter with no effect on the simulated memory; accepted and ignored`,
    setup() {},
  }));
}

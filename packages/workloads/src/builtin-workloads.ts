import { fragmentWorkload } from './fragment';
import { hogWorkload } from './hog';
import { kernelBuild } from './kernel-build';
import { leakWorkload } from './leak';
import { uafWorkload } from './uaf';
import type { Workload } from './workload';
import { wssWorkload } from './wss';

/** `boot`: nothing after boot; the machine as the kernel left it. */
export const bootWorkload: Workload = {
  name: 'boot',
  description: 'nothing after boot: the machine as the kernel left it',
  run(_sim, progress) {
    progress?.(1);
  },
};

/** The built-in workloads by name. */
export const builtinWorkloads: Readonly<Record<string, () => Workload>> = {
  boot: () => bootWorkload,
  'kernel-build': () => kernelBuild(),
  wss: () => wssWorkload(),
  uaf: () => uafWorkload(),
  fragment: () => fragmentWorkload(),
  leak: () => leakWorkload(),
  hog: () => hogWorkload(),
};

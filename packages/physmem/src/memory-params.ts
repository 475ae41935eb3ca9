import { type KernelParam, KernelParamError } from '@mm/hooks';
import { memparse } from './memparse';

/** The memory layout options the command line can change (what `PhysicalMemory` takes besides the RAM size). */
export interface MemoryParamValues {
  /** `mem=`: physical address limit. */
  limit?: number;
  /** `memmap=size$start` reservations. */
  reserve: { start: number; size: number }[];
  /** `movablecore=`: bytes, or a percentage of memory (`percent`). */
  movableBytes?: number;
  movablePercent?: number;
  /**
   * arch/x86/kernel/e820.c `userdef`: `mem=` or `memmap=` was given, so the kernel prints the user-defined map
   * (`e820__finish_early_params()`), changed or not.
   */
  userDefined?: boolean;
}

const SIZE = 'a size such as 512M, 4G or 0x1000000 (K, M, G, T, P, E suffixes)';

/**
 * The parameters physmem owns, as arch/x86/kernel/e820.c and mm/mm_init.c define them: `mem=`, `memmap=` and
 * `movablecore=`. They write into `values`.
 */
export function memoryParams(values: MemoryParamValues): KernelParam[] {
  return [
    {
      name: 'mem',
      early: true,
      description: 'mem=SIZE: ignore RAM at and above this physical address (arch/x86 parse_memopt)',
      setup(value, context) {
        if (value === 'nopentium') {
          context.log('mem=nopentium ignored! (only supported on x86_32)');
          return;
        }
        const size = value === undefined ? undefined : memparse(value);
        if (size === undefined || size === 0) throw new KernelParamError('mem', value, SIZE);
        values.limit = size;
        values.userDefined = true;
      },
    },
    {
      name: 'memmap',
      early: true,
      description: 'memmap=SIZE$START: mark a physical range reserved (a hole the kernel never uses)',
      setup(value) {
        const match = value === undefined ? null : /^([^$@#!]+)\$([^$@#!]+)$/.exec(value);
        const size = match === null ? undefined : memparse(match[1]!);
        const start = match === null ? undefined : memparse(match[2]!);
        if (size === undefined || start === undefined || size === 0) {
          throw new KernelParamError(
            'memmap',
            value,
            `SIZE$START with ${SIZE}; mmsim supports only the $ (reserve) form`,
          );
        }
        values.reserve.push({ start, size });
        values.userDefined = true;
      },
    },
    {
      name: 'movablecore',
      early: true,
      description: 'movablecore=SIZE or PERCENT%: memory for ZONE_MOVABLE, taken from the top of each node',
      setup(value) {
        const percent = value === undefined ? null : /^(\d+)%$/.exec(value);
        if (percent !== null && Number(percent[1]) <= 100) {
          values.movablePercent = Number(percent[1]);
          return;
        }
        const size = value === undefined ? undefined : memparse(value);
        if (size === undefined) throw new KernelParamError('movablecore', value, `${SIZE}, or a percentage like 25%`);
        values.movableBytes = size;
      },
    },
  ];
}

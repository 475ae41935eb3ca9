import { type KernelParam, kstrtoboolParam } from '@mm/hooks';
import { MAX_PAGE_ORDER } from '@mm/physmem';

/** What the command line asked of debug_pagealloc. */
export interface DebugPageallocConfig {
  /** `debug_pagealloc=` */
  enabled: boolean;
  /** `page_poison=` */
  poison: boolean;
  /** `debug_guardpage_minorder=` (0: no guard pages). */
  guardMinOrder: number;
}

/** A config with everything off, for {@link debugPageallocParams} to fill. */
export function defaultDebugPageallocConfig(): DebugPageallocConfig {
  return { enabled: false, poison: false, guardMinOrder: 0 };
}

/**
 * The parameters of mm/debug_page_alloc.c and mm/page_poison.c (v4.8: mm/page_alloc.c): `debug_pagealloc=` and
 * `page_poison=` are kstrtobool booleans; `debug_guardpage_minorder=N` takes 0..MAX_ORDER/2 (5), else the kernel's
 * `Bad debug_guardpage_minorder value` and nothing changes, and logs `Setting debug_guardpage_minorder to N`.
 * v4.8 parses the guard order with the other `__setup` parameters, v6.18 early.
 */
export function debugPageallocParams(config: DebugPageallocConfig, profile: string): KernelParam[] {
  const bool = (name: string, set: (value: boolean) => void) =>
    kstrtoboolParam(name, `${name}=on|off (kstrtobool)`, set);
  return [
    bool('debug_pagealloc', (value) => {
      config.enabled = value;
    }),
    bool('page_poison', (value) => {
      config.poison = value;
    }),
    {
      name: 'debug_guardpage_minorder',
      early: profile === 'v6.18',
      description: `debug_guardpage_minorder=N: split halves below order N (0..${MAX_PAGE_ORDER >> 1}) become guard pages`,
      setup(value, context) {
        const order = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN;
        if (!Number.isSafeInteger(order) || order > MAX_PAGE_ORDER >> 1) {
          context.log(
            profile === 'v6.18'
              ? `Bad debug_guardpage_minorder value: ${value ?? ''}`
              : 'Bad debug_guardpage_minorder value',
          );
          return;
        }
        config.guardMinOrder = order;
        context.log(`Setting debug_guardpage_minorder to ${order}`);
      },
    },
  ];
}

import { hookEventNames, type MmHookEvents } from './events';
import { Hook } from './hook';

/** The hook bus: one {@link Hook} per event of {@link MmHookEvents}. */
export type HookBus = { readonly [Event in keyof MmHookEvents]: Hook<MmHookEvents[Event]> };

/**
 * Creates a bus with no listeners. One bus serves one simulated machine; a client subscribes only when it is
 * enabled at boot, so a disabled client costs nothing on the hot paths.
 */
export function createHookBus(): HookBus {
  const bus: Record<string, Hook<never>> = {};
  for (const name of hookEventNames) bus[name] = new Hook(name);
  return bus as unknown as HookBus;
}

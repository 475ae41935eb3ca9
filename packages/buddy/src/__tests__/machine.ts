import { createHookBus } from '@mm/hooks';
import { getProfile, type MachineConfig, PhysicalMemory, type ProfileName } from '@mm/physmem';
import { createKernelText, ShadowStack, symbolizeStack } from '@mm/stacktrace';
import { BuddyAllocator } from '../buddy-allocator';

/** A booted machine for tests: physical memory with every free page in the allocator. */
export function bootMachine(
  profile: ProfileName,
  config: Omit<MachineConfig, 'profile'>,
): { memory: PhysicalMemory; buddy: BuddyAllocator } {
  const memory = new PhysicalMemory({ ...config, profile: getProfile(profile) });
  const buddy = new BuddyAllocator(memory, createHookBus());
  buddy.freeAllMemory();
  return { memory, buddy };
}

/**
 * A 64 MiB machine for the allocator's reports, whose `dump_stack()` sees a shadow stack holding the caller's path
 * `frames` (outermost first), as the kernel's own frames go on top of it.
 */
export function reportMachine(profile: ProfileName, frames: readonly string[]) {
  const text = createKernelText(getProfile(profile).era);
  const stack = new ShadowStack();
  const hooks = createHookBus();
  const memory = new PhysicalMemory({
    memory: 64 * 2 ** 20,
    profile: getProfile(profile),
    layout: 'flat',
    hooks,
    stackTrace: () => symbolizeStack(text, stack),
  });
  const buddy = new BuddyAllocator(memory, hooks);
  buddy.freeAllMemory();
  stack.pushAll(text.sites(frames));
  return { memory, buddy, text, hooks };
}

export const MIB = 2 ** 20;
export const GIB = 2 ** 30;

import { createHookBus } from '@mm/hooks';
import { getProfile, type MachineConfig, PhysicalMemory, type ProfileName } from '@mm/physmem';
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

export const MIB = 2 ** 20;
export const GIB = 2 ** 30;

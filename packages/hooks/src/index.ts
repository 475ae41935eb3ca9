export type { MmHookEvents } from './events';
export { AccessKind, BootPhase, hookEventNames, MemoryAction } from './events';
export { Hook } from './hook';
export type { HookBus } from './hook-bus';
export { createHookBus } from './hook-bus';
export type { KernelParam, ParamContext } from './kernel-param';
export { KernelParamError, kstrtoboolParam } from './kernel-param';
export { kstrtobool } from './kstrtobool';
export { kstrtouint, kstrtoull } from './kstrtoull';

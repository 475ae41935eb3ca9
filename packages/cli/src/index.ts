export type { CliIo } from './cli-io';
export { ExitCode, processIo, UsageError } from './cli-io';
export type { Command } from './command';
export { bootCommand, bootSummary } from './commands/boot';
export { commands, main } from './main';

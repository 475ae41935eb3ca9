import type { Reporter, TestModule } from 'vitest/node';

/** How many files the summary lists. */
const SHOWN = 10;

/**
 * A Vitest reporter that prints, after the run, the test files that took longest (their tests and hooks, plus
 * collecting them: imports and module-level set-up), so the suite's time can be kept in check.
 */
export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = testModules
      .map((module) => {
        const diagnostic = module.diagnostic();
        return { file: module.relativeModuleId, ms: diagnostic.duration + diagnostic.collectDuration };
      })
      .sort((a, b) => b.ms - a.ms)
      .slice(0, SHOWN);
    if (rows.length === 0) return;
    const lines = rows.map((row) => `  ${(row.ms / 1000).toFixed(1).padStart(6)} s  ${row.file}`);
    process.stdout.write(`\nSlowest ${rows.length} test files (tests, hooks and collection):\n${lines.join('\n')}\n`);
  }
}

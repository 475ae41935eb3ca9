import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { memoryIo } from './cli-io';
import { main } from './main';

function capture(isTTY = false) {
  const io = memoryIo(isTTY);
  return { io, stdout: io.out, stderr: io.err };
}

describe('mmsim', () => {
  it('prints help and version, and rejects unknown commands with exit code 2', async () => {
    const help = capture();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.stdout()).toContain('Usage: mmsim <command> [options]');
    expect(help.stdout()).toMatch(/ {2}boot +boot a simulated machine/);
    expect(help.stdout()).toMatch(/ {2}layouts +page_owner's page_ext memory/);
    const none = capture();
    expect(await main([], none.io)).toBe(2);
    const version = capture();
    expect(await main(['--version'], version.io)).toBe(0);
    expect(version.stdout()).toMatch(/^mmsim \d+\.\d+\.\d+\n$/);
    const unknown = capture();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.stderr()).toBe("mmsim: unknown command 'frobnicate'. Run 'mmsim --help' for the list.\n");
  });
});

describe('mmsim boot', () => {
  it('prints the boot log, /proc/buddyinfo and a summary', async () => {
    const run = capture();
    expect(await main(['boot', '--mem', '512M'], run.io)).toBe(0);
    expect(run.stdout()).toMatch(/^\[ {4}0\.000000\] Linux version 6\.18\.2 /);
    expect(run.stdout()).toContain('\n/proc/buddyinfo:\nNode 0, zone      DMA ');
    expect(run.stdout()).toMatch(/mmsim: 512M machine, \d+ pages present, SPARSEMEM with 4 sections of 128M \(0-3\)/);
  });

  it('prints one JSON object with --json', async () => {
    const run = capture();
    expect(await main(['boot', '--mem', '4G', '--profile', 'v4.8', '--json'], run.io)).toBe(0);
    const summary = JSON.parse(run.stdout());
    expect(summary.profile).toBe('v4.8');
    expect(summary.totalPages).toBe(1048478);
    expect(summary.freePages).toBeGreaterThan(1_000_000);
    expect(Object.keys(summary.managedPagesByZone)).toEqual([
      'Node 0, zone DMA',
      'Node 0, zone DMA32',
      'Node 0, zone Normal',
    ]);
    expect(summary.buddyinfo).toMatch(/^Node 0, zone {6}DMA /);
    expect(summary.hostBytesPerPage).toBeGreaterThan(12);
    expect(summary.hostBytesPerPage).toBeLessThan(12.01);
    expect(summary.hostBytesPerStructPage).toBeCloseTo(12 + 2 / 512, 6);
  });

  it('refuses a run whose machine reaches above 8 TiB, where pages cannot be used', async () => {
    const run = capture();
    expect(await main(['run', '--mem', '9T'], run.io)).toBe(2);
    expect(run.stderr()).toContain(
      'mmsim run: 9895604649984 bytes of RAM reach pfn 0x90040000: mmsim keeps per-page state below 8 TiB only',
    );
  });

  it.each([
    [['boot', '--cmdline', 'mem=12Q'], "mmsim boot: kernel parameter 'mem=12Q' is malformed: expected a size"],
    [['boot', '--mem', 'lots'], "mmsim boot: memory size 'lots' is not a size"],
    // Before anything is allocated: no host has the 1 TiB a petabyte machine would take.
    [['boot', '--mem', '1P'], 'mmsim boot: 1.0 PiB of RAM would take about 1.0 TiB of host memory (4 bytes a page)'],
    [['boot', '--profile', 'v5.10'], "mmsim boot: --profile must be one of v4.7, v4.8, v6.18, not 'v5.10'"],
    [['boot', '--nodes', '0'], "mmsim boot: --nodes must be an integer from 1 to 64, not '0'"],
    [['boot', '--bogus'], "mmsim boot: Unknown option '--bogus'"],
    [['boot', 'extra'], "mmsim boot: unexpected argument 'extra'"],
  ])('exits 2 with a clear message for %j', async (argv, message) => {
    const run = capture();
    expect(await main(argv, run.io)).toBe(2);
    expect(run.stderr()).toContain(message);
    expect(run.stderr()).toContain("Run 'mmsim boot --help' for usage.");
    expect(run.stdout()).toBe('');
  });
});

describe('the mmsim executable', () => {
  /** `pnpm mmsim ARGS` from the repository root, from the sources. */
  const mmsim = (args: readonly string[]) =>
    promisify(execFile)(
      process.execPath,
      ['--conditions=@mm/source', '--import', 'tsx', 'packages/cli/src/bin.ts', ...args],
      { cwd: new URL('../../../', import.meta.url) },
    );

  it('runs from the repository root as `pnpm mmsim` does', async () => {
    const { stdout } = await mmsim(['boot', '--mem', '256M', '--json']);
    expect(JSON.parse(stdout).totalPages).toBe(65438);
    const failure = await mmsim(['boot', '--cmdline', 'mem=12Q']).catch((error: { code: number }) => error);
    expect(failure).toMatchObject({ code: 2 });
  });

  // In a process of its own: a 16 TiB machine's untouched page arrays are 24 GiB of address space, which a later
  // spawn from this worker could not fork.
  it('boots a 16 TiB machine, whose memory above 8 TiB is counted but not used', async () => {
    const summary = JSON.parse((await mmsim(['boot', '--mem', '16T', '--json'])).stdout);
    expect(summary.totalPages).toBe(2 ** 32 - 98);
    expect(summary.freePages + summary.bootAllocatedPages).toBe(summary.managedPages);
    // Free memory is MAX_PAGE_ORDER blocks, above 8 TiB as below: about 4 M of them in ZONE_NORMAL.
    expect(Number(summary.buddyinfo.trim().split(/\s+/).at(-1))).toBeGreaterThan(4_000_000);
  });
});

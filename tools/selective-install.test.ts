/**
 * Selective installs: packages packed as users get them (`tools/pack.ts`: `pnpm pack`, which rewrites `workspace:*`
 * to `0.0.0`), installed into an empty project with only their `@mm/*` dependencies, work there and bring nothing
 * else; and publint finds nothing wrong with any package as packed.
 *
 * Offline: nothing here asks a registry anything. The `@mm/*`-only installs are `npm install --offline` of the
 * tarballs with an empty npm cache (they need nothing from a registry); @mm/report's third-party dependencies
 * (chart.js, d3-flame-graph, esbuild) come from the repository's pnpm store through `pnpm install --offline` in a
 * project that overrides every `@mm/*` package with its tarball and pins every other package to the version the
 * repository's lockfile has, so that it resolves to what the store holds (pnpm resolves them from its metadata
 * cache, which the repository's `pnpm install` fills).
 *
 * One build for everything: publint needs every package built, the installs need 13 of the 18, and the builds are
 * independent of each other (a package's types are made from its dependencies' sources, through the `@mm/source`
 * condition), so all of them are built once, at the start, as many at a time as there are cores, in any order: about
 * a minute on two cores, most of this file's time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackages, closure, installCommand, packPackages, repositoryRoot, workspacePackages } from './pack.ts';

const root = repositoryRoot;
const scratch = mkdtempSync(join(tmpdir(), 'mmsim-install-'));
const tarballDir = join(scratch, 'tarballs');
const packages = workspacePackages();
/** Every package's tarball, by name. */
const tarballs = new Map<string, string>();

beforeAll(() => {
  const names = [...packages.keys()];
  buildPackages(names, { anyOrder: true });
  for (const [index, tarball] of packPackages(names, tarballDir).entries()) tarballs.set(names[index]!, tarball);
}, 600_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The tarballs of the packages and of their `@mm/*` dependencies. */
function tarballsOf(names: readonly string[]): string[] {
  return closure(names, packages).map((name) => tarballs.get(name)!);
}

/** A new empty project (a `package.json` of an ES module project) in the scratch directory. */
function emptyProject(name: string): string {
  const project = join(scratch, name);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  return project;
}

/** Installs the packages with their dependencies, as pack.ts prints it, offline; returns the project. */
function npmInstall(name: string, packageNames: readonly string[]): string {
  const project = emptyProject(name);
  const flags = `--offline --no-audit --no-fund --cache ${join(scratch, 'npm-cache')}`;
  execFileSync('sh', ['-c', `${installCommand(tarballsOf(packageNames))} ${flags}`], {
    cwd: project,
    stdio: 'pipe',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return project;
}

/**
 * Installs the packages with their dependencies, offline, the third-party ones from the repository's pnpm store (see
 * the top of the file); returns the project. Every `@mm/*` package of the closure is a dependency of the project.
 */
function pnpmInstall(name: string, packageNames: readonly string[]): string {
  const project = emptyProject(name);
  const ours = closure(packageNames, packages);
  const overrides = Object.fromEntries(ours.map((ourName) => [ourName, `file:${tarballs.get(ourName)!}`]));
  const manifest = { name: 'consumer', private: true, type: 'module', dependencies: overrides };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // YAML is a superset of JSON.
  const workspace = { overrides: { ...lockedVersions(), ...overrides }, allowBuilds: { esbuild: true } };
  writeFileSync(join(project, 'pnpm-workspace.yaml'), `${JSON.stringify(workspace, null, 2)}\n`);
  const store = execFileSync('pnpm', ['store', 'path'], { cwd: root, encoding: 'utf8' }).trim();
  try {
    execFileSync('pnpm', ['install', '--offline', '--store-dir', store], {
      cwd: project,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    throw new Error(
      `pnpm install --offline from the store failed (it needs the metadata cache that an online \`pnpm install\` ` +
        `of the repository fills):\n${stdout}${stderr}`,
    );
  }
  return project;
}

/** Runs `script` as `main.mjs` in the project with Node; returns what it printed. */
function run(project: string, script: string): string {
  writeFileSync(join(project, 'main.mjs'), script);
  return execFileSync(process.execPath, ['main.mjs'], { cwd: project, encoding: 'utf8' });
}

/** The `@mm/*` packages in the project's `node_modules`. */
function installed(project: string): string[] {
  return readdirSync(join(project, 'node_modules/@mm'))
    .map((name) => `@mm/${name}`)
    .sort();
}

describe('tools/pack.ts', () => {
  it('takes dependencies, not devDependencies, each package after its dependencies', () => {
    const idle = closure(['@mm/page-idle'], packages);
    expect(idle.at(-1)).toBe('@mm/page-idle');
    expect(idle).not.toContain('@mm/kernel'); // a devDependency of page-idle
    for (const [index, name] of idle.entries()) {
      for (const dependency of packages.get(name)!.dependencies) {
        expect(idle.indexOf(dependency), `${dependency} before ${name}`).toBeLessThan(index);
      }
    }
  });

  /** Runs tools/pack.ts from the scratch directory, not the repository. */
  const packCli = (args: readonly string[]) => {
    const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;
    const command = [process.execPath, '--import', tsx, join(root, 'tools/pack.ts'), ...args];
    const result = spawnSync(command[0]!, command.slice(1), { cwd: scratch, encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('names the known packages when given an unknown one', () => {
    const result = packCli(['@mm/kernel', 'page-idle']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown package 'page-idle' (@mm/page-idle?)");
    for (const name of packages.keys()) expect(result.stderr).toContain(`\n  ${name}`);
  });

  it('builds, packs into --out (from the current directory) and prints the npm install command', () => {
    const result = packCli(['--out', 'cli-tarballs', '@mm/page-owner-tools']);
    expect(result.stderr).toContain('pack: building @mm/page-owner-tools');
    expect(result.status).toBe(0);
    const out = join(scratch, 'cli-tarballs');
    expect(readdirSync(out)).toEqual(['mm-page-owner-tools-0.0.0.tgz']);
    expect(result.stdout).toBe(`${installCommand([join(out, 'mm-page-owner-tools-0.0.0.tgz')])}\n`);
  });
});

describe('selective installs: packages work alone with their declared dependencies, offline', () => {
  it('@mm/kernel and @mm/page-idle: the idle bitmap finds the touched pages; no page_owner, stackdepot or debug_pagealloc', () => {
    const project = npmInstall('page-idle', ['@mm/kernel', '@mm/page-idle']);
    const output = run(
      project,
      `import { boot } from '@mm/kernel';
import { idlePfns, markIdle, pageIdle } from '@mm/page-idle';
const kernel = boot({ memory: '256M', features: [pageIdle()] });
const { vm } = kernel;
const task = vm.createProcess('worker');
const pages = 64;
const start = vm.mmap(task, { pages });
const pfns = [];
for (let page = 0; page < pages; page++) pfns.push(vm.touch(task, start + page * 4096, true));
const bitmap = kernel.feature(pageIdle).bitmapFile();
markIdle(bitmap, pfns);
const idleAfterMarking = idlePfns(bitmap, pfns).length;
const touched = pfns.filter((_, page) => page % 4 === 0);
for (let page = 0; page < pages; page += 4) vm.touch(task, start + page * 4096);
const idle = idlePfns(bitmap, pfns);
console.log(JSON.stringify({
  mapped: new Set(pfns).size,
  idleAfterMarking,
  idleAfterTouching: idle.length,
  touchedAndIdle: touched.filter((pfn) => idle.includes(pfn)).length,
}));
`,
    );
    expect(JSON.parse(output)).toEqual({ mapped: 64, idleAfterMarking: 64, idleAfterTouching: 48, touchedAndIdle: 0 });
    for (const absent of ['page-owner', 'stackdepot', 'debug-pagealloc']) {
      expect(existsSync(join(project, 'node_modules/@mm', absent)), absent).toBe(false);
    }
    expect(installed(project)).toEqual([
      '@mm/buddy',
      '@mm/hooks',
      '@mm/kernel',
      '@mm/kernel-spec',
      '@mm/page-ext',
      '@mm/page-idle',
      '@mm/physmem',
      '@mm/stacktrace',
      '@mm/vm',
    ]);
  });

  it('@mm/kernel and @mm/page-owner: the page_owner file has a record of an allocated page; no page_idle or debug_pagealloc', () => {
    const project = npmInstall('page-owner', ['@mm/kernel', '@mm/page-owner']);
    const output = run(
      project,
      `import { boot } from '@mm/kernel';
import { pageOwner } from '@mm/page-owner';
const kernel = boot({ memory: '256M', features: [pageOwner()], cmdline: 'page_owner=on' });
const pfn = kernel.buddy.allocPages(kernel.profile.gfp.flags.GFP_KERNEL, 0);
const file = kernel.files().find((candidate) => candidate.path === 'sys/kernel/debug/page_owner');
let text = '';
const decoder = new TextDecoder();
file.read((chunk) => {
  text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
});
const records = text.split('\\n\\n').filter((record) => record !== '');
const pfnLine = \`PFN 0x\${pfn.toString(16)} \`;
console.log(JSON.stringify({
  pfn,
  records: records.length,
  ofThePage: records.filter((record) => record.split('\\n')[1]?.startsWith(pfnLine)),
}));
`,
    );
    const { pfn, records, ofThePage } = JSON.parse(output) as { pfn: number; records: number; ofThePage: string[] };
    expect(pfn).toBeGreaterThan(0);
    expect(records).toBeGreaterThan(1); // the boot's allocations too
    expect(ofThePage).toHaveLength(1);
    const [header, pfnLine, ...frames] = ofThePage[0]!.split('\n');
    expect(header).toMatch(/^Page allocated via order 0, mask 0xcc0\(GFP_KERNEL\), pid \d+, tgid \d+ /);
    expect(pfnLine).toMatch(/ type Unmovable /);
    expect(frames[0]).toMatch(/^ post_alloc_hook\+0x/);
    for (const absent of ['page-idle', 'debug-pagealloc']) {
      expect(existsSync(join(project, 'node_modules/@mm', absent)), absent).toBe(false);
    }
    expect(installed(project)).toEqual([
      '@mm/buddy',
      '@mm/hooks',
      '@mm/kernel',
      '@mm/kernel-spec',
      '@mm/page-ext',
      '@mm/page-owner',
      '@mm/physmem',
      '@mm/stackdepot',
      '@mm/stacktrace',
      '@mm/vm',
    ]);
  });

  it('@mm/page-owner-tools alone: parses and sorts a v4.8 dump without an allocator', () => {
    const project = npmInstall('page-owner-tools', ['@mm/page-owner-tools']);
    const output = run(
      project,
      `import { parsePageOwner, sortPageOwner } from '@mm/page-owner-tools';
const record = (pfn, caller) => \`Page allocated via order 0, mask 0x24200ca(GFP_HIGHUSER_MOVABLE)
PFN \${pfn} type Movable Block 1228 type Movable Flags 0x1fffff80040030(dirty|lru|swapbacked)
 [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b6325>] \${caller}+0xb5/0x250

\`;
const dump = record(628753, 'alloc_pages_vma') + record(628753, 'alloc_pages_vma') + record(628760, 'do_anonymous_page');
const records = [...parsePageOwner(dump)].map((parsed) => [parsed.format, parsed.pfn, parsed.order, parsed.frames[1].symbol]);
const sorted = sortPageOwner('v4.8', ['in', 'out'], dump);
console.log(JSON.stringify({ records, exitCode: sorted.exitCode, stdout: sorted.stdout, output: sorted.output }));
`,
    );
    const result = JSON.parse(output) as { records: unknown[]; exitCode: number; stdout: string; output: string };
    expect(result.records).toEqual([
      ['v4.x', 628753, 0, 'alloc_pages_vma'],
      ['v4.x', 628753, 0, 'alloc_pages_vma'],
      ['v4.x', 628760, 0, 'do_anonymous_page'],
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('loaded 2\nsorting ....\nculling\n'); // v4.x merges consecutive duplicates
    expect(result.output).toMatch(/^2 times:\nPage allocated via order 0,[\s\S]*alloc_pages_vma[\s\S]*\n\n1 times:\n/);
    expect(result.output).toContain('PFN 628760 ');
    expect(existsSync(join(project, 'node_modules/@mm/buddy'))).toBe(false);
    expect(installed(project)).toEqual(['@mm/page-owner-tools']);
  });

  it("@mm/report: bundles its page from the installed browser/ sources, d3-flame-graph and Chart.js (from the repository's store)", () => {
    const project = pnpmInstall('report', ['@mm/report']);
    const output = run(
      project,
      `import { writeFileSync } from 'node:fs';
import { readReportSource, renderReport } from '@mm/report';
writeFileSync('dump.txt', \`Page allocated via order 2, mask 0xcc0(GFP_KERNEL), pid 1, tgid 1 (init), ts 5 ns
PFN 0x1000 type Unmovable Block 8 type Unmovable Flags 0x0()
 post_alloc_hook+0x177/0x1a0
 get_page_from_freelist+0xd01/0x2140

\`);
const html = renderReport(readReportSource('dump.txt'));
console.log(html.includes('d3-flame-graph'), html.includes('Chart.js'), /"count":1,/.test(html));
`,
    );
    expect(output).toBe('true true true\n');
    expect(installed(project)).toEqual(['@mm/hooks', '@mm/page-owner-tools', '@mm/physmem', '@mm/report']);
  });

  it('@mm/cli: the mmsim executable runs its commands, the quick ones (CommonJS bundles) and the simulator ones', () => {
    const project = pnpmInstall('cli', ['@mm/cli']);
    const mmsim = (...args: string[]) =>
      spawnSync(join(project, 'node_modules/.bin/mmsim'), args, { cwd: project, encoding: 'utf8' });
    expect(mmsim('--help').stdout).toContain('Usage: mmsim <command> [options]');
    const run = mmsim('run', '--mem', '256M', '--out', 'out', '--report');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(join(project, 'out/report.html'))).toBe(true);
    const sort = mmsim('sort', 'out/sys/kernel/debug/page_owner', 'sorted.txt');
    expect(sort.status).toBe(0);
    expect(sort.stdout).toMatch(/^(loaded \d+\r)*loaded \d+\nsorting \.\.\.\.\nculling\n$/);
    expect(readFileSync(join(project, 'sorted.txt'), 'utf8')).toMatch(/^\d+ times, \d+ pages, /);
    const diff = mmsim('diff', '--json', 'out/sys/kernel/debug/page_owner', 'out/sys/kernel/debug/page_owner');
    expect(JSON.parse(diff.stdout)).toEqual({ stacks: [] });
    // A command's usage error, thrown in its own bundle, is told by name in the executable's: exit 2.
    const usage = mmsim('diff', '--bogus');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("Run 'mmsim diff --help' for usage.");
  });
});

/**
 * Every third-party package with one version in the repository's lockfile, pinned to it (name → version): what the
 * store holds. Packages locked at several versions are left to their dependants' exact ranges.
 */
function lockedVersions(): Record<string, string> {
  const versions = new Map<string, Set<string>>();
  let section = '';
  for (const line of readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8').split('\n')) {
    if (/^\S/.test(line)) section = line;
    const key = section === 'packages:' ? /^ {2}'?((?:@[^/@\s]+\/)?[^@'\s]+)@([^'(\s]+)'?:$/.exec(line) : null;
    if (key === null || key[1]!.startsWith('@mm/')) continue;
    versions.set(key[1]!, (versions.get(key[1]!) ?? new Set()).add(key[2]!));
  }
  return Object.fromEntries(
    [...versions].flatMap(([name, locked]) => (locked.size === 1 ? [[name, [...locked][0]!]] : [])),
  );
}

describe('publint', () => {
  it('finds nothing wrong with any package as packed', async () => {
    const problems: string[] = [];
    for (const name of packages.keys()) {
      const tarball = readFileSync(tarballs.get(name)!);
      const { messages, pkg: manifest } = await publint({
        pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      });
      for (const message of messages) problems.push(`${name}: ${formatMessage(message, manifest, { color: false })}`);
    }
    expect(problems).toEqual([]);
  });
});

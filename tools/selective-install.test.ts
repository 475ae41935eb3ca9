import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'mmsim-install-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A package and the workspace packages it depends on, transitively (directory names under packages/). */
function closure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (dependency.startsWith('@mm/')) closure(dependency.replace('@mm/', ''), seen);
  }
  return seen;
}

/** Builds and packs a package with its dependencies, installs the tarballs into an empty folder, runs `script`. */
function installAlone(name: string, script: string): string {
  const packages = [...closure(name)];
  execFileSync('pnpm', ['--filter', `@mm/${name}...`, 'build'], { cwd: root, stdio: 'pipe' });
  const tarballs = join(scratch, `${name}-tarballs`);
  for (const dependency of packages) {
    execFileSync('pnpm', ['pack', '--pack-destination', tarballs], {
      cwd: join(root, 'packages', dependency),
      stdio: 'pipe',
    });
  }
  const project = join(scratch, name);
  execFileSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      ...packages.map((dependency) => join(tarballs, `mm-${dependency}-0.0.0.tgz`)),
    ],
    { cwd: project, stdio: 'pipe' },
  );
  writeFileSync(join(project, 'main.mjs'), script);
  return execFileSync(process.execPath, ['main.mjs'], { cwd: project, encoding: 'utf8' });
}

describe('selective installs: a package packs and works alone with its declared dependencies', () => {
  it('@mm/buddy', () => {
    const output = installAlone(
      'buddy',
      `import { BuddyAllocator } from '@mm/buddy';
import { createHookBus } from '@mm/hooks';
import { getProfile, PhysicalMemory } from '@mm/physmem';
const memory = new PhysicalMemory({ memory: 2 ** 30, profile: getProfile('v6.18') });
const buddy = new BuddyAllocator(memory, createHookBus());
buddy.freeAllMemory();
const free = buddy.totalFreePages();
buddy.allocPages(memory.profile.gfp.flags.GFP_KERNEL, 3);
console.log(free - buddy.totalFreePages());
`,
    );
    expect(output).toBe('8\n');
  }, 180_000);

  it('@mm/page-owner', () => {
    const output = installAlone(
      'page-owner',
      `import { parsePageOwner, sortPageOwner } from '@mm/page-owner';
const dump = \`Page allocated via order 0, mask 0x24200ca(GFP_HIGHUSER_MOVABLE)
PFN 628753 type Movable Block 1228 type Movable Flags 0x1fffff80040030(dirty|lru|swapbacked)
 [<ffffffff811682c4>] __alloc_pages_nodemask+0x134/0x230
 [<ffffffff811b6325>] alloc_pages_vma+0xb5/0x250

\`;
const records = [...parsePageOwner(dump)];
console.log(records.length, records[0].frames[1].symbol, typeof sortPageOwner);
`,
    );
    expect(output).toBe('1 alloc_pages_vma function\n');
  }, 180_000);

  it('@mm/report: bundles its page from the installed browser/ sources, d3-flame-graph and Chart.js', () => {
    const output = installAlone(
      'report',
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
  }, 180_000);
});

describe('publint', () => {
  it('finds nothing wrong with any package as packed', () => {
    execFileSync('pnpm', ['build'], { cwd: root, stdio: 'pipe' });
    const packages = readdirSync(join(root, 'packages'));
    for (const name of packages) {
      const output = execFileSync(join(root, 'node_modules/.bin/publint'), {
        cwd: join(root, 'packages', name),
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      });
      // Colours stripped, in case the environment forces them (CI does).
      const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
      const last = output.replace(ansi, '').trim().split('\n').at(-1);
      expect(`${name}: ${last}`).toBe(`${name}: All good!`);
    }
  }, 300_000);
});

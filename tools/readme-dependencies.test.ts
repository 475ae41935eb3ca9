import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every package README tells how to install the package from this repository's tarballs, never from the npm
 * registry (the `@mm` scope there belongs to an unrelated project), and its `Depends on:` line names exactly the
 * `dependencies` of its package.json. File system only.
 */
const packagesDir = new URL('../packages/', import.meta.url).pathname;
const packages = readdirSync(packagesDir)
  .filter((name) => statSync(join(packagesDir, name)).isDirectory())
  .sort();

/** An install command that would fetch an `@mm/` package from a registry (flags such as `-g` or `-D` allowed). */
const registryInstall = /\b(?:pnpm add|npm install|npm i|yarn add|bun add)(?:\s+--?[\w-]+)*\s+@mm\//;

/** The names in backticks on the README's one `Depends on:` line, or undefined for `Depends on: nothing.`. */
function dependsOn(readme: string): string[] | undefined {
  const lines = readme.split('\n').filter((line) => line.startsWith('Depends on:'));
  expect(lines, 'exactly one "Depends on:" line').toHaveLength(1);
  const line = lines[0]!;
  if (line === 'Depends on: nothing.') return undefined;
  return [...line.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

describe('package READMEs and their dependencies', () => {
  it('finds the packages', () => {
    expect(packages.length).toBeGreaterThan(0);
  });

  describe.each(packages)('packages/%s', (name) => {
    const readmePath = join(packagesDir, name, 'README.md');
    const manifest = () =>
      JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      };

    it('has a README', () => {
      expect(existsSync(readmePath)).toBe(true);
    });

    it('installs from the tarballs of this repository, never from the registry', () => {
      const readme = readFileSync(readmePath, 'utf8');
      const offending = readme.split('\n').filter((line) => registryInstall.test(line));
      expect(offending).toEqual([]);
      expect(readme).toContain('## Install');
      expect(readme).toMatch(new RegExp(`^pnpm pack-packages (?:@mm/[\\w-]+ )*${manifest().name}(?: |$)`, 'm'));
    });

    it('names exactly the dependencies of its package.json on its "Depends on:" line', () => {
      const named = dependsOn(readFileSync(readmePath, 'utf8'));
      const declared = Object.keys(manifest().dependencies ?? {});
      if (declared.length === 0) {
        expect(named, 'a package without dependencies says "Depends on: nothing."').toBeUndefined();
      } else {
        expect(named, 'a package with dependencies names them in backticks').toBeDefined();
        expect(new Set(named)).toEqual(new Set(declared));
        expect(named).toHaveLength(new Set(named).size);
      }
    });
  });
});

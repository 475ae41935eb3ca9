import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The rule of the project: every golden file says where its truth comes from. Each `__fixtures__` directory (or a
// directory inside it) holds a PROVENANCE.md, and every file there is named in it, in backticks: by its path
// relative to the directory of that PROVENANCE.md, or, for a file of a case directory (one with a case.json), by
// the case directory's name. The `inputs/` of the page_owner_sort cases are inputs, not goldens.

const root = new URL('../', import.meta.url).pathname;
const provenanceName = 'PROVENANCE.md';
const excludedDirectories = new Set(['node_modules', 'dist']);

/** Every directory under `directory` (itself included) for which `wanted` holds, not looking inside those. */
function findDirectories(directory: string, wanted: (name: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (!entry.isDirectory() || excludedDirectories.has(entry.name)) continue;
    const path = join(directory, entry.name);
    if (wanted(entry.name)) found.push(path);
    else found.push(...findDirectories(path, wanted));
  }
  return found;
}

/** The fixtures directories: every `__fixtures__` under `packages/<package>/src` and `packages/<package>/test`. */
function fixturesDirectories(): string[] {
  const packages = join(root, 'packages');
  return readdirSync(packages, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => ['src', 'test'].map((part) => join(packages, entry.name, part)))
    .filter((directory) => existsSync(directory))
    .flatMap((directory) => findDirectories(directory, (name) => name === '__fixtures__'))
    .sort();
}

/** Every file under `directory` that must have a provenance: all but PROVENANCE.md and the files under `inputs/`. */
function goldenFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'inputs') files.push(...goldenFiles(path));
    } else if (entry.name !== provenanceName) {
      files.push(path);
    }
  }
  return files.sort();
}

/** The PROVENANCE.md nearest to `file`: in its directory or the closest parent, up to the fixtures directory. */
function nearestProvenance(file: string, fixtures: string): string | undefined {
  for (let directory = dirname(file); ; directory = dirname(directory)) {
    const candidate = join(directory, provenanceName);
    if (existsSync(candidate)) return candidate;
    if (directory === fixtures || !directory.startsWith(fixtures)) return undefined;
  }
}

/** The name a PROVENANCE.md must give `file`: its case directory's name, or its path relative to the document. */
function expectedName(file: string, provenance: string): string {
  const directory = dirname(file);
  if (directory !== dirname(provenance) && existsSync(join(directory, 'case.json'))) {
    return relative(dirname(provenance), directory).split(sep).join('/');
  }
  return relative(dirname(provenance), file).split(sep).join('/');
}

/** The files under `fixtures` whose name is missing from their PROVENANCE.md, with the reason. */
function filesWithoutProvenance(fixtures: string): string[] {
  const documents = new Map<string, string>();
  const missing: string[] = [];
  for (const file of goldenFiles(fixtures)) {
    const shown = relative(root, file);
    const provenance = nearestProvenance(file, fixtures);
    if (provenance === undefined) {
      missing.push(`${shown}: no ${provenanceName} in its directory or above it in ${relative(root, fixtures)}`);
      continue;
    }
    if (!documents.has(provenance)) documents.set(provenance, readFileSync(provenance, 'utf8'));
    const name = expectedName(file, provenance);
    if (!documents.get(provenance)!.includes(`\`${name}\``)) {
      missing.push(`${shown}: \`${name}\` is not named in ${relative(root, provenance)}`);
    }
  }
  return missing;
}

describe('golden provenance', () => {
  const directories = fixturesDirectories();

  it('finds the fixtures directories and their goldens', () => {
    const relativeDirectories = directories.map((directory) => relative(root, directory).split(sep).join('/'));
    expect(relativeDirectories).toEqual(
      expect.arrayContaining([
        'packages/kernel/src/__fixtures__',
        'packages/page-owner/test/__fixtures__',
        'packages/page-owner-tools/src/__fixtures__',
      ]),
    );
    for (const directory of directories) expect(goldenFiles(directory).length).toBeGreaterThan(0);
  });

  it.each(directories.map((directory) => [relative(root, directory), directory]))(
    'every golden of %s is named in its PROVENANCE.md',
    (_, directory) => {
      expect(filesWithoutProvenance(directory)).toEqual([]);
    },
  );
});

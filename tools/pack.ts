/**
 * Installable tarballs of some `@mm/*` packages, for a project outside this repository (nothing is published to the
 * npm registry):
 *
 *     node --import tsx tools/pack.ts [--out DIR] @mm/kernel @mm/page-idle ...
 *     pnpm pack-packages [--out DIR] @mm/kernel @mm/page-idle ...
 *
 * It builds the named packages and the `@mm/*` packages they depend on, transitively (`dependencies` only: what an
 * install of the tarballs needs, not `devDependencies`), in one `pnpm --filter-prod <name>... build`; packs each of
 * them with `pnpm pack --pack-destination DIR` (default `./tarballs`, relative to the directory the command is run
 * from), which rewrites their `workspace:*` ranges to `0.0.0`; writes nothing else; and prints (on stdout, the
 * progress going to stderr) the one `npm install` command, with the tarballs' absolute paths, that installs them all
 * into a project. Third-party dependencies (those of `@mm/report`) come from the registry as usual.
 *
 * The repository is found from this file's URL, not the current directory: from elsewhere,
 * `pnpm -C /path/to/mmsim pack-packages --out DIR ...` (DIR still relative to where it is typed) or
 * `node --import /path/to/mmsim/node_modules/tsx/dist/loader.mjs /path/to/mmsim/tools/pack.ts ...` (`--import tsx`
 * alone finds tsx only inside the repository). An unknown name is an error that lists the packages.
 *
 * The test `tools/selective-install.test.ts` uses the exported functions.
 */
import { execFileSync, type StdioOptions } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's root directory (this file is in `tools/`). */
export const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));

/** A package of `packages/`, as its `package.json` declares it. */
export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  /** The `@mm/*` names in `dependencies` (not `devDependencies`). */
  readonly dependencies: readonly string[];
  /** What `main` names (the built entry point), if anything. */
  readonly main?: string;
}

interface Manifest {
  name?: string;
  main?: string;
  dependencies?: Record<string, string>;
}

/** Every package under `packages/`, by name. */
export function workspacePackages(root: string = repositoryRoot): Map<string, WorkspacePackage> {
  const packages = new Map<string, WorkspacePackage>();
  for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    const dir = join(root, 'packages', entry.name);
    const manifestPath = join(dir, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (manifest.name === undefined) continue;
    const dependencies = Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith('@mm/'));
    packages.set(manifest.name, {
      name: manifest.name,
      dir,
      dependencies,
      ...(manifest.main === undefined ? {} : { main: manifest.main }),
    });
  }
  return packages;
}

/** The error for names that are not packages of the repository, listing the ones that are. */
export class UnknownPackageError extends Error {
  constructor(unknown: readonly string[], known: Iterable<string>) {
    const hints = unknown.map((name) => (name.startsWith('@mm/') ? `'${name}'` : `'${name}' (@mm/${name}?)`));
    super(
      `unknown package${unknown.length === 1 ? '' : 's'} ${hints.join(', ')}; the packages are:\n  ${[...known]
        .sort()
        .join('\n  ')}`,
    );
    this.name = 'UnknownPackageError';
  }
}

/**
 * The named packages and the `@mm/*` packages they depend on through `dependencies`, transitively: each once, every
 * package after its dependencies. Throws {@link UnknownPackageError} for a name that is not a package of `packages/`.
 */
export function closure(
  names: readonly string[],
  packages: ReadonlyMap<string, WorkspacePackage> = workspacePackages(),
): string[] {
  const unknown = names.filter((name) => !packages.has(name));
  if (unknown.length > 0) throw new UnknownPackageError(unknown, packages.keys());
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, path: readonly string[]) => {
    if (seen.has(name)) return;
    const pkg = packages.get(name);
    if (pkg === undefined) throw new Error(`${path.join(' → ')} depends on ${name}, which is not in packages/`);
    seen.add(name);
    for (const dependency of pkg.dependencies) visit(dependency, [...path, name]);
    ordered.push(name);
  };
  for (const name of names) visit(name, []);
  return ordered;
}

/** How to run the child processes. */
export interface RunOptions {
  /** Show their output on this process's stderr as it comes (else it is kept, and shown in the error if one fails). */
  readonly verbose?: boolean;
  /** The repository (default: the one this file is in). */
  readonly root?: string;
}

function run(command: string, args: readonly string[], cwd: string, verbose: boolean): string {
  const io: StdioOptions = verbose ? ['ignore', 2, 2] : 'pipe';
  try {
    return execFileSync(command, args, { cwd, stdio: io, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }) ?? '';
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed${output === '' ? '' : `:\n${output}`}`, {
      cause: error,
    });
  }
}

/** How to build. */
export interface BuildOptions extends RunOptions {
  /**
   * Build as many packages at once as there are cores, in any order, rather than each after its dependencies. Safe
   * while a package's build reads its dependencies' sources, not their `dist/` (tsconfig's `customConditions` has
   * `@mm/source`), and about twice as fast for the whole repository.
   */
  readonly anyOrder?: boolean;
}

/**
 * Builds the named packages and their `@mm/*` dependencies (not devDependencies) with one
 * `pnpm --filter-prod <name>... build`.
 */
export function buildPackages(names: readonly string[], options: BuildOptions = {}): void {
  const root = options.root ?? repositoryRoot;
  closure(names, workspacePackages(root));
  if (names.length === 0) return;
  const filters = names.flatMap((name) => ['--filter-prod', `${name}...`]);
  const order = options.anyOrder ? ['--no-sort', `--workspace-concurrency=${availableParallelism()}`] : [];
  run('pnpm', [...filters, ...order, 'build'], root, options.verbose ?? false);
}

/**
 * Packs each named package (not its dependencies: pass a {@link closure}) with `pnpm pack --pack-destination DIR`,
 * which it creates. The packages must have been built. Returns the tarballs' absolute paths, in the order given.
 */
export function packPackages(names: readonly string[], destination: string, options: RunOptions = {}): string[] {
  const packages = workspacePackages(options.root ?? repositoryRoot);
  closure(names, packages);
  const out = resolve(destination);
  mkdirSync(out, { recursive: true });
  return names.map((name) => {
    const pkg = packages.get(name)!;
    if (pkg.main !== undefined && !existsSync(join(pkg.dir, pkg.main))) {
      throw new Error(`${name} is not built (no ${pkg.main} in ${pkg.dir}): build it before packing`);
    }
    const output = run('pnpm', ['pack', '--pack-destination', out, '--json'], pkg.dir, false);
    const packed = JSON.parse(output) as { filename?: string } | { filename?: string }[];
    const filename = Array.isArray(packed) ? packed[0]?.filename : packed.filename;
    if (filename === undefined) throw new Error(`pnpm pack of ${name} named no tarball:\n${output}`);
    const tarball = resolve(out, filename);
    if (!existsSync(tarball)) throw new Error(`pnpm pack of ${name} said ${tarball}, which does not exist`);
    return tarball;
  });
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The one `npm install` command that installs the tarballs into the project of the current directory. */
export function installCommand(tarballs: readonly string[]): string {
  return ['npm', 'install', ...tarballs].map(shellWord).join(' ');
}

const USAGE = `Usage: node --import tsx tools/pack.ts [--out DIR] @mm/NAME...
       pnpm pack-packages [--out DIR] @mm/NAME...

Builds the packages and the @mm/* packages they depend on, packs each into DIR (default ./tarballs) and prints
the npm install command that installs them into a project.`;

/** The command line: returns the exit status. */
export function main(argv: readonly string[], cwd: string): number {
  let out = 'tarballs';
  const names: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') continue;
    if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      return 0;
    }
    if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg === '--out' ? argv[++index] : arg.slice('--out='.length);
      if (value === undefined || value === '') {
        console.error(`pack: --out wants a directory\n\n${USAGE}`);
        return 1;
      }
      out = value;
    } else if (arg.startsWith('-')) {
      console.error(`pack: unknown option ${arg}\n\n${USAGE}`);
      return 1;
    } else {
      names.push(arg);
    }
  }
  if (names.length === 0) {
    console.error(`pack: name the packages to pack\n\n${USAGE}`);
    return 1;
  }
  let packages: string[];
  try {
    packages = closure(names);
  } catch (error) {
    if (!(error instanceof UnknownPackageError)) throw error;
    console.error(`pack: ${error.message}`);
    return 1;
  }
  const destination = resolve(cwd, out);
  console.error(`pack: building ${packages.join(', ')}`);
  let tarballs: string[];
  try {
    buildPackages(names, { verbose: true });
    tarballs = packPackages(packages, destination);
  } catch (error) {
    console.error(`pack: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  console.error(`pack: ${tarballs.length} tarballs in ${destination}; to install them into a project, run there:`);
  console.log(installCommand(tarballs));
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // `pnpm pack-packages` runs in the repository root; INIT_CWD is where it was typed.
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: set by pnpm for the script; no Turborepo task runs this file
  const script = process.env.npm_lifecycle_event;
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: as above
  const invokedIn = script === 'pack-packages' ? process.env.INIT_CWD : undefined;
  process.exitCode = main(process.argv.slice(2), invokedIn ?? process.cwd());
}

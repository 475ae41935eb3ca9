import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import base from '../../tsup.config.base';

/**
 * Every command module, as `src/main.ts` loads them (`import('./commands/NAME')`), each built at a fixed path
 * (`dist/commands/NAME.js`) so that the executable can load it.
 */
const commands = [
  ...readFileSync(new URL('./src/main.ts', import.meta.url), 'utf8').matchAll(/import\('\.\/commands\/([a-z-]+)'\)/g),
].map((match) => match[1]!);
if (commands.length === 0) throw new Error('tsup.config.ts: no command found in src/main.ts');

/**
 * The commands that read a file and are done in milliseconds, where Node.js's start-up is most of the time: the
 * executable loads them as CommonJS bundles of their own (`dist/commands/NAME.cjs`, with what they use of the
 * workspace's packages inlined), so that it never starts Node.js's ES module loader (about 10 ms here). The others
 * load the simulator, whose work dwarfs that, and stay ES modules.
 */
const quickCommands = ['sort', 'diff'];

/**
 * How the executable reaches the commands, each left out of it: `main.ts`'s `import('./commands/NAME')` becomes
 * `require()` of the command's CommonJS bundle for a quick command, and `import()` of its ES module for the others.
 */
const commandModules: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'command-modules',
  setup(build) {
    build.onResolve({ filter: /^\.\/commands\/[a-z-]+$/ }, (args) => {
      if (!args.importer.endsWith('/src/main.ts')) return undefined;
      const name = args.path.slice('./commands/'.length);
      if (quickCommands.includes(name)) return { path: args.path, namespace: 'quick-command' };
      return { path: `${args.path}.js`, external: true };
    });
    // A quick command is a CommonJS module that requires the command's bundle: inlined into the executable as a
    // lazy module, so the bundle loads when the command runs, through require().
    build.onLoad({ filter: /.*/, namespace: 'quick-command' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`${args.path}.cjs`)});`,
      loader: 'js',
    }));
    build.onResolve({ filter: /\.cjs$/ }, (args) => ({ path: args.path, external: true }));
  },
};

export default defineConfig([
  // The library (`@mm/cli`) and every command as an ES module, sharing chunks.
  {
    ...base,
    entry: {
      index: 'src/index.ts',
      ...Object.fromEntries(commands.map((name) => [`commands/${name}`, `src/commands/${name}.ts`])),
    },
    dts: { entry: 'src/index.ts' },
    // The CommonJS build below writes its own files into dist/ at the same time.
    clean: ['!**/*.cjs', '!**/*.cjs.map'],
  },
  // The executable, `dist/bin.cjs`, and the quick commands' bundles: CommonJS, self-contained.
  {
    entry: {
      bin: 'src/bin.ts',
      ...Object.fromEntries(quickCommands.map((name) => [`commands/${name}`, `src/commands/${name}.ts`])),
    },
    format: ['cjs'],
    target: 'node20',
    sourcemap: true,
    noExternal: [/^@mm\//],
    // The report reads its browser sources next to its own files: never inlined, should a quick command load it.
    external: ['@mm/report'],
    // From the workspace packages' sources, as the type declarations are: the build needs none of them built.
    esbuildOptions(options) {
      options.conditions = ['@mm/source'];
    },
    esbuildPlugins: [commandModules],
    clean: ['!**/*.js', '!**/*.js.map', '!**/*.d.ts'],
  },
]);

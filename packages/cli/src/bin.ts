#!/usr/bin/env node
import { processIo } from './cli-io';
import { main } from './main';

// `pnpm mmsim` (the repository's script) runs in the repository's root; the directory it was typed in is INIT_CWD,
// which relative paths (--out, traces, dumps, workload modules) are meant against.
if (process.env.npm_lifecycle_event === 'mmsim' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

// (No top-level await: the executable is built as CommonJS, see tsup.config.ts.)
main(process.argv.slice(2), processIo).then((code) => {
  process.exitCode = code;
});

#!/usr/bin/env node
// Entry point of the `homelab` command: the CLI bundled into one file at build time (resolving a
// few thousand small modules, the @kubernetes-models validators, is most of a cold start), run
// through V8's code cache (see src/load-bundle.ts). dist/cli.js is the same code unbundled, for
// library use.
import { runBundle } from '../dist/load-bundle.js';

process.exitCode = await runBundle(new URL('../dist/homelab.cjs', import.meta.url), process.argv.slice(2));

#!/usr/bin/env node
// Entry point of the `homelab` command: the CLI bundled into one file at build time, because
// resolving and loading a few thousand small modules (the @kubernetes-models validators) is most of
// a cold start. dist/cli.js is the same code unbundled, for library use.
import { main } from '../dist/homelab.mjs';

process.exitCode = await main(process.argv.slice(2));

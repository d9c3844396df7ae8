#!/usr/bin/env node
// Entry point of the `homelab` command; the implementation is the built CLI in dist/.
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));

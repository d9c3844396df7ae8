// Runs a code-cached bundle as bin/homelab.js runs dist/homelab.cjs (the bench's synthetic
// homelab). Usage: node scripts/run-bundle.mjs BUNDLE [ARGUMENTS…]
// With --cache-accepted instead of arguments: prints whether V8 takes the bundle's code cache.
import { loadBundle, runBundle } from '../dist/load-bundle.js';

const [bundle, ...args] = process.argv.slice(2);
if (args[0] === '--cache-accepted') process.stdout.write(`${loadBundle(bundle).cacheAccepted}\n`); // not console.log: FORCE_COLOR would colour it
else process.exitCode = await runBundle(bundle, args);

/**
 * `nx run homelab:bench`: how far `homelab generate` is from the floor — one Node process that
 * only writes the same bytes — and whether its cost grows linearly with the number of apps.
 * Whole processes are timed (start-up included). A benchmark, deliberately not a unit test.
 *
 * Cases: the default config (bin/homelab.js), and the same CLI built the same way (a code-cached
 * bundle) with 1,000, 3,000 and 5,000 synthetic apps added to the default modules — config check,
 * render, in-memory check and write included. One bundle, trained on 1,000 apps, serves every
 * synthetic case, so the cases differ in their app count only. With `--exposed` every synthetic
 * app also exposes an internal host and declares its pods (scripts/bench-synthetic.ts): routes,
 * the TLS check, DNS records and network policies then grow with the count too.
 *
 * Targets (exit 1 when one is missed):
 * - default config ≤ 3× its floor, 1,000 apps ≤ 4× its floor (plain apps: the target was set for
 *   them; exposed apps derive several objects each, their ratio is printed only);
 * - per-app cost (net of the default config) at 3,000 and at 5,000 apps within 1.3× of 1,000 apps;
 * - peak RSS per app (net of the default config) at 3,000 and 5,000 apps within 1.3× of 1,000 apps.
 *
 * Robust to a loaded machine: rounds run every case and its floor in turn (the case order rotating
 * from round to round), so a change in load weighs on all of them alike; every figure comes from
 * medians over the rounds. Which clock each verdict reads (both are printed):
 * - the floor ratios, wall time: the targets are about the wait a user sees and were set on it.
 *   Both ends slow down on a busy machine, but not alike (generate runs more threads): the
 *   ratio swings more than the CPU-time ratio printed beside it (README: Benchmarks);
 * - per-app cost, CPU time (user + system of the child, all threads, reported by usage.mjs at
 *   exit): it is a difference (a case minus the default config) divided by the app count, which
 *   wall time ruins on a shared machine — a wait for a core lands in one case and not the other —
 *   while CPU time counts only the work done (measured here: wall per app ×3.9 from 1,000 to 5,000
 *   apps under load, CPU per app ×0.83 in the same rounds).
 *
 * Runs as `tsx scripts/bench.ts [CONFIG] [--rounds N] [--exposed]`: 9 rounds by default, about
 * 4 minutes on the shared 2-core machine (6 with --exposed); fewer rounds to develop. To see where the time goes, profile one
 * case: `node --cpu-prof scripts/run-bundle.mjs BUNDLE COUNT plain|exposed generate --config … --out …`
 * on a bundle built as this script builds its own (buildBundle with scripts/bench-entry.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { stop as stopEsbuild } from 'esbuild';
import { codeCacheFile } from '../src/load-bundle.js';
import { buildBundle } from './build-bundle.js';
import type { SyntheticKind } from './bench-synthetic.js';

const SCRIPTS = dirname(fileURLToPath(import.meta.url));
const PROJECT = join(SCRIPTS, '..');
const BIN = join(PROJECT, 'bin/homelab.js');
const FLOOR = join(SCRIPTS, 'floor.mjs');
const RUN_BUNDLE = join(SCRIPTS, 'run-bundle.mjs');
const USAGE = pathToFileURL(join(SCRIPTS, 'usage.mjs')).href;
/** Beside dist/homelab.cjs, so its require()s resolve alike; removed when the bench ends. */
const SYNTHETIC_BUNDLE = join(PROJECT, 'dist/bench-homelab.cjs');
const TRAINING_APPS = 1000;
const APP_COUNTS = [1000, 3000, 5000];
const FLOOR_TARGETS: Record<SyntheticKind, Record<number, number>> = { plain: { 0: 3, 1000: 4 }, exposed: { 0: 3 } };
/** Per-app cost and per-app peak RSS at any count, against the smallest synthetic case. */
const GROWTH_LIMIT = 1.3;

interface Blob {
  path: string;
  content: string;
}

/** Every file under `dir`, as the floor's input. */
function blobOf(dir: string): Blob[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path: relative(dir, path), content: readFileSync(path, 'utf8') };
    });
}

interface Usage {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
}

/** One process writing into a fresh, empty directory: its wall time, and the CPU time and peak RSS it reports. */
function measure(work: string, args: string[]): Usage {
  const out = join(work, 'out');
  const report = join(work, 'usage.json');
  rmSync(out, { recursive: true, force: true });
  rmSync(report, { force: true });
  mkdirSync(out, { recursive: true });
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ['--import', USAGE, ...args, out], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, HOMELAB_BENCH_USAGE: report },
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status ?? child.signal}`);
  return { wallMs, ...(JSON.parse(readFileSync(report, 'utf8')) as Omit<Usage, 'wallMs'>) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Case {
  label: string;
  /** Synthetic apps on top of the default config; 0 for the default config itself. */
  apps: number;
  /** The generate command, given its output directory last. */
  args: string[];
  /** The floor command for the same bytes, given its output directory last. */
  floorArgs: string[];
  generate: Usage[];
  floor: Usage[];
}

/**
 * A case, with the tree its command writes generated once: those bytes become the floor's input.
 */
function prepare(work: string, label: string, apps: number, args: string[]): Case {
  const name = `case-${apps}`;
  const tree = join(work, `tree-${name}`);
  mkdirSync(tree);
  const child = spawnSync(process.execPath, [...args, tree], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status ?? child.signal}`);
  const blob = join(work, `${name}.json`);
  writeFileSync(blob, JSON.stringify(blobOf(tree)));
  rmSync(tree, { recursive: true, force: true });
  return { label, apps, args, floorArgs: [FLOOR, blob], generate: [], floor: [] };
}

/** Every case and its floor once per round, the starting case rotating so none always runs first. */
function runRounds(work: string, cases: Case[], rounds: number): void {
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length]!;
      c.generate.push(measure(work, c.args));
      c.floor.push(measure(work, c.floorArgs));
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
}

const medianOf = (usages: Usage[], key: keyof Usage) => median(usages.map((usage) => usage[key]));

/** Prints the tables; true when every target is met. */
function report(cases: Case[], kind: SyntheticKind): boolean {
  let ok = true;
  const verdict = (pass: boolean) => {
    ok &&= pass;
    return pass ? 'ok' : 'MISSED';
  };
  const base = cases.find((c) => c.apps === 0)!;
  const perApp = (c: Case, key: keyof Usage) => (medianOf(c.generate, key) - medianOf(base.generate, key)) / c.apps;
  const smallest = cases.find((c) => c.apps === Math.min(...APP_COUNTS))!;
  const ms = (value: number) => `${value.toFixed(0)}ms`.padStart(8);
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)}MB`.padStart(8);

  console.log('\nagainst the floor (medians; the target reads the wall-time ratio)');
  console.log('case              generate wall   cpu   floor wall   cpu  peak RSS   ratio wall (cpu)  target');
  for (const c of cases) {
    const cpuRatio = medianOf(c.generate, 'cpuMs') / medianOf(c.floor, 'cpuMs');
    const wallRatio = medianOf(c.generate, 'wallMs') / medianOf(c.floor, 'wallMs');
    const target = FLOOR_TARGETS[kind][c.apps];
    const judged = target === undefined ? '' : `≤${target}× ${verdict(wallRatio <= target)}`;
    console.log(
      `${c.label.padEnd(16)} ${ms(medianOf(c.generate, 'wallMs'))} ${ms(medianOf(c.generate, 'cpuMs'))}  ${ms(medianOf(c.floor, 'wallMs'))} ${ms(medianOf(c.floor, 'cpuMs'))} ${mb(medianOf(c.generate, 'maxRssKb'))}  ` +
        `${wallRatio.toFixed(2).padStart(6)}× (${cpuRatio.toFixed(2)}×)   ${judged}`,
    );
  }

  console.log(`\nper app, net of the default config (the growth target reads CPU time; ≤${GROWTH_LIMIT}× of ${smallest.label})`);
  console.log('case              cpu/app  growth   wall/app  growth   RSS/app  growth');
  for (const c of cases.filter((c) => c.apps > 0)) {
    const cpuGrowth = perApp(c, 'cpuMs') / perApp(smallest, 'cpuMs');
    const wallGrowth = perApp(c, 'wallMs') / perApp(smallest, 'wallMs');
    const rssGrowth = perApp(c, 'maxRssKb') / perApp(smallest, 'maxRssKb');
    const judged = c === smallest ? '' : ` cpu ${verdict(cpuGrowth <= GROWTH_LIMIT)}, memory ${verdict(rssGrowth <= GROWTH_LIMIT)}`;
    console.log(
      `${c.label.padEnd(16)} ${perApp(c, 'cpuMs').toFixed(3).padStart(6)}ms  ×${cpuGrowth.toFixed(2)}  ${perApp(c, 'wallMs').toFixed(3).padStart(6)}ms  ×${wallGrowth.toFixed(2)}  ` +
        `${perApp(c, 'maxRssKb').toFixed(1).padStart(6)}KB  ×${rssGrowth.toFixed(2)}${judged}`,
    );
  }
  return ok;
}

/**
 * Where both sides write: a memory filesystem when the machine has one, so the ratio compares the
 * work each process does rather than the disk's write-back mood (which varies several-fold here).
 */
const WORK_ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** Whether V8 takes the code cache of a bundle in a process like the timed ones. */
function cacheAccepted(bundle: string): boolean {
  const child = spawnSync(process.execPath, ['--import', USAGE, RUN_BUNDLE, bundle, '--cache-accepted'], { encoding: 'utf8' });
  return child.stdout.trim() === 'true';
}

async function bench(configPath: string, rounds: number, kind: SyntheticKind): Promise<number> {
  const work = mkdtempSync(join(WORK_ROOT, 'homelab-bench-'));
  console.log(`writing under ${WORK_ROOT}; ${kind} synthetic apps; ${rounds} round${rounds === 1 ? '' : 's'}, each running every case and its floor once`);
  try {
    const generate = ['generate', '--quiet', '--config', configPath, '--out'];
    await buildBundle({ entry: join(SCRIPTS, 'bench-entry.ts'), outfile: SYNTHETIC_BUNDLE, train: [String(TRAINING_APPS), kind, ...generate, join(work, 'train')] });
    await stopEsbuild(); // its service process would idle beside the timed ones
    const caches = [`homelab.cjs ${cacheAccepted(join(PROJECT, 'dist/homelab.cjs')) ? 'taken' : 'REJECTED'}`, `synthetic ${cacheAccepted(SYNTHETIC_BUNDLE) ? 'taken' : 'REJECTED'}`];
    console.log(`code cache: ${caches.join(', ')}`);
    const cases = [
      prepare(work, 'default config', 0, [BIN, ...generate]),
      ...APP_COUNTS.map((count) => prepare(work, `${count.toLocaleString('en')} apps`, count, [RUN_BUNDLE, SYNTHETIC_BUNDLE, String(count), kind, ...generate])),
    ];
    runRounds(work, cases, rounds);
    return report(cases, kind) ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(SYNTHETIC_BUNDLE, { force: true });
    rmSync(codeCacheFile(SYNTHETIC_BUNDLE), { force: true });
  }
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { rounds: { type: 'string', default: '9' }, exposed: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds}: give a whole number of rounds, 1 or more`);
process.exitCode = await bench(positionals[0] ?? join(process.cwd(), 'homelab.yaml'), rounds, values.exposed ? 'exposed' : 'plain');

/**
 * `nx run homelab:bench`: how far `homelab generate` is from the floor — one Node process that
 * only writes the same bytes. Targets: default config ≤ 3× the floor; 1,000 apps ≤ 4× the floor,
 * growing linearly. Whole processes are timed (start-up included), median of several runs.
 * Exits 1 when a target is missed. A benchmark, deliberately not a unit test.
 *
 * Runs as `tsx scripts/bench.ts [CONFIG]`. The default case times bin/homelab.js. The synthetic
 * cases time the same CLI built the same way (a code-cached bundle, trained on its own case) with
 * `count` synthetic apps added to the default modules: the whole generate — config check, render,
 * in-memory check, write — included.
 * The per-app growth compares 250 and 1,000 apps, each net of the default homelab.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stop as stopEsbuild } from 'esbuild';
import { codeCacheFile } from '../src/load-bundle.js';
import { buildBundle } from './build-bundle.js';

const SCRIPTS = dirname(fileURLToPath(import.meta.url));
const PROJECT = join(SCRIPTS, '..');
const BIN = join(PROJECT, 'bin/homelab.js');
const FLOOR = join(SCRIPTS, 'floor.mjs');
const RUN_BUNDLE = join(SCRIPTS, 'run-bundle.mjs');
/** Beside dist/homelab.cjs, so its require()s resolve alike; removed when the bench ends. */
const SYNTHETIC_BUNDLE = join(PROJECT, 'dist/bench-homelab.cjs');
const RUNS = 9;

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

function timeProcess(args: string[]): number {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Wall time of a command writing into a fresh, empty directory. */
function timeRun(work: string, args: string[]): number {
  const out = join(work, 'out');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  return timeProcess([...args, out]);
}

/**
 * Median wall times of the command `args` (given its output directory last) and of its floor: the
 * tree it writes is generated once and its bytes become the floor's input. The two alternate, run
 * by run, so a change in the machine's load weighs on both alike.
 */
function compare(work: string, name: string, args: string[]): { generateMs: number; floorMs: number } {
  const tree = join(work, `tree-${name}`);
  mkdirSync(tree);
  execFileSync(process.execPath, [...args, tree], { stdio: ['ignore', 'ignore', 'inherit'] });
  const blob = join(work, `${name}.json`);
  writeFileSync(blob, JSON.stringify(blobOf(tree)));
  const generate: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    generate.push(timeRun(work, args));
    floor.push(timeRun(work, [FLOOR, blob]));
  }
  return { generateMs: median(generate), floorMs: median(floor) };
}

interface Case {
  label: string;
  generateMs: number;
  floorMs: number;
  target: number;
}

function report(cases: Case[], linearity: number): boolean {
  let ok = true;
  console.log('case                      generate    floor    ratio  target');
  for (const c of cases) {
    const ratio = c.generateMs / c.floorMs;
    const pass = ratio <= c.target;
    ok &&= pass;
    console.log(`${c.label.padEnd(24)} ${c.generateMs.toFixed(0).padStart(7)}ms ${c.floorMs.toFixed(0).padStart(6)}ms ${ratio.toFixed(2).padStart(7)}× ≤${c.target}× ${pass ? 'ok' : 'MISSED'}`);
  }
  const linear = linearity <= 1.5;
  ok &&= linear;
  console.log(`growth 250 → 1,000 apps: per-app cost ×${linearity.toFixed(2)} (linear ≤ 1.5) ${linear ? 'ok' : 'MISSED'}`);
  return ok;
}

/**
 * Where both sides write: a memory filesystem when the machine has one, so the ratio compares the
 * work each process does rather than the disk's write-back mood (which varies several-fold here).
 */
const WORK_ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** Whether V8 takes the code cache of a bundle in a process like the timed ones. */
function cacheAccepted(bundle: string): boolean {
  return execFileSync(process.execPath, [RUN_BUNDLE, bundle, '--cache-accepted'], { encoding: 'utf8' }).trim() === 'true';
}

async function bench(configPath: string): Promise<number> {
  const work = mkdtempSync(join(WORK_ROOT, 'homelab-bench-'));
  console.log(`writing under ${WORK_ROOT}, median of ${RUNS} runs per case`);
  try {
    const generate = ['generate', '--quiet', '--config', configPath, '--out'];
    const caches = [`homelab.cjs ${cacheAccepted(join(PROJECT, 'dist/homelab.cjs')) ? 'taken' : 'REJECTED'}`];
    const cases: Case[] = [{ label: 'default config', ...compare(work, 'default', [BIN, ...generate]), target: 3 }];
    const perApp: Record<number, number> = {};
    for (const count of [250, 1000]) {
      await buildBundle({ entry: join(SCRIPTS, 'bench-entry.ts'), outfile: SYNTHETIC_BUNDLE, train: [String(count), ...generate, join(work, `train-${count}`)] });
      await stopEsbuild(); // its service process would idle beside the timed ones
      caches.push(`${count} apps ${cacheAccepted(SYNTHETIC_BUNDLE) ? 'taken' : 'REJECTED'}`);
      const measured = compare(work, `apps-${count}`, [RUN_BUNDLE, SYNTHETIC_BUNDLE, String(count), ...generate]);
      perApp[count] = (measured.generateMs - cases[0]!.generateMs) / count;
      if (count === 1000) cases.push({ label: '1,000 apps', ...measured, target: 4 });
    }
    console.log(`code cache: ${caches.join(', ')}`);
    return report(cases, perApp[1000]! / perApp[250]!) ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(SYNTHETIC_BUNDLE, { force: true });
    rmSync(codeCacheFile(SYNTHETIC_BUNDLE), { force: true });
  }
}

process.exitCode = await bench(process.argv[2] ?? join(process.cwd(), 'homelab.yaml'));

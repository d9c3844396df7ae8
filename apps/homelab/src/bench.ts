/**
 * `nx run homelab:bench`: how far `homelab generate` is from the floor — one Node process that
 * only writes the same bytes. Targets: default config ≤ 3× the floor; 1,000 apps ≤ 4× the floor,
 * growing linearly. Whole processes are timed (start-up included), median of several runs.
 * Exits 1 when a target is missed. A benchmark, deliberately not a unit test.
 * The per-app growth compares 250 and 1,000 synthetic apps, each net of the default homelab.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const BIN = fileURLToPath(new URL('../bin/homelab.js', import.meta.url));
const RUNS = 7;

interface Blob {
  path: string;
  content: string;
}

/** Floor mode: write the given files, nothing else. */
function floor(blobPath: string, outDir: string): void {
  const files = JSON.parse(readFileSync(blobPath, 'utf8')) as Blob[];
  for (const file of files) {
    const target = join(outDir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

/** Synthetic mode: the generate pipeline with `count` extra apps, each a Deployment, Service and PVC. */
async function synthetic(configPath: string, count: number, outDir: string, blobPath?: string): Promise<void> {
  const [{ loadConfigFile }, { renderHomelab }, { writeTree }, { defaultModules }, { syntheticModules }] = await Promise.all([
    import('@homelab/config'),
    import('./render.js'),
    import('./writer.js'),
    import('./modules.js'),
    import('./bench-synthetic.js'),
  ]);
  const result = renderHomelab(loadConfigFile(configPath), [...defaultModules, ...syntheticModules(count)]);
  if (!result.ok) throw new Error('synthetic homelab failed to render');
  writeTree(outDir, result.files);
  if (blobPath) writeFileSync(blobPath, JSON.stringify(result.files.map(({ path, content }) => ({ path, content }))));
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

/** Median wall time of a command writing into a fresh directory each run. */
function measure(work: string, args: (out: string) => string[]): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = join(work, `out-${i}`);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    times.push(timeProcess(args(out)));
  }
  return median(times);
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

async function bench(configPath: string): Promise<number> {
  const work = mkdtempSync(join(WORK_ROOT, 'homelab-bench-'));
  console.log(`writing under ${WORK_ROOT}, median of ${RUNS} runs per case`);
  try {
    const cases: Case[] = [];
    const defaultBlob = join(work, 'default.json');
    await synthetic(configPath, 0, join(work, 'warm'), defaultBlob);
    cases.push({
      label: 'default config',
      generateMs: measure(work, (out) => [BIN, 'generate', '--quiet', '--config', configPath, '--out', out]),
      floorMs: measure(work, (out) => [SELF, 'floor', defaultBlob, out]),
      target: 3,
    });
    const perApp: Record<number, number> = {};
    for (const count of [250, 1000]) {
      const blob = join(work, `apps-${count}.json`);
      await synthetic(configPath, count, join(work, `warm-${count}`), blob);
      const generateMs = measure(work, (out) => [SELF, 'synthetic', configPath, String(count), out]);
      const floorMs = measure(work, (out) => [SELF, 'floor', blob, out]);
      perApp[count] = (generateMs - cases[0]!.generateMs) / count;
      if (count === 1000) cases.push({ label: '1,000 apps', generateMs, floorMs, target: 4 });
    }
    return report(cases, perApp[1000]! / perApp[250]!) ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'floor') floor(args[0]!, args[1]!);
else if (mode === 'synthetic') await synthetic(args[0]!, Number(args[1]), args[2]!);
else process.exitCode = await bench(mode ?? join(process.cwd(), 'homelab.yaml'));

/**
 * Runs a bootstrap plan step by step: each command is skipped when its probe says it is done, the
 * first failure stops the run with what to do and how to resume (`from`). Processes and files go
 * through `RunEnvironment`, so tests run it against recording fakes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { talosManifestsPatch, type BootstrapCommand, type BootstrapPlan, type BootstrapStep, type Probe } from './steps.js';
import { shellLine } from './text.js';

export interface ExecResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface RunEnvironment {
  /** Repository root: commands run there, relative paths are resolved from there. */
  root: string;
  /** Runs argv; `capture` keeps its output (probes, stdoutTo), otherwise it goes to the terminal. */
  exec(argv: readonly string[], options: { cwd: string; env: Record<string, string>; capture: boolean }): ExecResult;
  out(line: string): void;
  err(line: string): void;
}

export interface RunOptions {
  /** Start at this step, without probing the ones before it. */
  from?: string;
}

export type RunResult = { ok: true; ran: string[]; skipped: string[] } | { ok: false; step: string; ran: string[]; skipped: string[] };

/** Child processes run from `root`, inheriting the environment, with the plan's variables as absolute paths. */
export function processEnvironment(root: string, out: (line: string) => void, err: (line: string) => void, baseEnv: NodeJS.ProcessEnv = process.env): RunEnvironment {
  return {
    root,
    out,
    err,
    exec(argv, options) {
      const result = spawnSync(argv[0]!, argv.slice(1), {
        cwd: options.cwd,
        env: { ...baseEnv, ...options.env },
        encoding: 'utf8',
        stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
        maxBuffer: 256 * 1024 * 1024,
      });
      if (result.error) return { status: 127, stdout: '', stderr: `${argv[0]}: ${result.error.message}` };
      return { status: result.status ?? 1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
    },
  };
}

/** The ids of the plan's steps that run, for `--from` and its error message. */
export function runnableSteps(plan: BootstrapPlan): BootstrapStep[] {
  return plan.steps.filter((step) => !step.manual);
}

function probePasses(probe: Probe, env: RunEnvironment, processEnv: Record<string, string>): boolean {
  if ('files' in probe) {
    return probe.files.every((file) => {
      const path = resolve(env.root, file);
      return existsSync(path) && (probe.contains === undefined || readFileSync(path, 'utf8').includes(probe.contains));
    });
  }
  const result = env.exec(probe.argv, { cwd: env.root, env: processEnv, capture: true });
  return result.status === 0 && (probe.expect === undefined || result.stdout.trim() === probe.expect);
}

function writeOutput(command: BootstrapCommand, stdout: string, root: string): void {
  const target = command.stdoutTo!;
  const path = resolve(root, target.path);
  mkdirSync(dirname(path), { recursive: true });
  const content = target.talosPatch ? dump(talosManifestsPatch(target.talosPatch, stdout), { lineWidth: -1, noRefs: true }) : stdout;
  writeFileSync(path, content, { mode: 0o600 });
}

/** Runs the plan; returns which steps ran and were skipped, or the step that failed. */
export function runPlan(plan: BootstrapPlan, env: RunEnvironment, options: RunOptions = {}): RunResult {
  const steps = runnableSteps(plan);
  let start = 0;
  if (options.from !== undefined) {
    start = steps.findIndex((step) => step.id === options.from);
    if (start < 0) throw new Error(`no bootstrap step '${options.from}'. Steps: ${steps.map((step) => step.id).join(', ')}.`);
  }
  const processEnv = Object.fromEntries(Object.entries(plan.env).map(([name, value]) => [name, resolve(env.root, value)]));
  const ran: string[] = [];
  const skipped: string[] = [];
  for (const [index, step] of steps.entries()) {
    if (index < start) continue;
    const pending = step.commands.filter((command) => !command.probe || !probePasses(command.probe, env, processEnv));
    if (pending.length === 0) {
      env.out(`✔ ${step.id}: already done, skipped`);
      skipped.push(step.id);
      continue;
    }
    env.out(`▶ ${step.id}: ${step.title}`);
    for (const command of pending) {
      env.out(`  $ ${shellLine(command)}`);
      const result = env.exec(command.argv, { cwd: env.root, env: processEnv, capture: command.stdoutTo !== undefined });
      if (result.status !== 0) {
        if (result.stderr.trim()) env.err(result.stderr.trimEnd());
        env.err(`✖ ${step.id} failed: ${command.argv[0]} exited with ${result.status}. ${step.onFailure}`);
        env.err(`  Then resume: homelab bootstrap --run --from ${step.id}`);
        return { ok: false, step: step.id, ran, skipped };
      }
      if (command.stdoutTo) writeOutput(command, result.stdout, env.root);
    }
    ran.push(step.id);
  }
  for (const step of plan.steps.filter((candidate) => candidate.manual)) {
    env.out(`☐ ${step.id}: ${step.title} (by hand)`);
    env.out(`  ${step.why}`);
    for (const command of step.commands) env.out(`  $ ${shellLine(command)}`);
  }
  return { ok: true, ran, skipped };
}

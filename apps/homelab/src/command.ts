/** What every `homelab` command shares: I/O, exit codes, config discovery, problem reporting. */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { formatProblem, readConfigFile, type ConfigProblem, type ResolvedConfig } from '@homelab/config';
import type { ImportModule } from '@homelab/check';
import type { OutputProblem } from '@homelab/core';
import type { HomelabModule } from '@homelab/generator';

export const CONFIG_FILE = 'homelab.yaml';

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

/** The outside world of a command, injectable for tests. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
  now(): number;
  /** Standard input as text (secret values are read from it, never from argv). */
  stdin?(): Promise<string>;
  /** Whether standard input is a terminal (a person can be prompted). @default false */
  stdinIsTTY?: boolean;
  /** Asks a person for one line without echoing it (secret values). Only used when stdinIsTTY. */
  prompt?(question: string): Promise<string>;
  /** Environment variables (EDITOR, SOPS_AGE_KEY_FILE, HOME …). @default {} */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Imports a module like import() does, for code that cannot call import() itself: the CLI's
   * code-cached bundle (bin/homelab.js passes its own). @default import()
   */
  importModule?: ImportModule;
  /** The built-in modules (homelab.yaml's `modules:` are composed after them). @default defaultModules */
  modules?: HomelabModule[];
}

/** A wrong invocation: exit 2 with a pointer to the command's help. */
export class UsageError extends Error {}

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** One `homelab <name>` command, registered in commands/index.ts. */
export interface Command {
  name: string;
  /** One line for `homelab --help`. */
  summary: string;
  /** The full `homelab <name> --help` text. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Highest number of positional arguments accepted. @default 0 */
  maxPositionals?: number;
  run(io: Io, options: OptionValues, positionals: string[]): number | Promise<number>;
}

/** The `--config` option every command that reads homelab.yaml accepts. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const;
export const CONFIG_OPTION_HELP = '  -c, --config FILE  Config file (default: homelab.yaml in this directory or the nearest parent)';

export function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The config file a command works on: --config, or the nearest homelab.yaml. */
export function configPathOf(io: Io, option: string | undefined): string {
  const path = option ? resolve(io.cwd, option) : findConfig(io.cwd);
  if (!path) throw new UsageError(`no ${CONFIG_FILE} found in ${io.cwd} or its parents; pass --config FILE`);
  if (!existsSync(path)) throw new UsageError(`config file not found: ${path}`);
  return path;
}

export function reportProblems(io: Io, source: string, configProblems: ConfigProblem[], outputProblems: OutputProblem[] = []): void {
  if (configProblems.length > 0) {
    io.err(`✖ ${source}: ${configProblems.length} problem${configProblems.length === 1 ? '' : 's'}`);
    for (const problem of configProblems) io.err(`  ${formatProblem(problem)}`);
  }
  if (outputProblems.length > 0) {
    io.err(`✖ rendered output: ${outputProblems.length} invalid object${outputProblems.length === 1 ? '' : 's'} (a bug in a component package or an override)`);
    for (const problem of outputProblems) io.err(`  ${problem.object}: ${problem.problem}`);
  }
  io.err('Nothing was written.');
}

/** Reads and checks the config; reports problems and returns undefined when it is invalid. */
export function loadConfig(io: Io, option: string | undefined): { path: string; display: string; config: ResolvedConfig } | undefined {
  const path = configPathOf(io, option);
  const display = relative(io.cwd, path) || path;
  const parsed = readConfigFile(path);
  if (!parsed.ok) {
    reportProblems(io, display, parsed.problems);
    return undefined;
  }
  return { path, display, config: parsed.config };
}

export function seconds(io: Io, start: number): string {
  return `${((io.now() - start) / 1000).toFixed(2)} s`;
}

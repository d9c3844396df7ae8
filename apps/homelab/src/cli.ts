/** The `homelab` command line: argument parsing, output and exit codes. Exit 0 ok, 1 invalid, 2 usage. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { formatProblem, parseConfigText, type ConfigProblem } from '@homelab/config';
import type { OutputProblem } from '@homelab/core';
import { defaultModules } from './modules.js';
import { renderHomelab } from './render.js';
import { planWrite, readRenderedTree, writeTree, WriteConflictError } from './writer.js';

export const CONFIG_FILE = 'homelab.yaml';

const EXIT_OK = 0;
const EXIT_INVALID = 1;
const EXIT_USAGE = 2;

export interface Io {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
  now(): number;
}

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  now: () => performance.now(),
};

const HELP: Record<string, string> = {
  main: `homelab: generate a GitOps homelab repository from homelab.yaml

Usage: homelab <command> [options]

Commands:
  generate   Render kubernetes/, talos/, terraform/ … from homelab.yaml and write them
  validate   Check homelab.yaml and the rendered output without writing anything
  help       Show help for a command (homelab help generate)

Options:
  -h, --help     Show help
  -v, --version  Show the version

Exit codes: 0 success, 1 invalid config or output (or a stale tree with --check), 2 usage error.`,
  generate: `homelab generate: render the homelab and write it

Usage: homelab generate [--config FILE] [--out DIR] [--check]

Options:
  -c, --config FILE  Config file (default: homelab.yaml in this directory or the nearest parent)
  -o, --out DIR      Output root (default: the directory holding the config file)
      --check        Write nothing; exit 1 and list the files that differ when the tree is stale
      --from DIR     Write the tree an earlier 'generate --out DIR' rendered there, instead of
                     rendering (Nx caches that tree; 'nx run homelab:generate' applies it)
  -q, --quiet        Print only problems
  -h, --help         Show this help

Writes only files it owns (listed in .homelab/manifest.json), prunes its own stale files,
refuses to overwrite files it did not write, and leaves unchanged files untouched. Nothing
is written when the config or the rendered output is invalid.`,
  validate: `homelab validate: check the config and the rendered output, write nothing

Usage: homelab validate [--config FILE]

Options:
  -c, --config FILE  Config file (default: homelab.yaml in this directory or the nearest parent)
  -h, --help         Show this help`,
};

class UsageError extends Error {}

function findConfig(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function reportProblems(io: Io, source: string, configProblems: ConfigProblem[], outputProblems: OutputProblem[] = []): void {
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

interface CommonOptions {
  config?: string;
  out?: string;
  from?: string;
  check?: boolean;
  quiet?: boolean;
}

function render(io: Io, options: CommonOptions) {
  const configPath = options.config ? resolve(io.cwd, options.config) : findConfig(io.cwd);
  if (!configPath) throw new UsageError(`no ${CONFIG_FILE} found in ${io.cwd} or its parents; pass --config FILE`);
  if (!existsSync(configPath)) throw new UsageError(`config file not found: ${configPath}`);
  const display = relative(io.cwd, configPath) || configPath;
  const parsed = parseConfigText(readFileSync(configPath, 'utf8'));
  if (!parsed.ok) {
    reportProblems(io, display, parsed.problems);
    return undefined;
  }
  const rendered = renderHomelab(parsed.config, defaultModules);
  if (!rendered.ok) {
    reportProblems(io, display, rendered.configProblems, rendered.outputProblems);
    return undefined;
  }
  return { configPath, display, files: rendered.files };
}

function seconds(io: Io, start: number): string {
  return `${((io.now() - start) / 1000).toFixed(2)} s`;
}

/** The rendered tree of `--from DIR`, written to --out or beside the config. */
function renderedTree(io: Io, options: CommonOptions) {
  const configPath = options.config ? resolve(io.cwd, options.config) : findConfig(io.cwd);
  if (!options.out && !configPath) throw new UsageError(`no ${CONFIG_FILE} found in ${io.cwd} or its parents; pass --out DIR`);
  return { configPath: configPath ?? join(resolve(io.cwd, options.out!), CONFIG_FILE), files: readRenderedTree(resolve(io.cwd, options.from!)) };
}

function generate(io: Io, options: CommonOptions): number {
  const start = io.now();
  const result = options.from ? renderedTree(io, options) : render(io, options);
  if (!result) return EXIT_INVALID;
  const outDir = resolve(io.cwd, options.out ?? dirname(result.configPath));
  if (options.check) {
    const plan = planWrite(outDir, result.files);
    const stale = plan.entries.filter((entry) => entry.status !== 'unchanged');
    if (stale.length === 0 && plan.conflicts.length === 0) {
      if (!options.quiet) io.out(`✔ ${result.files.length} files up to date (${seconds(io, start)})`);
      return EXIT_OK;
    }
    io.err(`✖ the generated tree in ${outDir} is stale: ${stale.length + plan.conflicts.length} file(s) differ`);
    for (const entry of stale) io.err(`  ${entry.status.padEnd(9)} ${entry.path}`);
    for (const path of plan.conflicts) io.err(`  conflict  ${path} (exists, not written by homelab)`);
    io.err('Run `homelab generate` and commit the result.');
    return EXIT_INVALID;
  }
  try {
    const written = writeTree(outDir, result.files);
    if (!options.quiet) {
      for (const entry of written.entries) if (entry.status !== 'unchanged') io.out(`  ${entry.status.padEnd(9)} ${entry.path}`);
      io.out(
        `✔ ${result.files.length} files: ${written.written} written, ${written.unchanged} unchanged, ${written.pruned} pruned (${seconds(io, start)}) → ${outDir}`,
      );
    }
    return EXIT_OK;
  } catch (error) {
    if (error instanceof WriteConflictError) {
      io.err(`✖ ${error.message}`);
      io.err('Nothing was written.');
      return EXIT_INVALID;
    }
    throw error;
  }
}

function validate(io: Io, options: CommonOptions): number {
  const start = io.now();
  const result = render(io, options);
  if (!result) return EXIT_INVALID;
  io.out(`✔ ${result.display} is valid: ${result.files.length} files would be generated (${seconds(io, start)})`);
  return EXIT_OK;
}

const COMMANDS: Record<string, { options: NonNullable<ParseArgsConfig['options']>; run: (io: Io, options: CommonOptions) => number }> = {
  generate: {
    options: {
      config: { type: 'string', short: 'c' },
      out: { type: 'string', short: 'o' },
      from: { type: 'string' },
      check: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
    run: generate,
  },
  validate: {
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
    run: validate,
  },
};

/** Runs the CLI and returns the exit code; `io` is injectable for tests. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      io.out(HELP['main']!);
      return command === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (command === '--version' || command === '-v') {
      io.out(version());
      return EXIT_OK;
    }
    if (command === 'help') {
      const topic = rest[0] ?? 'main';
      if (!(topic in HELP)) throw new UsageError(`unknown command '${topic}'`);
      io.out(HELP[topic]!);
      return EXIT_OK;
    }
    const spec = COMMANDS[command];
    if (!spec) throw new UsageError(`unknown command '${command}'`);
    const { values, positionals } = parseArgs({ args: rest, options: spec.options, allowPositionals: true, strict: true });
    if (values['help']) {
      io.out(HELP[command]!);
      return EXIT_OK;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    return spec.run(io, values as CommonOptions);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`homelab: ${(error as Error).message}`);
      io.err(`Run 'homelab ${command && command in HELP ? `${command} ` : ''}--help' for usage.`);
      return EXIT_USAGE;
    }
    io.err(`homelab: ${(error as Error).message}`);
    return EXIT_INVALID;
  }
}

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkFiles, countBySeverity, formatFinding, type Models, type RenderOptions } from '@homelab/check';
import { readConfigFile, type ResolvedConfig } from '@homelab/config';
import type { GeneratedFile } from '@homelab/core';
import { checkSopsTree, describeDisagreement, disagreements, loadIdentities, readSecretFiles, secretsTree } from '@homelab/secrets';
import { CHECK_MODELS } from '../check-models.js';
import { RENDER_OPTIONS, RENDER_OPTIONS_HELP, renderWith } from '../helm.js';
import { assertOutputRoot, composeHomelab, OutputError, planWrite, readRenderedTree, renderHomelab, writeTree, WriteConflictError, type HomelabModule } from '@homelab/generator';
import { defaultArtifacts } from '../modules.js';
import { loadHomelab } from '../user-modules.js';
import {
  CONFIG_FILE,
  CONFIG_OPTION,
  CONFIG_OPTION_HELP,
  EXIT_INVALID,
  EXIT_OK,
  findConfig,
  reportProblems,
  seconds,
  UsageError,
  type Command,
  type Io,
  type OptionValues,
} from '../command.js';

interface GenerateOptions {
  config?: string;
  out?: string;
  from?: string;
  check?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  render?: boolean;
}

/** Renders the homelab of the config, reporting problems; undefined when anything is invalid. */
export async function renderFromConfig(io: Io, configOption: string | undefined) {
  const loaded = await loadHomelab(io, configOption);
  if (!loaded) return undefined;
  const rendered = renderHomelab(loaded.config, loaded.modules, { artifacts: defaultArtifacts });
  if (!rendered.ok) {
    reportProblems(io, loaded.display, rendered.configProblems, rendered.outputProblems);
    return undefined;
  }
  return {
    configPath: loaded.path,
    display: loaded.display,
    files: rendered.files,
    warnings: rendered.warnings,
    recipients: loaded.config.secrets.ageRecipients,
    models: rendered.models,
    config: loaded.config,
    modules: loaded.modules,
  };
}

/**
 * With SOPS_AGE_KEY or SOPS_AGE_KEY_FILE set: decrypts the SOPS files and checks that every copy of
 * a shared value agrees (an OIDC client secret typed differently on two sides fails sign-in in the
 * cluster, with no hint). Reports and returns false when two differ or a file cannot be read.
 */
export async function checkSecretsAgree(io: Io, root: string, config: ResolvedConfig, modules: HomelabModule[]): Promise<boolean> {
  const env = io.env ?? {};
  if (!env['SOPS_AGE_KEY'] && !env['SOPS_AGE_KEY_FILE']) return true;
  const composed = composeHomelab(config, modules);
  if (!composed.ok) return true;
  const tree = secretsTree(composed.components, { repoURL: config.gitops.repoURL, revision: config.gitops.revision }, root, config.secrets.ageRecipients);
  let problems: string[];
  try {
    const files = await readSecretFiles(tree, () => loadIdentities({ env, cwd: io.cwd }).identities);
    problems = disagreements(tree, files).map(describeDisagreement);
  } catch (error) {
    problems = [(error as Error).message];
  }
  if (problems.length === 0) return true;
  io.err(`✖ SOPS files: ${problems.length} problem${problems.length === 1 ? '' : 's'} (decrypted with ${env['SOPS_AGE_KEY'] ? 'SOPS_AGE_KEY' : 'SOPS_AGE_KEY_FILE'})`);
  for (const problem of problems) io.err(`  ${problem}`);
  return false;
}

/** Prints the warnings of a render (not fatal). */
export function reportWarnings(io: Io, warnings: readonly { object: string; problem: string }[]): void {
  for (const warning of warnings) io.err(`⚠ ${warning.object}: ${warning.problem}`);
}

/**
 * The SOPS files already in the tree at `root` (hand-managed, never generated): each must be
 * encrypted for exactly the configured recipients. Reports and returns false when one is not.
 */
export function checkSecretsOnDisk(io: Io, root: string, recipients: readonly string[] | undefined, files: readonly GeneratedFile[], quiet = false): boolean {
  if (recipients === undefined) return true;
  const check = checkSopsTree(root, recipients, files);
  if (!quiet) for (const warning of check.warnings) io.err(`⚠ ${warning}`);
  if (check.problems.length === 0) return true;
  io.err(`✖ SOPS files: ${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}`);
  for (const problem of check.problems) io.err(`  ${problem}`);
  return false;
}

/**
 * Runs `homelab check` on the rendered files, in memory, before anything is written (hand-written
 * files, such as SOPS secrets, are not part of them: `.homelab-check.yaml` vouches for what they
 * provide). Errors are reported and make it return false; warnings are printed unless `quiet`,
 * information only when `verbose`.
 */
export async function checkRendered(
  io: Io,
  files: readonly GeneratedFile[],
  options: { quiet?: boolean; verbose?: boolean; models?: Models; render?: RenderOptions } = {},
): Promise<boolean> {
  const models = { ...CHECK_MODELS, ...options.models };
  const documents = new Map(files.flatMap((file) => (file.documents ? [[file.path, file.documents] as const] : [])));
  // renderHomelab validated the objects these documents were built from.
  const validated = new Set(files.flatMap((file) => (file.objects ? (file.documents ?? []) : [])));
  const report = await checkFiles(new Map(files.map((file) => [file.path, file.content])), {
    label: 'rendered tree',
    models,
    documents,
    validated,
    ...(io.importModule ? { importModule: io.importModule } : {}),
    ...(options.render ? { render: options.render } : {}),
  });
  const counts = countBySeverity(report);
  const findings = (severity: string) => report.findings.filter((finding) => finding.severity === severity);
  if (!options.quiet) for (const finding of findings('warning')) io.err(`⚠ ${formatFinding(finding)}`);
  if (options.verbose) for (const finding of findings('info')) io.out(`  ${formatFinding(finding)}`);
  if (counts.error === 0) return true;
  io.err(`✖ rendered tree: ${counts.error} error${counts.error === 1 ? '' : 's'} found by homelab check (a bug in a component package or an override)`);
  for (const finding of findings('error')) io.err(`  ${formatFinding(finding)}`);
  return false;
}

/** The recipients of the config at `path`, read silently (undefined when it is absent or invalid: the render reported it). */
function configuredRecipients(path: string | undefined): readonly string[] | undefined {
  if (!path || !existsSync(path)) return undefined;
  const parsed = readConfigFile(path);
  return parsed.ok ? parsed.config.secrets.ageRecipients : undefined;
}

/** The rendered tree of `--from DIR`, written to --out or beside the config. */
function renderedTree(io: Io, options: GenerateOptions) {
  const configPath = options.config ? resolve(io.cwd, options.config) : findConfig(io.cwd);
  if (!options.out && !configPath) throw new UsageError(`no ${CONFIG_FILE} found in ${io.cwd} or its parents; pass --out DIR`);
  return {
    configPath: configPath ?? join(resolve(io.cwd, options.out!), CONFIG_FILE),
    files: readRenderedTree(resolve(io.cwd, options.from!)),
    warnings: [],
    recipients: configuredRecipients(configPath),
  };
}

async function generate(io: Io, options: GenerateOptions): Promise<number> {
  const start = io.now();
  const result = options.from ? renderedTree(io, options) : await renderFromConfig(io, options.config);
  if (!result) return EXIT_INVALID;
  const outDir = resolve(io.cwd, options.out ?? dirname(result.configPath));
  if (!options.quiet) reportWarnings(io, result.warnings);
  const models = 'models' in result ? result.models : undefined;
  const render = options.render ? renderWith(io, options as OptionValues) : undefined;
  if (!(await checkRendered(io, result.files, { quiet: options.quiet, verbose: options.verbose, ...(models ? { models } : {}), ...(render ? { render } : {}) }))) {
    io.err(options.check ? 'Fix the rendering, then check again.' : 'Nothing was written.');
    return EXIT_INVALID;
  }
  try {
    // Before the SOPS files are looked for in it: a file there is a sentence, not an ENOTDIR.
    assertOutputRoot(outDir);
    if (!checkSecretsOnDisk(io, outDir, result.recipients, result.files, options.quiet) || ('config' in result && !(await checkSecretsAgree(io, outDir, result.config, result.modules)))) {
      io.err(options.check ? 'Fix the SOPS files, then check again.' : 'Nothing was written.');
      return EXIT_INVALID;
    }
    return options.check ? checkOnDisk(io, outDir, result.files, start, options.quiet) : writeOut(io, outDir, result.files, start, options.quiet);
  } catch (error) {
    if (error instanceof WriteConflictError || error instanceof OutputError) {
      io.err(`✖ ${error.message}`);
      io.err(options.check ? 'The tree was not checked.' : 'Nothing was written.');
      return EXIT_INVALID;
    }
    throw error;
  }
}

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** --check: exit 1 listing the files that differ when the tree on disk is stale. */
function checkOnDisk(io: Io, outDir: string, files: GeneratedFile[], start: number, quiet?: boolean): number {
  const plan = planWrite(outDir, files);
  if (!quiet && plan.leftovers.length > 0) {
    io.err(`⚠ ${plural(plan.leftovers.length, 'staged file')} left by an interrupted run (the next generate removes them): ${plan.leftovers.join(', ')}`);
  }
  const stale = plan.entries.filter((entry) => entry.status !== 'unchanged');
  if (stale.length === 0 && plan.conflicts.length === 0) {
    if (!quiet) io.out(`✔ ${files.length} files up to date (${seconds(io, start)})`);
    return EXIT_OK;
  }
  io.err(`✖ the generated tree in ${outDir} is stale: ${stale.length + plan.conflicts.length} file(s) differ`);
  for (const entry of stale) io.err(`  ${entry.status.padEnd(9)} ${entry.path}`);
  for (const path of plan.conflicts) io.err(`  conflict  ${path} (exists, not written by homelab)`);
  io.err('Run `homelab generate` and commit the result.');
  return EXIT_INVALID;
}

function writeOut(io: Io, outDir: string, files: GeneratedFile[], start: number, quiet?: boolean): number {
  const written = writeTree(outDir, files);
  if (!quiet) {
    for (const entry of written.entries) if (entry.status !== 'unchanged') io.out(`  ${entry.status.padEnd(9)} ${entry.path}`);
    if (written.leftovers.length > 0) io.out(`  removed ${plural(written.leftovers.length, 'staged file')} left by an interrupted run`);
    io.out(`✔ ${files.length} files: ${written.written} written, ${written.unchanged} unchanged, ${written.pruned} pruned (${seconds(io, start)}) → ${outDir}`);
  }
  return EXIT_OK;
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Render kubernetes/, talos/, terraform/ … from homelab.yaml and write them',
  help: `homelab generate: render the homelab and write it

Usage: homelab generate [--config FILE] [--out DIR] [--check] [--quiet | --verbose] [--render ...]

Options:
${CONFIG_OPTION_HELP}
  -o, --out DIR      Output root (default: the directory holding the config file)
      --check        Write nothing; exit 1 and list the files that differ when the tree is stale
      --from DIR     Write the tree an earlier 'generate --out DIR' rendered there, instead of
                     rendering (Nx caches that tree; 'nx run homelab:generate' applies it)
  -q, --quiet        Print only problems
  -v, --verbose      Also print what homelab check could not decide (info findings)
      --render       Check with every chart rendered by the real helm ('homelab check --render');
                     without helm, one line says it was skipped
${RENDER_OPTIONS_HELP}
  -h, --help         Show this help

Writes only files it owns (listed in .homelab/manifest.json), prunes its own stale files,
refuses to overwrite files it did not write, and leaves unchanged files untouched. The
rendered tree is checked first, as 'homelab check' would check it once written (its
warnings are printed). Nothing is written when the config or the rendered output is
invalid, when that check finds an error, or when a SOPS file under
kubernetes/ is not encrypted for exactly secrets.ageRecipients (run 'homelab secrets rotate').
SOPS files are hand-managed ('homelab secrets'): generate never writes or prunes them.`,
  options: {
    ...CONFIG_OPTION,
    out: { type: 'string', short: 'o' },
    from: { type: 'string' },
    check: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    verbose: { type: 'boolean', short: 'v' },
    render: { type: 'boolean' },
    ...RENDER_OPTIONS,
  },
  run: (io, options) => generate(io, options as GenerateOptions),
};

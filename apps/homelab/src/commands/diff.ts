import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { GeneratedFile } from '@homelab/core';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, EXIT_INVALID, EXIT_OK, seconds, UsageError, type Command, type Io } from '../command.js';
import { diffTrees, formatObjectId, type TreeDiff } from '../tree-diff.js';
import { planWrite } from '@homelab/generator';
import { renderFromConfig } from './generate.js';

interface DiffOptions {
  config?: string;
  out?: string;
  format?: string;
  'exit-code'?: boolean;
}

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

/**
 * The two trees to compare: what is on disk (files homelab owns there, or would write) and what
 * it would render. Reads only. `conflicts` are files generate would refuse to overwrite.
 */
export function treesToCompare(outDir: string, files: GeneratedFile[]) {
  const plan = planWrite(outDir, files);
  const rendered = new Map(files.map((file) => [file.path, file.content]));
  const onDisk = new Map<string, string>();
  for (const entry of plan.entries) {
    if (entry.status === 'unchanged') onDisk.set(entry.path, rendered.get(entry.path)!);
    else if (entry.status !== 'added') onDisk.set(entry.path, readFileSync(join(outDir, entry.path), 'utf8'));
  }
  for (const path of plan.conflicts) onDisk.set(path, readFileSync(join(outDir, path), 'utf8'));
  return { before: onDisk, after: rendered, conflicts: plan.conflicts };
}

function count(items: { status: string }[], statuses: readonly string[]): string {
  return statuses
    .map((status) => [status, items.filter((item) => item.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

/** The human-readable report: summary, file list, object list, then the diffs. */
export function formatDiffText(diff: TreeDiff, conflicts: string[]): string[] {
  const lines: string[] = [];
  const files = count(diff.files, ['changed', 'added', 'removed', 'renamed']);
  const objects = count(diff.objects, ['changed', 'added', 'removed', 'moved']);
  lines.push(`${diff.files.length} file${diff.files.length === 1 ? '' : 's'} (${files})` + (diff.objects.length > 0 ? `; ${diff.objects.length} object${diff.objects.length === 1 ? '' : 's'} (${objects})` : ''));
  lines.push('', 'Files:');
  for (const file of diff.files) {
    const where = file.previousPath ? `${file.previousPath} → ${file.path}` : file.path;
    const conflict = conflicts.includes(file.path) ? '  (not written by homelab: generate refuses to overwrite it)' : '';
    lines.push(`  ${file.status.padEnd(9)} ${where}${conflict}`);
  }
  if (diff.objects.length > 0) {
    lines.push('', 'Objects:');
    for (const object of diff.objects) {
      const where = object.previousPath ? `${object.previousPath} → ${object.path}${object.diff ? ' (and changed)' : ''}` : object.path;
      lines.push(`  ${object.status.padEnd(9)} ${formatObjectId(object.id)}  ${where}`);
    }
  }
  for (const object of diff.objects) {
    if (object.diff) lines.push('', `${object.status} ${formatObjectId(object.id)}`, object.diff.replace(/\n$/, ''));
  }
  for (const file of diff.files) {
    if (file.diff) lines.push('', `${file.status} file ${file.path}`, file.diff.replace(/\n$/, ''));
  }
  return lines;
}

async function diffCommandRun(io: Io, options: DiffOptions): Promise<number> {
  const start = io.now();
  const format = (options.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown --format '${options.format}' (use ${FORMATS.join(' or ')})`);
  const result = await renderFromConfig(io, options.config);
  if (!result) return EXIT_INVALID;
  const outDir = resolve(io.cwd, options.out ?? dirname(result.configPath));
  const { before, after, conflicts } = treesToCompare(outDir, result.files);
  const diff = diffTrees(before, after);
  const changed = diff.files.length > 0;
  if (format === 'json') {
    io.out(JSON.stringify({ changed, config: result.configPath, out: outDir, files: diff.files, objects: diff.objects, conflicts }, null, 2));
  } else if (!changed) {
    io.out(`✔ no changes: ${relative(io.cwd, outDir) || '.'} matches ${result.display} (${result.files.length} files, ${seconds(io, start)})`);
  } else {
    io.out(`Changes rendering ${result.display} would make in ${relative(io.cwd, outDir) || '.'}:`);
    for (const line of formatDiffText(diff, conflicts)) io.out(line);
  }
  return changed && options['exit-code'] ? EXIT_INVALID : EXIT_OK;
}

export const diffCommand: Command = {
  name: 'diff',
  summary: 'Show what generate would change: files and Kubernetes objects, with unified diffs',
  help: `homelab diff: what generate would change in the tree on disk, for review before a push

Usage: homelab diff [--config FILE] [--out DIR] [--format text|json] [--exit-code]

Options:
${CONFIG_OPTION_HELP}
  -o, --out DIR      Tree to compare with (default: the directory holding the config file)
  -f, --format FMT   text (default) or json
      --exit-code    Exit 1 when there are changes (like git diff --exit-code)
  -h, --help         Show this help

Renders homelab.yaml in memory and compares it with the files homelab owns in the tree
(.homelab/manifest.json) and any file it would write. Writes nothing. Lists added, removed,
changed and renamed files, and the Kubernetes objects (by apiVersion, kind, namespace and
name, wherever their file is) that would be added, removed, changed or moved; then a unified
diff per changed object (line numbers are those of its file) and per changed file whose
differences lie outside objects (Helm values, Terraform JSON, Markdown …).

Exit codes: 0 whether or not there are changes; with --exit-code, 1 when there are. 1 also
means an invalid config or output (reported on stderr), 2 a usage error.`,
  options: {
    ...CONFIG_OPTION,
    out: { type: 'string', short: 'o' },
    format: { type: 'string', short: 'f' },
    'exit-code': { type: 'boolean' },
  },
  run: (io, options) => diffCommandRun(io, options as DiffOptions),
};

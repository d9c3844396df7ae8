import { readFileSync } from 'node:fs';
import { loadAll } from 'js-yaml';
import { ConfigError, type ConfigProblem } from './errors.js';
import { checkShape } from './shape.js';
import { checkSemantics } from './semantic.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';
import type { HomelabConfigInput } from './schema.js';

export type ConfigResult = { ok: true; config: ResolvedConfig } | { ok: false; problems: ConfigProblem[] };

/** Shape check, then semantic check, then resolution. Never throws for bad input. */
export function validateConfig(data: unknown): ConfigResult {
  const input = structuredClone(data);
  const shapeProblems = checkShape(input);
  if (shapeProblems.length > 0) return { ok: false, problems: shapeProblems };
  const semanticProblems = checkSemantics(input as HomelabConfigInput);
  if (semanticProblems.length > 0) return { ok: false, problems: semanticProblems };
  return { ok: true, config: resolveConfig(input as HomelabConfigInput) };
}

/** Parses homelab.yaml text; YAML syntax errors become a problem at the document root. */
export function parseConfigText(text: string): ConfigResult {
  let documents: unknown[];
  try {
    // loadAll, not load: js-yaml's load throws on an empty (or comments-only) file.
    documents = loadAll(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return { ok: false, problems: [{ path: '(root)', problem: `is not valid YAML: ${message}`, fix: 'Fix the YAML syntax at the position shown.' }] };
  }
  if (documents.length > 1) {
    return {
      ok: false,
      problems: [{ path: '(root)', problem: 'must be a single YAML document', got: `${documents.length} documents`, fix: "Remove the extra '---' separators." }],
    };
  }
  const data = documents[0];
  if (data === null || data === undefined) {
    return { ok: false, problems: [{ path: '(root)', problem: 'is empty', fix: 'Start from the default homelab.yaml in the repository.' }] };
  }
  return validateConfig(data);
}

/** Reads and validates a config file; throws ConfigError listing every problem. */
export function loadConfigFile(path: string): ResolvedConfig {
  const result = parseConfigText(readFileSync(path, 'utf8'));
  if (!result.ok) throw new ConfigError(path, result.problems);
  return result.config;
}

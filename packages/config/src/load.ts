import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors.js';
import { checkShape } from './shape.js';
import { checkSemantics } from './semantic.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';
import type { HomelabConfigInput } from './schema.js';
import { CONFIG_YAML_LIMITS, decodeUtf8, parseYamlBounded, sizeProblem } from './yaml.js';

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

/** Parses homelab.yaml text within CONFIG_YAML_LIMITS; YAML problems become a problem at the document root. */
export function parseConfigText(text: string): ConfigResult {
  const parsed = parseYamlBounded(text, CONFIG_YAML_LIMITS);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const { documents } = parsed;
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

/** Why a config file cannot be read, as a problem at the document root (never a raw EISDIR/EACCES). */
function unreadable(path: string, error: unknown): ConfigProblem {
  const code = (error as NodeJS.ErrnoException).code;
  const name = basename(path);
  if (code === 'ENOENT' || code === 'ENOTDIR') return { path: '(root)', problem: 'does not exist', fix: `Create ${name}, or pass --config with the path of an existing file.` };
  if (code === 'EACCES' || code === 'EPERM') return { path: '(root)', problem: 'cannot be read (permission denied)', fix: `Make ${name} readable by you (chmod u+r ${name}).` };
  return { path: '(root)', problem: `cannot be read (${code ?? (error as Error).message})`, fix: `Check that ${name} is a readable file.` };
}

/**
 * Reads and checks a config file: a regular file within CONFIG_YAML_LIMITS.maxBytes, in UTF-8.
 * Every failure, reading included, is a problem in the one format; it never throws.
 */
export function readConfigFile(path: string): ConfigResult {
  const name = basename(path);
  let bytes: Buffer;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      return { ok: false, problems: [{ path: '(root)', problem: 'is a directory, not a file', fix: `Pass --config with the path of the config file inside it (${join(path, 'homelab.yaml')}).` }] };
    }
    if (!stat.isFile()) return { ok: false, problems: [{ path: '(root)', problem: 'is not a regular file', fix: `Pass --config with the path of a homelab.yaml file.` }] };
    // Checked before reading: the whole file is read into memory.
    const tooLarge = sizeProblem(stat.size, CONFIG_YAML_LIMITS);
    if (tooLarge) return { ok: false, problems: [tooLarge] };
    bytes = readFileSync(path);
  } catch (error) {
    return { ok: false, problems: [unreadable(path, error)] };
  }
  const decoded = decodeUtf8(bytes, name);
  if (!decoded.ok) return { ok: false, problems: [decoded.problem] };
  return parseConfigText(decoded.text);
}

/** Reads and validates a config file; throws ConfigError listing every problem. */
export function loadConfigFile(path: string): ResolvedConfig {
  const result = readConfigFile(path);
  if (!result.ok) throw new ConfigError(path, result.problems);
  return result.config;
}

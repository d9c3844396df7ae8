/**
 * Where the SOPS files of declared secrets live and what can be read from them without a key.
 *
 * A declared secret is one hand-managed file, `kubernetes/<group>/<component>/manifests/<name>.sops.yaml`:
 * an encrypted Kubernetes Secret in the directory the component's Application already reads, where
 * ArgoCD's SOPS plugin decrypts it. `homelab secrets` writes these files; `homelab generate` never
 * does (they are not in its manifest, so it neither overwrites nor prunes them).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { argocdDefaults } from '@homelab/argocd';
import { componentApplication, componentPaths, type Component, type GitOpsTarget, type SecretDeclaration } from '@homelab/core';
import { isEncrypted, recipientsOf } from '@homelab/sops';

/** Root of the ArgoCD tree (core's `componentPaths` puts every component under it). */
export const KUBERNETES_DIR = 'kubernetes';

/** `*.sops.yaml` → `.sops.yaml`: the suffix ArgoCD's SOPS plugin decrypts, taken from its file pattern. */
function suffixOf(pattern: string): string {
  const suffix = pattern.replace(/^\*/, '');
  if (suffix === pattern || /[*?[\]]/.test(suffix)) {
    throw new Error(`secrets: the SOPS plugin's file pattern is not of the form '*<suffix>' (sops.filePattern: '${pattern}'). homelab secrets can only name files for such a pattern.`);
  }
  return suffix;
}

/** Suffix of every SOPS file: the ArgoCD plugin's pattern, so the plugin decrypts exactly what we write. */
export const SOPS_FILE_SUFFIX = suffixOf(argocdDefaults.sops.filePattern);

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The sops `path_regex` of the files `homelab secrets` writes (relative to the output root). */
export const SOPS_PATH_REGEX = `${KUBERNETES_DIR}/.*${escapeRegex(SOPS_FILE_SUFFIX)}$`;

/** A secret some component declares, with the file that holds it. */
export interface DeclaredSecret {
  /** `<namespace>/<name>`, how the command line names it. */
  id: string;
  declaration: SecretDeclaration;
  component: Component;
  /** Relative to the output root. */
  path: string;
  /** The key that decrypts every SOPS file: created by hand at bootstrap, never stored in git. */
  bootstrap: boolean;
  /** Whether the component's Application reads the directory the file is in. */
  deployed: boolean;
}

export const secretId = (secret: Pick<SecretDeclaration, 'name' | 'namespace'>): string => `${secret.namespace}/${secret.name}`;

/** `kubernetes/<group>/<component>/manifests/<name>.sops.yaml`, namespace-qualified when it is not the component's (as objects are). */
export function secretFilePath(component: Pick<Component, 'group' | 'name' | 'namespace'>, secret: Pick<SecretDeclaration, 'name' | 'namespace'>): string {
  const qualifier = secret.namespace === component.namespace ? '' : `${secret.namespace}-`;
  return `${componentPaths(component).manifests}/${qualifier}${secret.name}${SOPS_FILE_SUFFIX}`;
}

/**
 * The age key Secret ArgoCD's SOPS plugin mounts. It cannot be a SOPS file itself (it is what
 * decrypts them), so it is created by hand at bootstrap and `homelab secrets` only lists it.
 */
export function isBootstrapSecret(secret: Pick<SecretDeclaration, 'name' | 'namespace'>): boolean {
  return secret.namespace === argocdDefaults.namespace && secret.name === argocdDefaults.sops.secretName;
}

/** Whether the component's Application has a directory source on its manifests directory. */
function readsManifests(component: Component, target: GitOpsTarget): boolean {
  const manifests = componentPaths(component).manifests;
  try {
    const sources = (componentApplication(component, target).toJSON() as { spec: { sources?: { path?: string }[] } }).spec.sources ?? [];
    return sources.some((source) => source.path === manifests);
  } catch {
    return false;
  }
}

/** Every declared secret, sorted by `<namespace>/<name>`; a secret declared twice is listed once (its first declaration). */
export function declaredSecrets(components: readonly Component[], target: GitOpsTarget): DeclaredSecret[] {
  const byId = new Map<string, DeclaredSecret>();
  for (const component of components) {
    const deployed = readsManifests(component, target);
    for (const declaration of component.secrets ?? []) {
      const id = secretId(declaration);
      if (byId.has(id)) continue;
      byId.set(id, { id, declaration, component, path: secretFilePath(component, declaration), bootstrap: isBootstrapSecret(declaration), deployed });
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A Kubernetes Secret holding `values` under `stringData`, in the declaration's key order. */
export function secretManifest(declaration: Pick<SecretDeclaration, 'name' | 'namespace' | 'keys' | 'labels'>, values: ReadonlyMap<string, string>): Record<string, unknown> {
  const stringData: Record<string, string> = {};
  for (const key of declaration.keys) {
    const value = values.get(key);
    if (value !== undefined) stringData[key] = value;
  }
  const metadata = { name: declaration.name, namespace: declaration.namespace, ...(declaration.labels ? { labels: { ...declaration.labels } } : {}) };
  return { apiVersion: 'v1', kind: 'Secret', metadata, stringData };
}

/** A file's own metadata (annotations, extra labels) kept, with the declared labels enforced on top. */
export function mergedSecretMetadata(existing: unknown, declaration: Pick<SecretDeclaration, 'name' | 'namespace' | 'labels'>): Record<string, unknown> {
  const current = isMapping(existing) ? existing : {};
  const labels = { ...(isMapping(current['labels']) ? current['labels'] : {}), ...declaration.labels };
  return { ...current, name: declaration.name, namespace: declaration.namespace, ...(Object.keys(labels).length > 0 ? { labels } : {}) };
}

/** What a SOPS Secret file shows without decryption: sops encrypts values only, never keys or metadata. */
export interface SecretFileInfo {
  encrypted: boolean;
  kind?: unknown;
  name?: unknown;
  namespace?: unknown;
  /** Keys under `data` and `stringData`, in file order. */
  keys: string[];
  /** age recipients (empty when not encrypted). */
  recipients: string[];
}

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Reads a Secret file's plaintext structure. Throws (without quoting the file) when it is not a YAML mapping. */
export function inspectSecretFile(text: string): SecretFileInfo {
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    const mark = (error as { mark?: { line?: number; column?: number } }).mark;
    throw new Error(`not valid YAML${mark?.line !== undefined ? ` (line ${mark.line + 1}, column ${(mark.column ?? 0) + 1})` : ''}`);
  }
  if (!isMapping(document)) throw new Error('not a YAML mapping (a Kubernetes Secret)');
  const metadata = isMapping(document['metadata']) ? document['metadata'] : {};
  const keys = ['data', 'stringData'].flatMap((field) => (isMapping(document[field]) ? Object.keys(document[field]) : []));
  const encrypted = isEncrypted(text);
  return { encrypted, kind: document['kind'], name: metadata['name'], namespace: metadata['namespace'], keys, recipients: encrypted ? recipientsOf(text) : [] };
}

/** Recipients the file lacks and recipients it has that the config does not name (order does not matter to sops). */
export function recipientDifference(file: readonly string[], configured: readonly string[]): { missing: string[]; extra: string[] } {
  return { missing: configured.filter((recipient) => !file.includes(recipient)), extra: file.filter((recipient) => !configured.includes(recipient)) };
}

/** One reason a secret is not in order. */
export type SecretFinding =
  | { code: 'missing' }
  | { code: 'unreadable'; detail: string }
  | { code: 'not-encrypted' }
  | { code: 'keys'; missing: string[]; undeclared: string[] }
  | { code: 'recipients'; missing: string[]; extra: string[] }
  | { code: 'metadata'; detail: string }
  | { code: 'not-deployed' };

/** What is wrong with a declared secret's file (`text` undefined: no file); empty when it is in order. */
export function secretFindings(secret: DeclaredSecret, text: string | undefined, recipients: readonly string[]): SecretFinding[] {
  if (text === undefined) return secret.deployed ? [{ code: 'missing' }] : [{ code: 'missing' }, { code: 'not-deployed' }];
  let info: SecretFileInfo;
  try {
    info = inspectSecretFile(text);
  } catch (error) {
    return [{ code: 'unreadable', detail: (error as Error).message }];
  }
  const findings: SecretFinding[] = [];
  if (!info.encrypted) findings.push({ code: 'not-encrypted' });
  const { declaration } = secret;
  const wrong = [
    info.kind !== 'Secret' ? `kind '${String(info.kind)}'` : '',
    info.name !== declaration.name ? `metadata.name '${String(info.name)}'` : '',
    info.namespace !== declaration.namespace ? `metadata.namespace '${String(info.namespace)}'` : '',
  ].filter(Boolean);
  if (wrong.length > 0) findings.push({ code: 'metadata', detail: wrong.join(', ') });
  const missing = declaration.keys.filter((key) => !info.keys.includes(key));
  const undeclared = info.keys.filter((key) => !declaration.keys.includes(key));
  if (missing.length > 0 || undeclared.length > 0) findings.push({ code: 'keys', missing, undeclared });
  if (info.encrypted) {
    const difference = recipientDifference(info.recipients, recipients);
    if (difference.missing.length > 0 || difference.extra.length > 0) findings.push({ code: 'recipients', ...difference });
  }
  if (!secret.deployed) findings.push({ code: 'not-deployed' });
  return findings;
}

/** One line per finding, for tables and messages. */
export function describeFinding(finding: SecretFinding): string {
  switch (finding.code) {
    case 'missing':
      return 'missing';
    case 'unreadable':
      return `unreadable: ${finding.detail}`;
    case 'not-encrypted':
      return 'NOT ENCRYPTED';
    case 'metadata':
      return `wrong ${finding.detail}`;
    case 'keys':
      return `keys out of date (${[finding.missing.length > 0 ? `missing ${finding.missing.join(', ')}` : '', finding.undeclared.length > 0 ? `not declared ${finding.undeclared.join(', ')}` : ''].filter(Boolean).join('; ')})`;
    case 'recipients':
      return `recipients out of date (${[finding.missing.length > 0 ? `missing ${finding.missing.map(shortKey).join(', ')}` : '', finding.extra.length > 0 ? `not configured ${finding.extra.map(shortKey).join(', ')}` : ''].filter(Boolean).join('; ')})`;
    case 'not-deployed':
      return 'not deployed (its Application does not read that directory)';
  }
}

/** `age1abcdefgh…wxyz`: enough of a public key to recognise it in a table. */
export const shortKey = (recipient: string): string => (recipient.length > 20 ? `${recipient.slice(0, 12)}…${recipient.slice(-6)}` : recipient);

/** Every SOPS file under `<root>/kubernetes`, as sorted paths relative to root. */
export function findSopsFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    let entries;
    try {
      entries = readdirSync(join(root, relative), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(SOPS_FILE_SUFFIX)) found.push(path);
    }
  };
  walk(KUBERNETES_DIR);
  return found.sort();
}

export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Replaces `path` with `content` atomically: a temporary file in the same directory, flushed, then
 * renamed over the target. A failure at any point leaves the previous file exactly as it was.
 */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.homelab-tmp`);
  try {
    const fd = openSync(temp, 'wx', 0o644);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } finally {
    if (existsSync(temp)) rmSync(temp, { force: true });
  }
}

/** Characters Kubernetes allows in a Secret key. */
export const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Parses `KEY=VALUE` lines (a docker/systemd-style env file): blank lines and `#` comments are
 * skipped, `export ` is allowed, values may be single-quoted (literal) or double-quoted (`\n`,
 * `\"`, `\\` escapes). Errors name the line, never its content: the content is a secret.
 */
export function parseEnvFile(text: string, source: string): Map<string, string> {
  const values = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = /^(?:export\s+)?([^=\s]+)\s*=\s?(.*)$/.exec(line);
    const where = `${source}, line ${index + 1}`;
    if (!match) throw new Error(`${where}: not a KEY=VALUE line`);
    const [, key, rawValue] = match as unknown as [string, string, string];
    if (!SECRET_KEY.test(key)) throw new Error(`${where}: '${key}' is not a valid Secret key (letters, digits, '-', '_', '.')`);
    if (values.has(key)) throw new Error(`${where}: ${key} is set twice`);
    values.set(key, unquote(rawValue.trim(), where));
  });
  return values;
}

function unquote(value: string, where: string): string {
  const quote = value[0];
  if (quote !== '"' && quote !== "'") return value;
  if (value.length < 2 || value[value.length - 1] !== quote) throw new Error(`${where}: unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  const inner = value.slice(1, -1);
  if (quote === "'") return inner;
  return inner.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char === 't' ? '\t' : char === 'r' ? '\r' : char));
}

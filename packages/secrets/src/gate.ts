/**
 * The secrets policy: what `validate` and `generate` refuse.
 *
 * In memory, on the rendered output (run by renderHomelab):
 *  (a) no generated Secret carries data: secret values come from SOPS files only;
 *  (b) no generated file holds a credential-looking value;
 *  (d) every Secret a workload object references is declared (or made in the tree), with its keys;
 *      and every declared Secret is mentioned by its component's values or objects (a warning).
 * On disk, on the SOPS files of the tree (run by the commands, which know the output root):
 *  (c) every SOPS file is encrypted, to exactly `secrets.ageRecipients`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { describeObject, objectData, type Component, type GeneratedFile, type KubeObject, type OutputProblem } from '@homelab/core';
import { findSopsFiles, inspectSecretFile, recipientDifference, secretId, shortKey, SOPS_PATH_REGEX } from './files.js';

export interface PolicyResult {
  problems: OutputProblem[];
  warnings: OutputProblem[];
}

const HOW_TO = 'Declare the secret in the component (secrets: name, namespace, keys) and set its values with `homelab secrets set <namespace>/<name>`';

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const nonEmptyMapping = (value: unknown): boolean => isMapping(value) && Object.keys(value).length > 0;

/** Line number (1-based) of a character offset. */
const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length;

// ---------------------------------------------------------------------------------------------
// (a) generated Secrets

/** Files that may hold a Secret manifest: only those are parsed. */
const SECRET_KIND = /(^|[\s{,])["']?kind["']?\s*:\s*["']?Secret["']?\s*($|[,}\n])/m;

function parseDocuments(file: GeneratedFile): readonly unknown[] {
  if (file.documents) return file.documents;
  try {
    if (file.path.endsWith('.json')) return [JSON.parse(file.content)];
    if (/\.ya?ml$/.test(file.path)) return loadAll(file.content);
  } catch {
    // Not ours to judge here: other layers check syntax. Nothing parsed, nothing found.
  }
  return [];
}

/** (a) Secret manifests with data anywhere in a generated file (objects, Helm values such as extraObjects, artifacts). */
export function generatedSecrets(files: readonly GeneratedFile[]): OutputProblem[] {
  const problems: OutputProblem[] = [];
  const sopsPath = new RegExp(SOPS_PATH_REGEX);
  for (const file of files) {
    if (sopsPath.test(file.path)) {
      problems.push({ object: file.path, problem: `a generated file named like a SOPS file: SOPS files are written by \`homelab secrets\` only, never generated. Rename the generated file.` });
    }
    if (!file.content.includes('Secret') || !SECRET_KIND.test(file.content)) continue; // includes(): a cheap necessary condition
    const visit = (value: unknown, path: string): void => {
      if (Array.isArray(value)) return value.forEach((item, index) => visit(item, `${path}[${index}]`));
      if (!isMapping(value)) return;
      if (value['kind'] === 'Secret' && (nonEmptyMapping(value['data']) || nonEmptyMapping(value['stringData']))) {
        const metadata = isMapping(value['metadata']) ? value['metadata'] : {};
        const name = `${String(metadata['namespace'] ?? '?')}/${String(metadata['name'] ?? '?')}`;
        problems.push({
          object: file.path,
          problem: `generates Secret ${name} with values (${path || '.'}: data/stringData). Generated Secrets are forbidden: values must never be in the generated tree. ${HOW_TO}.`,
        });
        return;
      }
      for (const [key, child] of Object.entries(value)) visit(child, path ? `${path}.${key}` : key);
    };
    parseDocuments(file).forEach((document, index, all) => visit(document, all.length > 1 ? `document ${index + 1}` : ''));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (b) credentials in plain text

/** Formats with a recognisable shape: a match is a credential whatever key it sits under. */
export const CREDENTIAL_FORMATS: { name: string; pattern: RegExp }[] = [
  { name: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { name: 'an age secret key', pattern: /AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}/gi },
  { name: 'an AWS access key ID', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { name: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g },
];

/** Key names whose value is a credential: the key ends with one of these words (case-insensitive). */
const CREDENTIAL_KEY = '[A-Za-z0-9_.-]*?(?:password|passwd|token|secret|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key)';
const PASSWORD_KEY = /(password|passwd)$/i;

/** `key: value`, `"key": "value"`, `key = value`, `KEY=value` on one line. */
const ASSIGNMENT = new RegExp(`(?<![A-Za-z0-9_.-])(["']?)(${CREDENTIAL_KEY})\\1[ \\t]*[:=][ \\t]*(["']?)([^\\s"',;}\\]]+)\\3`, 'gi');

/** A container env entry: `name: SOMETHING_PASSWORD` followed by a literal `value:`. */
const ENV_LITERAL = new RegExp(`name:[ \\t]*(["']?)(${CREDENTIAL_KEY})\\1[ \\t]*\\n[ \\t]*value:[ \\t]*(["']?)([^\\s"']+)\\3`, 'gi');

/** Cheap first pass: a file matching none of these words holds nothing the patterns look for. */
const MAYBE_CREDENTIAL = /pass(?:word|wd)|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|PRIVATE KEY|AKIA|ASIA|gh[pousr]_/i;

/** Interpolations and templates: a reference to a value, not the value. */
const REFERENCE = /^(\$\{|\$\(|\{\{|<|%)/;

/**
 * Whether a value is shaped like a generated credential: 32+ hex digits, or 20+ base64/base64url
 * characters mixing upper case, lower case and digits. Resource names (lower case, dashes), paths,
 * URLs and references do not qualify. Under a password-named key any literal of 8+ characters does.
 */
export function looksLikeCredential(value: string, key: string): boolean {
  if (REFERENCE.test(value)) return false;
  if (/^[0-9a-f]{32,}$/i.test(value)) return true;
  if (value.length >= 20 && /^[A-Za-z0-9+/_=-]+$/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value)) return true;
  return PASSWORD_KEY.test(key) && value.length >= 8 && !/^[a-z0-9]+([-.][a-z0-9]+)*$/.test(value) && !value.includes('/');
}

/** (b) Credential-looking values in generated files. Never quotes the value. */
export function credentialLeaks(files: readonly GeneratedFile[]): OutputProblem[] {
  const problems: OutputProblem[] = [];
  const report = (file: GeneratedFile, index: number, what: string) =>
    problems.push({
      object: file.path,
      problem: `line ${lineOf(file.content, index)}: ${what} in plain text (the value is not shown). Secrets never go into homelab.yaml or a package: ${HOW_TO}, and reference the Secret by name.`,
    });
  for (const file of files) {
    if (!MAYBE_CREDENTIAL.test(file.content)) continue;
    for (const { name, pattern } of CREDENTIAL_FORMATS) for (const match of file.content.matchAll(pattern)) report(file, match.index, name);
    for (const pattern of [ASSIGNMENT, ENV_LITERAL]) {
      for (const match of file.content.matchAll(pattern)) {
        const key = match[2]!;
        if (looksLikeCredential(match[4]!, key)) report(file, match.index, `a credential-looking value under '${key}'`);
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (d) references ↔ declarations

/** Where each workload kind keeps its pod spec. */
const POD_SPEC: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** A Secret a pod spec uses: its name, the keys it picks (if any), and where. */
export interface SecretReference {
  name: string;
  keys: string[];
  path: string;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> => (isMapping(value) ? value : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Secrets a pod spec references (optional references excluded: the pod starts without them). */
export function podSecretReferences(podSpec: Record<string, unknown>, base: string): SecretReference[] {
  const refs: SecretReference[] = [];
  const add = (name: string | undefined, keys: string[], path: string, optional: unknown) => {
    if (name && optional !== true) refs.push({ name, keys, path });
  };
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    list(podSpec[field]).forEach((container, c) => {
      const at = `${base}.${field}[${c}]`;
      list(record(container)['env']).forEach((env, e) => {
        const ref = record(record(record(env)['valueFrom'])['secretKeyRef']);
        const key = str(ref['key']);
        add(str(ref['name']), key ? [key] : [], `${at}.env[${e}].valueFrom.secretKeyRef.name`, ref['optional']);
      });
      list(record(container)['envFrom']).forEach((envFrom, e) => {
        const ref = record(record(envFrom)['secretRef']);
        add(str(ref['name']), [], `${at}.envFrom[${e}].secretRef.name`, ref['optional']);
      });
    });
  }
  const itemKeys = (items: unknown) => list(items).map((item) => str(record(item)['key'])).filter((key): key is string => key !== undefined);
  list(podSpec['volumes']).forEach((volume, v) => {
    const secret = record(record(volume)['secret']);
    add(str(secret['secretName']), itemKeys(secret['items']), `${base}.volumes[${v}].secret.secretName`, secret['optional']);
    list(record(record(volume)['projected'])['sources']).forEach((source, s) => {
      const projected = record(record(source)['secret']);
      add(str(projected['name']), itemKeys(projected['items']), `${base}.volumes[${v}].projected.sources[${s}].secret.name`, projected['optional']);
    });
  });
  list(podSpec['imagePullSecrets']).forEach((ref, i) => add(str(record(ref)['name']), [], `${base}.imagePullSecrets[${i}].name`, false));
  return refs;
}

/** Secrets the tree itself makes: cert-manager Certificates (spec.secretName) and key-less Secret objects. */
function producedSecrets(components: readonly Component[]): Set<string> {
  const produced = new Set<string>();
  for (const component of components) {
    for (const object of Object.values(component.objects ?? {})) {
      const namespace = object.metadata?.namespace ?? component.namespace;
      if (object.kind === 'Certificate' && object.apiVersion.startsWith('cert-manager.io/')) {
        const name = str(record(objectData(object)['spec'])['secretName']);
        if (name) produced.add(`${namespace}/${name}`);
      }
      if (object.kind === 'Secret' && object.metadata?.name) produced.add(`${namespace}/${object.metadata.name}`);
    }
  }
  return produced;
}

/** (d) Workload objects that use a Secret no component declares, or a key its declaration lacks. */
export function undeclaredSecretReferences(components: readonly Component[]): OutputProblem[] {
  const declared = new Map<string, string[]>();
  for (const component of components) for (const secret of component.secrets ?? []) declared.set(secretId(secret), secret.keys);
  const produced = producedSecrets(components);
  const problems: OutputProblem[] = [];
  for (const component of components) {
    for (const object of Object.values(component.objects ?? {}) as KubeObject[]) {
      const path = POD_SPEC[object.kind];
      if (!path) continue;
      // toJSON(), not objectData(): field access needs no deep copy (nested models keep their fields).
      const podSpec = path.reduce<unknown>((value, key) => record(value)[key], object.toJSON());
      const namespace = object.metadata?.namespace ?? component.namespace;
      for (const ref of podSecretReferences(record(podSpec), path.join('.'))) {
        const id = `${namespace}/${ref.name}`;
        const keys = declared.get(id);
        if (keys === undefined) {
          if (produced.has(id)) continue;
          problems.push({
            object: describeObject(object),
            problem: `${component.name}: uses Secret '${ref.name}' in namespace '${namespace}', which no component declares (${ref.path}: '${ref.name}'). ${HOW_TO}, or correct the name.`,
          });
          continue;
        }
        for (const key of ref.keys.filter((key) => !keys.includes(key))) {
          problems.push({
            object: describeObject(object),
            problem: `${component.name}: uses key '${key}' of Secret ${id}, whose declaration has only ${keys.join(', ')} (${ref.path}: '${ref.name}'). Add the key to the declaration, or correct the reference.`,
          });
        }
      }
    }
  }
  return problems;
}

/**
 * (d) Declared Secrets that neither the component's Helm values nor its objects mention by name: a
 * renamed Secret on one side only. A string search, so a warning: a chart that mounts a Secret
 * under a fixed default name needs no mention (set the name explicitly to get the check).
 */
export function unreferencedSecrets(components: readonly Component[]): OutputProblem[] {
  const warnings: OutputProblem[] = [];
  for (const component of components) {
    if (!component.secrets?.length) continue;
    const text = JSON.stringify([component.values ?? {}, Object.values(component.objects ?? {}).map(objectData)]);
    for (const secret of component.secrets) {
      const mention = new RegExp(`(?<![A-Za-z0-9.-])${secret.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9-])`);
      if (mention.test(text)) continue;
      warnings.push({
        object: `Secret/${secretId(secret)}`,
        problem: `${component.name}: declares Secret ${secretId(secret)}, but neither its Helm values nor its objects mention '${secret.name}'. If the chart uses that name by default, set it explicitly in the values; otherwise correct the name or drop the declaration.`,
      });
    }
  }
  return warnings;
}

/** Everything the rendered output must pass (problems) or should (warnings). */
export function secretsPolicy(components: readonly Component[], files: readonly GeneratedFile[]): PolicyResult {
  return {
    problems: [...generatedSecrets(files), ...credentialLeaks(files), ...undeclaredSecretReferences(components)],
    warnings: unreferencedSecrets(components),
  };
}

// ---------------------------------------------------------------------------------------------
// (c) the SOPS files on disk

export interface SopsTreeCheck {
  /** Relative paths of the SOPS files found. */
  files: string[];
  problems: string[];
  warnings: string[];
}

/** Directories of the tree that some Application reads as a directory source. */
function deployedDirectories(rendered: readonly GeneratedFile[]): Set<string> {
  const dirs = new Set<string>();
  for (const file of rendered) {
    if (!/\.ya?ml$/.test(file.path) || !/^kind:\s*Application\s*$/m.test(file.content)) continue;
    const [document] = parseDocuments(file);
    const spec = record(record(document)['spec']);
    for (const source of [...list(spec['sources']), spec['source']]) {
      const path = str(record(source)['path']);
      if (path) dirs.add(path);
    }
  }
  return dirs;
}

/**
 * (c) Reads every SOPS file under `<root>/kubernetes`: each must be an encrypted SOPS file for
 * exactly `recipients`. A file no Application reads (its component disabled, or one whose
 * Application reads no manifests directory) is a warning: it is not applied.
 */
export function checkSopsTree(root: string, recipients: readonly string[], rendered: readonly GeneratedFile[]): SopsTreeCheck {
  const files = findSopsFiles(root);
  const problems: string[] = [];
  const warnings: string[] = [];
  const deployed = files.length > 0 ? deployedDirectories(rendered) : new Set<string>();
  for (const path of files) {
    let info;
    try {
      info = inspectSecretFile(readFileSync(join(root, path), 'utf8'));
    } catch (error) {
      problems.push(`${path}: unreadable (${(error as Error).message}). Restore it from git, or write it again with \`homelab secrets set\`.`);
      continue;
    }
    if (!info.encrypted) {
      problems.push(`${path}: NOT ENCRYPTED (no sops metadata): a plaintext secret. Do not commit it; write it with \`homelab secrets set\` (and rotate the values if it was pushed).`);
      continue;
    }
    const { missing, extra } = recipientDifference(info.recipients, recipients);
    if (missing.length > 0 || extra.length > 0) {
      const detail = [missing.length > 0 ? `not for ${missing.map(shortKey).join(', ')}` : '', extra.length > 0 ? `also for ${extra.map(shortKey).join(', ')}, which secrets.ageRecipients does not name` : '']
        .filter(Boolean)
        .join('; ');
      problems.push(`${path}: encrypted for other recipients than secrets.ageRecipients (${detail}). Run \`homelab secrets rotate --all\`.`);
    }
    const dir = path.slice(0, path.lastIndexOf('/'));
    if (!deployed.has(dir)) warnings.push(`${path}: no Application reads ${dir}, so this Secret is not applied. Delete the file if its component is gone.`);
  }
  return { files, problems, warnings };
}

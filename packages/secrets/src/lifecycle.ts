/**
 * The secret lifecycle on a tree of SOPS files: read (decrypt and authenticate) the declared
 * secrets, check that every copy of a value agrees, and plan writes that put values into every key
 * that carries them (init, rotate, set). Plans are computed in memory; `commitWrites` replaces the
 * files all or nothing. Nothing here prints a value or puts one in an error.
 */
import { rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Secret } from 'kubernetes-models/v1/Secret';
import type { Component, GitOpsTarget } from '@homelab/core';
import { decryptYaml, encryptYaml, identitiesFromKeyFile, SopsError } from '@homelab/sops';
import {
  declaredSecrets,
  inspectSecretFile,
  mergedSecretMetadata,
  readIfExists,
  recipientDifference,
  secretFindings,
  secretManifest,
  writeFileAtomic,
  type DeclaredSecret,
  type SecretFinding,
} from './files.js';
import { declaredValues, generateValue, type DeclaredValue } from './values.js';

/** The declared secrets of one homelab, its values and where their files are. */
export interface SecretsTree {
  /** Output root holding `kubernetes/`. */
  root: string;
  recipients: readonly string[];
  secrets: DeclaredSecret[];
  values: DeclaredValue[];
}

export function secretsTree(components: readonly Component[], target: GitOpsTarget, root: string, recipients: readonly string[]): SecretsTree {
  const secrets = declaredSecrets(components, target);
  const values = declaredValues(secrets);
  // `rotate` takes either: one name must not mean both.
  const clash = values.find((declared) => secrets.some((secret) => secret.id === declared.value.id));
  if (clash) throw new Error(`secret value ${clash.value.id} has the name of a Secret (declared by ${clash.carriers[0]!.secret.component.name}): give the value another id`);
  return { root, recipients, secrets, values };
}

/** The secrets a SOPS file must hold: all but the bootstrap key, which decrypts them. */
export const managedSecrets = (tree: Pick<SecretsTree, 'secrets'>): DeclaredSecret[] => tree.secrets.filter((secret) => !secret.bootstrap);

/**
 * Declared secrets whose SOPS file is missing, with what else is wrong with each existing one. A
 * stable entry point for other commands (bootstrap's preconditions); reads no key.
 */
export function missingSecrets(tree: Pick<SecretsTree, 'root' | 'recipients' | 'secrets'>): { secret: DeclaredSecret; findings: SecretFinding[] }[] {
  return managedSecrets(tree)
    .map((secret) => ({ secret, findings: secretFindings(secret, readIfExists(join(tree.root, secret.path)), tree.recipients) }))
    .filter(({ findings }) => findings.some((finding) => finding.code !== 'not-deployed'));
}

// ---------------------------------------------------------------------------------------------
// identities

export interface Identities {
  identities: string[];
  /** Where they came from, for messages. */
  source: string;
}

export interface IdentityOptions {
  /** An age key file given explicitly (--identity), relative to cwd. */
  file?: string;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/**
 * The age identities to decrypt with, as sops finds them: an explicit file, else SOPS_AGE_KEY (the
 * keys themselves), else SOPS_AGE_KEY_FILE, else $XDG_CONFIG_HOME/sops/age/keys.txt
 * (~/.config/sops/age/keys.txt). Undefined when none is configured and the default file is absent;
 * throws when a named source is missing or holds no identity.
 */
export function findIdentities(options: IdentityOptions): Identities | undefined {
  const found = readIdentities(options);
  return found.identities ? { identities: found.identities, source: found.source } : undefined;
}

/** `findIdentities`, required: throws saying where it looked and how to provide one. */
/** Where sops looks for age keys when neither SOPS_AGE_KEY nor SOPS_AGE_KEY_FILE is set. */
export function defaultAgeKeyFile(env: Readonly<Record<string, string | undefined>>): string {
  return join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'sops', 'age', 'keys.txt');
}

export function loadIdentities(options: IdentityOptions): Identities {
  const found = readIdentities(options);
  if (found.identities) return { identities: found.identities, source: found.source };
  throw new Error(`no age identity to decrypt with: ${found.source} does not exist. Pass --identity FILE (an age-keygen key file), or set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY.`);
}

function readIdentities({ file, env, cwd }: IdentityOptions): { identities?: string[]; source: string } {
  let text: string | undefined;
  let source: string;
  if (file !== undefined) {
    source = resolve(cwd, file);
    text = readIfExists(source);
    if (text === undefined) throw new Error(`identity file not found: ${source} (--identity)`);
  } else if (env['SOPS_AGE_KEY']) {
    source = 'SOPS_AGE_KEY';
    text = env['SOPS_AGE_KEY'];
  } else if (env['SOPS_AGE_KEY_FILE']) {
    source = resolve(cwd, env['SOPS_AGE_KEY_FILE']);
    text = readIfExists(source);
    if (text === undefined) throw new Error(`identity file not found: ${source} (SOPS_AGE_KEY_FILE)`);
  } else {
    source = defaultAgeKeyFile(env);
    text = readIfExists(source);
    if (text === undefined) return { source };
  }
  const identities = identitiesFromKeyFile(text);
  if (identities.length === 0) throw new Error(`${source} holds no age identity (AGE-SECRET-KEY-1… line)`);
  return { identities, source };
}

// ---------------------------------------------------------------------------------------------
// reading

/** A declared secret's file, decrypted and authenticated. */
export interface SecretFile {
  secret: DeclaredSecret;
  text: string;
  document: Record<string, unknown>;
  /** Plaintext values by key (`data` decoded from base64, `stringData` as is). */
  values: Map<string, string>;
}

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Prefixes a failure with the file it concerns; SopsError messages already say what to do. */
export function inFile(path: string, error: unknown): Error {
  return new Error(`${path}: ${error instanceof SopsError ? error.message : (error as Error).message}`, { cause: error });
}

/** Decrypts one secret's file (MAC checked) and checks it is that Secret. Errors name the file. */
export async function readSecretFile(secret: DeclaredSecret, text: string, identities: readonly string[]): Promise<SecretFile> {
  let info;
  try {
    info = inspectSecretFile(text);
  } catch (error) {
    throw inFile(secret.path, error);
  }
  if (!info.encrypted) throw new Error(`${secret.path} exists but is NOT ENCRYPTED. Delete it (and change the values if it was ever pushed), then write the secret again.`);
  if (info.kind !== 'Secret' || info.name !== secret.declaration.name || info.namespace !== secret.declaration.namespace) {
    throw new Error(`${secret.path} is not the Secret ${secret.id} (kind '${String(info.kind)}', metadata ${String(info.namespace)}/${String(info.name)}). Fix it with \`homelab secrets edit\`, or delete it.`);
  }
  let document: Record<string, unknown>;
  try {
    document = await decryptYaml(text, { identities });
  } catch (error) {
    throw inFile(secret.path, error);
  }
  const values = new Map<string, string>();
  const data = isMapping(document['data']) ? document['data'] : {};
  const stringData = isMapping(document['stringData']) ? document['stringData'] : {};
  for (const [key, value] of Object.entries(data)) if (typeof value === 'string') values.set(key, Buffer.from(value, 'base64').toString('utf8'));
  for (const [key, value] of Object.entries(stringData)) if (typeof value === 'string') values.set(key, value);
  return { secret, text, document, values };
}

/** The existing files of the managed secrets (`only`: of these), decrypted, by secret id. Needs identities only when a file exists. */
export async function readSecretFiles(tree: SecretsTree, identities: () => readonly string[], only?: readonly DeclaredSecret[]): Promise<Map<string, SecretFile>> {
  const files = new Map<string, SecretFile>();
  for (const secret of managedSecrets(tree).filter((each) => !only || only.includes(each))) {
    const text = readIfExists(join(tree.root, secret.path));
    if (text !== undefined) files.set(secret.id, await readSecretFile(secret, text, identities()));
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// agreement

/** Two copies of one value that differ (or a copy that lacks the key). */
export interface Disagreement {
  value: string;
  first: { path: string; key: string };
  second: { path: string; key: string };
}

/** Copies of each value, compared with the first copy found; never looks at a value beyond equality. */
export function disagreements(tree: SecretsTree, files: ReadonlyMap<string, SecretFile>): Disagreement[] {
  const found: Disagreement[] = [];
  for (const { value, carriers } of tree.values) {
    const copies = carriers.flatMap((carrier) => {
      const file = files.get(carrier.secret.id);
      return file && file.values.has(carrier.key) ? [{ path: carrier.secret.path, key: carrier.key, text: file.values.get(carrier.key)! }] : [];
    });
    const [first, ...others] = copies;
    for (const other of others) {
      if (other.text !== first!.text) found.push({ value: value.id, first: { path: first!.path, key: first!.key }, second: { path: other.path, key: other.key } });
    }
  }
  return found;
}

export const describeDisagreement = ({ value, first, second }: Disagreement): string =>
  `${value}: ${second.path} key ${second.key} differs from ${first.path} key ${first.key} (values not shown). Make them one value again: homelab secrets rotate ${value} (generated) or homelab secrets init --from-env-file FILE (external).`;

/** Values carried by more than one key whose copies all exist. */
export const sharedValues = (tree: SecretsTree, files: ReadonlyMap<string, SecretFile>): DeclaredValue[] =>
  tree.values.filter(({ carriers }) => carriers.length > 1 && carriers.every((carrier) => files.get(carrier.secret.id)?.values.has(carrier.key)));

// ---------------------------------------------------------------------------------------------
// writing

/** One file to replace (`before` undefined: to create). */
export interface FileWrite {
  secret: DeclaredSecret;
  text: string;
  before: string | undefined;
}

/** Encrypts a Secret document for the recipients, after a schema check of the plaintext. */
export async function encryptSecret(secret: DeclaredSecret, document: Record<string, unknown>, recipients: readonly string[]): Promise<string> {
  try {
    new Secret(document as ConstructorParameters<typeof Secret>[0]).validate();
  } catch (error) {
    throw new Error(`${secret.id}: not a valid Secret (${(error as Error).message.split('\n')[0]})`);
  }
  return encryptYaml(document, { recipients: [...recipients] });
}

/** A Secret document for `values`, keeping what an existing file adds around them (labels, annotations, type). */
export function secretDocument(secret: DeclaredSecret, values: ReadonlyMap<string, string>, existing?: Record<string, unknown>): Record<string, unknown> {
  const base = existing ? { ...existing } : {};
  delete base['data'];
  return { ...base, ...secretManifest(secret.declaration, values), ...(existing ? { metadata: mergedSecretMetadata(existing['metadata'], secret.declaration) } : {}) };
}

const recipientsCurrent = (text: string, recipients: readonly string[]): boolean => {
  const { missing, extra } = recipientDifference(inspectSecretFile(text).recipients, recipients);
  return missing.length === 0 && extra.length === 0;
};

/**
 * The writes that give `secrets` their values: each key takes `assignments.get(<its value id>)`,
 * else its current value. A file that already holds exactly those values for the configured
 * recipients is left alone (re-encrypting would change its bytes for nothing). Throws naming the
 * secret and key when a key would have no value.
 */
export async function planValues(tree: SecretsTree, files: ReadonlyMap<string, SecretFile>, assignments: ReadonlyMap<string, string>, secrets: readonly DeclaredSecret[]): Promise<FileWrite[]> {
  const writes: FileWrite[] = [];
  for (const secret of secrets) {
    const current = files.get(secret.id);
    const values = new Map<string, string>();
    for (const key of secret.declaration.keys) {
      const carrier = tree.values.find((value) => value.carriers.some((entry) => entry.secret.id === secret.id && entry.key === key))!;
      const value = assignments.get(carrier.value.id) ?? current?.values.get(key);
      if (value === undefined) throw new Error(`${secret.path}: no value for key ${key} (value ${carrier.value.id}); nothing was written`);
      values.set(key, value);
    }
    const unchanged =
      current !== undefined &&
      current.values.size === values.size &&
      [...values].every(([key, value]) => current.values.get(key) === value) &&
      recipientsCurrent(current.text, tree.recipients);
    if (unchanged) continue;
    writes.push({ secret, text: await encryptSecret(secret, secretDocument(secret, values, current?.document), tree.recipients), before: current?.text });
  }
  return writes;
}

const removeFile = (path: string): void => rmSync(path, { force: true });

/**
 * Replaces every file, or none: each is written atomically, and when one fails the ones already
 * written are put back (created ones removed) before the error is rethrown.
 */
export function commitWrites(root: string, writes: readonly FileWrite[], write: (path: string, text: string) => void = writeFileAtomic, remove: (path: string) => void = removeFile): void {
  const done: FileWrite[] = [];
  try {
    for (const file of writes) {
      write(join(root, file.secret.path), file.text);
      done.push(file);
    }
  } catch (error) {
    for (const file of done.reverse()) {
      if (file.before === undefined) remove(join(root, file.secret.path));
      else write(join(root, file.secret.path), file.before);
    }
    throw inFile(writes[done.length]!.secret.path, error);
  }
}

// ---------------------------------------------------------------------------------------------
// init and rotate

export interface InitPlan {
  writes: FileWrite[];
  /** Value ids generated now. */
  generated: string[];
  /** Value ids whose files were up to date. */
  kept: string[];
}

/**
 * `init`: every value takes the given text, else its current copy, else (generated ones) a new
 * value from the CSPRNG. Throws listing every external value that has none, and on copies that
 * disagree unless the value is given.
 */
export async function planInit(tree: SecretsTree, files: ReadonlyMap<string, SecretFile>, given: ReadonlyMap<string, string>): Promise<InitPlan> {
  const conflicts = disagreements(tree, files).filter((entry) => !given.has(entry.value));
  if (conflicts.length > 0) throw new Error(`copies of a value differ:\n  ${conflicts.map(describeDisagreement).join('\n  ')}`);
  const assignments = new Map<string, string>();
  const generated: string[] = [];
  const missing: DeclaredValue[] = [];
  for (const declared of tree.values) {
    const carriers = declared.carriers.filter((carrier) => !carrier.secret.bootstrap);
    if (carriers.length === 0) continue;
    const current = carriers.map((carrier) => files.get(carrier.secret.id)?.values.get(carrier.key)).find((value) => value !== undefined);
    const value = given.get(declared.value.id) ?? current ?? (declared.value.generate ? generateValue(declared.value.generate) : undefined);
    if (value === undefined) missing.push(declared);
    else assignments.set(declared.value.id, value);
    if (!given.has(declared.value.id) && current === undefined && declared.value.generate) generated.push(declared.value.id);
  }
  if (missing.length > 0) {
    throw new Error(
      `no value for ${missing.length} external secret value${missing.length === 1 ? '' : 's'}; give ${missing.length === 1 ? 'it' : 'them'} in the env file:\n` +
        missing.map((declared) => `  ${declared.env}=…  (${declared.value.id}: ${declared.value.description})`).join('\n') +
        '\nNothing was written.',
    );
  }
  const writes = await planValues(tree, files, assignments, managedSecrets(tree));
  const written = new Set(writes.map((write) => write.secret.id));
  const kept = tree.values.filter((declared) => declared.carriers.every((carrier) => carrier.secret.bootstrap || !written.has(carrier.secret.id))).map((declared) => declared.value.id);
  return { writes, generated, kept };
}

/** `rotate <value>`: a new generated value in every file that carries it. Every copy must exist. */
export async function planRotateValue(tree: SecretsTree, files: ReadonlyMap<string, SecretFile>, declared: DeclaredValue): Promise<FileWrite[]> {
  if (!declared.value.generate) {
    throw new Error(`${declared.value.id} is an external value (${declared.value.description}); it cannot be generated. Give the new one with homelab secrets init --from-env-file FILE (${declared.env}=…).`);
  }
  const absent = declared.carriers.filter((carrier) => !files.get(carrier.secret.id)?.values.has(carrier.key));
  if (absent.length > 0) {
    throw new Error(`${declared.value.id}: ${absent.map((carrier) => `${carrier.secret.path} key ${carrier.key}`).join(', ')} not written yet; run homelab secrets init first. Nothing was written.`);
  }
  return planValues(tree, files, new Map([[declared.value.id, generateValue(declared.value.generate)]]), declared.carriers.map((carrier) => carrier.secret));
}

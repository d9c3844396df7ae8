/**
 * `homelab secrets`: the SOPS files of the secrets components declare. Lists their state, writes
 * them (values from a file, stdin or a hidden prompt: never from argv), re-encrypts them for the
 * configured recipients and edits them through $EDITOR. Every write is atomic; a failure leaves
 * the file exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { load } from 'js-yaml';
import { Secret } from 'kubernetes-models/v1/Secret';
import { suggest, type ResolvedConfig } from '@homelab/config';
import { toYaml } from '@homelab/core';
import { decryptYaml, encryptYaml, identitiesFromKeyFile, reencrypt, SopsError } from '@homelab/sops';
import {
  CONFIG_OPTION,
  CONFIG_OPTION_HELP,
  EXIT_INVALID,
  EXIT_OK,
  loadConfig,
  reportProblems,
  UsageError,
  type Command,
  type Io,
  type OptionValues,
} from '../command.js';
import { defaultModules } from '../modules.js';
import { composeHomelab } from '../render.js';
import {
  declaredSecrets,
  describeFinding,
  findSopsFiles,
  inspectSecretFile,
  mergedSecretMetadata,
  parseEnvFile,
  readIfExists,
  recipientDifference,
  SECRET_KEY,
  secretFindings,
  secretManifest,
  writeFileAtomic,
  type DeclaredSecret,
} from '../secret-files.js';

interface SecretsOptions {
  config?: string;
  out?: string;
  check?: boolean;
  verbose?: boolean;
  'from-env-file'?: string;
  'from-file'?: string[];
  stdin?: boolean;
  identity?: string;
  all?: boolean;
}

const SUBCOMMANDS = {
  list: ['check', 'verbose'],
  set: ['from-env-file', 'from-file', 'stdin', 'identity'],
  rotate: ['all', 'identity'],
  edit: ['identity'],
} as const satisfies Record<string, readonly (keyof SecretsOptions)[]>;

type Subcommand = keyof typeof SUBCOMMANDS;

/** Where the secrets are: the config, the output root and every declared secret. */
interface Context {
  config: ResolvedConfig;
  root: string;
  recipients: readonly string[];
  secrets: DeclaredSecret[];
}

function loadContext(io: Io, options: SecretsOptions): Context | undefined {
  const loaded = loadConfig(io, options.config);
  if (!loaded) return undefined;
  const composed = composeHomelab(loaded.config, io.modules ?? defaultModules);
  if (!composed.ok) {
    reportProblems(io, loaded.display, composed.configProblems, composed.outputProblems);
    return undefined;
  }
  const { config } = loaded;
  return {
    config,
    root: resolve(io.cwd, options.out ?? dirname(loaded.path)),
    recipients: config.secrets.ageRecipients,
    secrets: declaredSecrets(composed.components, { repoURL: config.gitops.repoURL, revision: config.gitops.revision }),
  };
}

/** The declared secret `<namespace>/<name>`, or an error listing the declared ones. */
function findSecret(context: Context, id: string | undefined, usage: string): DeclaredSecret {
  if (id === undefined) throw new UsageError(`name the secret: ${usage}`);
  const secret = context.secrets.find((candidate) => candidate.id === id);
  if (secret) return secret;
  const ids = context.secrets.map((candidate) => candidate.id);
  const guess = suggest(id, ids);
  throw new Error(`no component declares the secret '${id}'. ${guess ? `Did you mean '${guess}'? ` : ''}Declared: ${ids.join(', ') || 'none'}.`);
}

/** Values must never come from argv: shell history and `ps` keep them. */
function rejectArgvValues(args: readonly string[]): void {
  for (const arg of args) {
    if (arg.includes('=')) {
      throw new UsageError(
        `secret values are never read from the command line, where shell history and ps would keep them (argument '${arg.slice(0, arg.indexOf('='))}=…'). ` +
          'Use --from-env-file FILE, --from-file KEY=PATH or --stdin, or run in a terminal to be prompted.',
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// identities

/**
 * The age identities to decrypt with, as sops finds them: --identity FILE, else SOPS_AGE_KEY (the
 * keys themselves), else SOPS_AGE_KEY_FILE, else $XDG_CONFIG_HOME/sops/age/keys.txt
 * (~/.config/sops/age/keys.txt).
 */
export function loadIdentities(io: Io, option: string | undefined): string[] {
  const env = io.env ?? {};
  let text: string | undefined;
  let source: string;
  if (option !== undefined) {
    source = resolve(io.cwd, option);
    text = readIfExists(source);
    if (text === undefined) throw new Error(`identity file not found: ${source} (--identity)`);
  } else if (env['SOPS_AGE_KEY']) {
    source = 'SOPS_AGE_KEY';
    text = env['SOPS_AGE_KEY'];
  } else {
    source = env['SOPS_AGE_KEY_FILE'] || join(env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config'), 'sops', 'age', 'keys.txt');
    text = readIfExists(source);
    if (text === undefined) {
      throw new Error(`no age identity to decrypt with: ${source} does not exist. Pass --identity FILE (an age-keygen key file) or set SOPS_AGE_KEY_FILE.`);
    }
  }
  const identities = identitiesFromKeyFile(text);
  if (identities.length === 0) throw new Error(`${source} holds no age identity (AGE-SECRET-KEY-1… line)`);
  return identities;
}

/** Prefixes a failure with the file it concerns; SopsError messages already say what to do. */
function inFile(path: string, error: unknown): Error {
  return new Error(`${path}: ${error instanceof SopsError ? error.message : (error as Error).message}`, { cause: error });
}

async function decryptExisting(io: Io, secret: DeclaredSecret, text: string, identity: string | undefined): Promise<Record<string, unknown>> {
  const info = inspectSecretFile(text);
  if (!info.encrypted) {
    throw new Error(`${secret.path} exists but is NOT ENCRYPTED. Delete it (and change the values if it was ever pushed), then set the secret again.`);
  }
  const identities = loadIdentities(io, identity);
  try {
    return await decryptYaml(text, { identities });
  } catch (error) {
    throw inFile(secret.path, error);
  }
}

/** Encrypts a Secret document for the configured recipients (after a schema check of the plaintext). */
async function encryptSecret(context: Context, secret: DeclaredSecret, document: Record<string, unknown>): Promise<string> {
  try {
    new Secret(document as ConstructorParameters<typeof Secret>[0]).validate();
  } catch (error) {
    throw new Error(`${secret.id}: not a valid Secret (${(error as Error).message.split('\n')[0]})`);
  }
  return encryptYaml(document, { recipients: context.recipients });
}

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

// ---------------------------------------------------------------------------------------------
// list

function list(io: Io, context: Context, options: SecretsOptions): number {
  const rows: [string, string, string][] = [];
  let notOk = 0;
  let missing = 0;
  let recipients = 0;
  for (const secret of context.secrets) {
    if (secret.bootstrap) {
      rows.push([secret.id, secret.component.name, 'bootstrap: created by hand, never in git']);
      continue;
    }
    const findings = secretFindings(secret, readIfExists(join(context.root, secret.path)), context.recipients);
    if (findings.length > 0) notOk++;
    if (findings.some((finding) => finding.code === 'missing')) missing++;
    if (findings.some((finding) => finding.code === 'recipients')) recipients++;
    rows.push([secret.id, secret.component.name, findings.length === 0 ? 'ok (encrypted)' : findings.map(describeFinding).join('; ')]);
  }
  const declaredPaths = new Set(context.secrets.map((secret) => secret.path));
  const undeclared = findSopsFiles(context.root).filter((path) => !declaredPaths.has(path));
  const header: [string, string, string] = ['SECRET', 'COMPONENT', 'STATE'];
  const width = (column: 0 | 1) => Math.max(header[column].length, ...rows.map((row) => row[column].length)) + 2;
  const line = (row: [string, string, string]) => `${row[0].padEnd(width(0))}${row[1].padEnd(width(1))}${row[2]}`;
  io.out(line(header));
  for (const [index, row] of rows.entries()) {
    io.out(line(row));
    if (options.verbose) {
      const secret = context.secrets[index]!;
      io.out(`    file: ${secret.path}`);
      io.out(`    keys: ${secret.declaration.keys.join(', ')}`);
      io.out(`    ${secret.declaration.description}`);
    }
  }
  for (const path of undeclared) io.out(`⚠ ${path}: no component declares this secret (a removed or renamed declaration?)`);
  const managed = context.secrets.filter((secret) => !secret.bootstrap).length;
  io.out(`${notOk === 0 ? '✔' : '✖'} ${managed} secret${managed === 1 ? '' : 's'} in SOPS files: ${managed - notOk} ok, ${notOk} to fix`);
  if (missing > 0) io.out('  Set one: homelab secrets set <namespace>/<name> (--from-env-file FILE, --stdin, or a prompt); --verbose says what each holds.');
  if (recipients > 0) io.out('  Re-encrypt for secrets.ageRecipients: homelab secrets rotate --all');
  return options.check && notOk > 0 ? EXIT_INVALID : EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// set

/** The values given on the command line's sources (env file, files, stdin), by key. */
async function valuesFromSources(io: Io, options: SecretsOptions): Promise<{ values: Map<string, string>; source: string } | undefined> {
  const values = new Map<string, string>();
  const sources: string[] = [];
  const addAll = (entries: Map<string, string>, source: string) => {
    for (const [key, value] of entries) {
      if (values.has(key)) throw new Error(`${key} is given twice (again in ${source})`);
      values.set(key, value);
    }
    sources.push(source);
  };
  if (options['from-env-file'] !== undefined) {
    const path = resolve(io.cwd, options['from-env-file']);
    const text = readIfExists(path);
    if (text === undefined) throw new Error(`env file not found: ${path} (--from-env-file)`);
    addAll(parseEnvFile(text, options['from-env-file']), options['from-env-file']);
  }
  for (const spec of options['from-file'] ?? []) {
    const at = spec.indexOf('=');
    const key = spec.slice(0, at);
    if (at <= 0 || !SECRET_KEY.test(key)) throw new UsageError(`--from-file takes KEY=PATH (got '${spec}')`);
    const path = resolve(io.cwd, spec.slice(at + 1));
    const text = readIfExists(path);
    if (text === undefined) throw new Error(`file not found: ${path} (--from-file ${key}=…)`);
    addAll(new Map([[key, text]]), `--from-file ${key}`);
  }
  if (options.stdin) {
    if (!io.stdin) throw new UsageError('--stdin: standard input is not available here');
    addAll(parseEnvFile(await io.stdin(), 'stdin'), 'stdin');
  }
  return sources.length > 0 ? { values, source: sources.join(', ') } : undefined;
}

/** Asks for each declared key without echo; Enter keeps the current value of an existing secret. */
async function valuesFromPrompt(io: Io, secret: DeclaredSecret, exists: boolean): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  io.err(`${secret.id}: ${secret.declaration.description}`);
  for (const key of secret.declaration.keys) {
    const value = await io.prompt!(`  ${key}${exists ? ' (Enter keeps the current value)' : ''}: `);
    if (value !== '') values.set(key, value);
    else if (!exists) throw new Error(`${secret.id}: no value for ${key}; nothing was written`);
  }
  return values;
}

/** Every given key must be declared and have a value. */
function checkGivenKeys(secret: DeclaredSecret, values: ReadonlyMap<string, string>, source: string): void {
  const { keys } = secret.declaration;
  const unknown = [...values.keys()].filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new Error(`${secret.id} has no key${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (in ${source}). Its keys: ${keys.join(', ')}.`);
  for (const [key, value] of values) if (value === '') throw new Error(`${secret.id}: ${key} is empty (in ${source}); give it a value`);
}

async function set(io: Io, context: Context, options: SecretsOptions, args: string[]): Promise<number> {
  rejectArgvValues(args);
  const [id, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`set takes one secret (<namespace>/<name>); ${extra.length} more argument${extra.length === 1 ? '' : 's'} given (not shown)`);
  const secret = findSecret(context, id, 'homelab secrets set <namespace>/<name>');
  const { declaration } = secret;
  if (secret.bootstrap) {
    throw new Error(`${secret.id} cannot be a SOPS file: it is the key that decrypts them. ${declaration.description}`);
  }
  const path = join(context.root, secret.path);
  const text = readIfExists(path);
  const given = await valuesFromSources(io, options);
  if (!given && !(io.stdinIsTTY && io.prompt)) {
    throw new UsageError('no values given: pass --from-env-file FILE, --from-file KEY=PATH or --stdin (KEY=VALUE lines), or run in a terminal to be prompted');
  }
  if (given) checkGivenKeys(secret, given.values, given.source);
  // Decrypt before prompting: a wrong identity or a damaged file stops here, before anyone types a value.
  const existing = text === undefined ? undefined : await decryptExisting(io, secret, text, options.identity);
  const values = given?.values ?? (await valuesFromPrompt(io, secret, existing !== undefined));
  const source = given?.source ?? 'the prompt';
  const current = new Map<string, string>();
  if (existing) {
    const wrong = inspectSecretFile(text!);
    if (wrong.kind !== 'Secret' || wrong.name !== declaration.name || wrong.namespace !== declaration.namespace) {
      throw new Error(`${secret.path} is not the Secret ${secret.id} (kind '${String(wrong.kind)}', metadata ${String(wrong.namespace)}/${String(wrong.name)}). Fix it with \`homelab secrets edit\`, or delete it.`);
    }
    const data = isMapping(existing['data']) ? existing['data'] : {};
    const stringData = isMapping(existing['stringData']) ? existing['stringData'] : {};
    for (const [key, value] of Object.entries(data)) if (typeof value === 'string') current.set(key, Buffer.from(value, 'base64').toString('utf8'));
    for (const [key, value] of Object.entries(stringData)) if (typeof value === 'string') current.set(key, value);
  }
  const missing = declaration.keys.filter((key) => !values.has(key) && !current.has(key));
  if (missing.length > 0) {
    throw new Error(`${secret.id}: no value for ${missing.join(', ')} (in ${source}${existing ? ' or the current file' : ''}). ${existing ? 'Every declared key needs a value' : 'A new secret needs every key'}: ${declaration.keys.join(', ')}.`);
  }
  const merged = new Map(declaration.keys.map((key) => [key, values.get(key) ?? current.get(key)!]));
  const dropped = [...current.keys()].filter((key) => !declaration.keys.includes(key));
  // Keep what the file adds around the values (labels, annotations, type); the values move to stringData.
  const base = existing ? { ...existing } : {};
  delete base['data'];
  const document = { ...base, ...secretManifest(declaration, merged), ...(existing ? { metadata: mergedSecretMetadata(existing['metadata'], declaration) } : {}) };
  const encrypted = await encryptSecret(context, secret, document);
  writeFileAtomic(path, encrypted);
  const kept = declaration.keys.filter((key) => !values.has(key));
  io.out(
    `✔ ${secret.path}: ${text === undefined ? 'created' : 'updated'}; set ${[...values.keys()].join(', ')}` +
      `${kept.length > 0 ? `; kept ${kept.join(', ')}` : ''}${dropped.length > 0 ? `; dropped ${dropped.join(', ')} (no longer declared)` : ''}` +
      `; encrypted for ${context.recipients.length} recipient${context.recipients.length === 1 ? '' : 's'}. Commit it.`,
  );
  if (!secret.deployed) io.err(`⚠ ${secret.component.name}'s Application does not read ${dirname(secret.path)}: this Secret is not applied to the cluster yet.`);
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// rotate

async function rotate(io: Io, context: Context, options: SecretsOptions, args: string[]): Promise<number> {
  if (args.length > 1) throw new UsageError(`rotate takes one secret or --all (got ${args.length} arguments)`);
  if (Boolean(options.all) === (args.length === 1)) throw new UsageError('rotate: name one secret (<namespace>/<name>) or pass --all');
  const paths = options.all ? findSopsFiles(context.root) : [findSecret(context, args[0], 'homelab secrets rotate <namespace>/<name>').path];
  const plans: { path: string; text: string }[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    const text = readIfExists(join(context.root, path));
    if (text === undefined) {
      problems.push(`${path}: missing; nothing to rotate (create it with \`homelab secrets set\`)`);
      continue;
    }
    try {
      const info = inspectSecretFile(text);
      if (!info.encrypted) throw new Error('NOT ENCRYPTED; write it with `homelab secrets set`');
      const { missing, extra } = recipientDifference(info.recipients, context.recipients);
      if (missing.length === 0 && extra.length === 0) io.out(`  current  ${path}`);
      else plans.push({ path, text });
    } catch (error) {
      problems.push(inFile(path, error).message);
    }
  }
  const rotated: { path: string; text: string }[] = [];
  if (plans.length > 0 && problems.length === 0) {
    const identities = loadIdentities(io, options.identity);
    for (const plan of plans) {
      try {
        rotated.push({ path: plan.path, text: await reencrypt(plan.text, { identities, recipients: context.recipients }) });
      } catch (error) {
        problems.push(inFile(plan.path, error).message);
      }
    }
  }
  if (problems.length > 0) {
    for (const problem of problems) io.err(`✖ ${problem}`);
    io.err('Nothing was written.');
    return EXIT_INVALID;
  }
  // Every file re-encrypted in memory before the first is replaced: all or nothing.
  for (const file of rotated) {
    writeFileAtomic(join(context.root, file.path), file.text);
    io.out(`  rotated  ${file.path}`);
  }
  io.out(`✔ ${paths.length} SOPS file${paths.length === 1 ? '' : 's'}: ${rotated.length} re-encrypted for ${context.recipients.length} recipient${context.recipients.length === 1 ? '' : 's'}, ${paths.length - rotated.length} already current.${rotated.length > 0 ? ' Commit them.' : ''}`);
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// edit

/** Checks an edited Secret against its declaration; returns the document to encrypt. */
function checkEdited(secret: DeclaredSecret, text: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = load(text);
  } catch (error) {
    const mark = (error as { mark?: { line?: number } }).mark;
    throw new Error(`the edited file is not valid YAML${mark?.line !== undefined ? ` (line ${mark.line + 1})` : ''}`);
  }
  if (!isMapping(document)) throw new Error('the edited file is not a Kubernetes Secret (a YAML mapping)');
  const metadata = isMapping(document['metadata']) ? document['metadata'] : {};
  const { declaration } = secret;
  if (document['kind'] !== 'Secret' || metadata['name'] !== declaration.name || metadata['namespace'] !== declaration.namespace) {
    throw new Error(`the edit changed what the file is: keep kind Secret, metadata.name ${declaration.name} and metadata.namespace ${declaration.namespace}`);
  }
  const keys: string[] = [];
  for (const field of ['data', 'stringData']) {
    const values = document[field];
    if (values === undefined || values === null) continue;
    if (!isMapping(values)) throw new Error(`${field} must be a mapping of key: value`);
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== 'string') throw new Error(`${field}.${key} is not a string: quote the value`);
      if (value === '') throw new Error(`${field}.${key} is empty: give it a value`);
      keys.push(key);
    }
  }
  const unknown = keys.filter((key) => !declaration.keys.includes(key));
  if (unknown.length > 0) throw new Error(`${secret.id} has no key${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}. Its keys: ${declaration.keys.join(', ')}.`);
  const missing = declaration.keys.filter((key) => !keys.includes(key));
  if (missing.length > 0) throw new Error(`${secret.id} needs a value for ${missing.join(', ')}`);
  return document;
}

/** Runs $EDITOR (or $VISUAL) on the file, through the shell so `code --wait` works. */
function runEditor(editor: string, file: string): void {
  const result = spawnSync('sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
  if (result.error) throw new Error(`could not run the editor '${editor}': ${result.error.message}`);
  if (result.status !== 0) throw new Error(`the editor '${editor}' exited with ${result.status ?? result.signal}; nothing was written`);
}

async function edit(io: Io, context: Context, options: SecretsOptions, args: string[]): Promise<number> {
  if (args.length > 1) throw new UsageError(`edit takes one secret (<namespace>/<name>); ${args.length - 1} more argument${args.length === 2 ? '' : 's'} given (not shown)`);
  const env = io.env ?? {};
  const editor = env['EDITOR'] || env['VISUAL'];
  if (!editor) throw new UsageError('EDITOR is not set: set it to your editor (EDITOR=vi homelab secrets edit …), or use homelab secrets set');
  const secret = findSecret(context, args[0], 'homelab secrets edit <namespace>/<name>');
  if (secret.bootstrap) throw new Error(`${secret.id} cannot be a SOPS file: it is the key that decrypts them. ${secret.declaration.description}`);
  const path = join(context.root, secret.path);
  const text = readIfExists(path);
  const before =
    text === undefined ? secretManifest(secret.declaration, new Map(secret.declaration.keys.map((key) => [key, '']))) : await decryptExisting(io, secret, text, options.identity);
  const dir = mkdtempSync(join(tmpdir(), 'homelab-secret-'));
  const file = join(dir, `${secret.declaration.name}.yaml`);
  try {
    const note =
      `# ${secret.id}: ${secret.declaration.description}\n` +
      `# Keys: ${secret.declaration.keys.join(', ')}. Save and quit to encrypt it into ${secret.path};\n` +
      '# leave it unchanged to write nothing. This plaintext copy is deleted afterwards.\n';
    writeFileSync(file, note + toYaml(before), { mode: 0o600 });
    runEditor(editor, file);
    const after = checkEdited(secret, readFileSync(file, 'utf8'));
    if (text !== undefined && isDeepStrictEqual(after, before)) {
      io.out(`✔ ${secret.path}: no changes; the file is untouched.`);
      return EXIT_OK;
    }
    writeFileAtomic(path, await encryptSecret(context, secret, after));
    io.out(`✔ ${secret.path}: ${text === undefined ? 'created' : 'updated'}; encrypted for ${context.recipients.length} recipient${context.recipients.length === 1 ? '' : 's'}. Commit it.`);
    if (!secret.deployed) io.err(`⚠ ${secret.component.name}'s Application does not read ${dirname(secret.path)}: this Secret is not applied to the cluster yet.`);
    return EXIT_OK;
  } finally {
    try {
      writeFileSync(file, Buffer.alloc(statSync(file).size));
    } catch {
      // The editor may have replaced or removed it; removing the directory is what matters.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

async function run(io: Io, raw: OptionValues, positionals: string[]): Promise<number> {
  const options = raw as SecretsOptions;
  const [name = 'list', ...args] = positionals;
  if (!(name in SUBCOMMANDS)) {
    rejectArgvValues([name]);
    throw new UsageError(`unknown subcommand '${name}' (${Object.keys(SUBCOMMANDS).join(', ')})`);
  }
  const subcommand = name as Subcommand;
  const allowed: readonly string[] = ['config', 'out', ...SUBCOMMANDS[subcommand]];
  const wrong = Object.keys(options).filter((option) => options[option as keyof SecretsOptions] !== undefined && !allowed.includes(option));
  if (wrong.length > 0) throw new UsageError(`${subcommand} does not take --${wrong.join(', --')}`);
  if (subcommand === 'list' && args.length > 0) throw new UsageError(`list takes no arguments (got ${args.length})`);
  const context = loadContext(io, options);
  if (!context) return EXIT_INVALID;
  switch (subcommand) {
    case 'list':
      return list(io, context, options);
    case 'set':
      return set(io, context, options, args);
    case 'rotate':
      return rotate(io, context, options, args);
    case 'edit':
      return edit(io, context, options, args);
  }
}

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'List, set, rotate and edit the SOPS-encrypted secrets components declare',
  help: `homelab secrets: the secrets components declare, as SOPS files encrypted with age

Usage:
  homelab secrets [list] [--check] [--verbose]
  homelab secrets set <namespace>/<name> [--from-env-file FILE] [--from-file KEY=PATH]... [--stdin]
  homelab secrets rotate <namespace>/<name> | --all
  homelab secrets edit <namespace>/<name>

Each secret is one file, kubernetes/<group>/<component>/manifests/<name>.sops.yaml: a Secret
whose data/stringData values are encrypted for secrets.ageRecipients (the rule of the generated
.sops.yaml). ArgoCD decrypts it in the cluster. The files are yours: commit them; 'homelab
generate' never writes or prunes them, and fails when one is not encrypted for exactly
secrets.ageRecipients.

  list     Every declared secret and its state: ok, missing, keys out of date (the file's keys
           differ from the declaration), recipients out of date, not deployed. Reads no key.
  set      Writes the secret. Values come from an env file (KEY=VALUE lines), from files
           (--from-file KEY=PATH: the file's content, e.g. a JSON credentials file), from stdin
           (KEY=VALUE lines), or from a hidden prompt in a terminal; never from arguments. Keys
           must be declared ones. When the file exists, keys you do not give keep their value
           (decrypting it needs an identity); a new secret needs every key.
  rotate   Re-encrypts for secrets.ageRecipients, with a new data key (needs an identity).
           With --all, every SOPS file under kubernetes/; all or nothing.
  edit     Decrypts to a private temporary file, runs $EDITOR on it, checks the keys and
           encrypts the result. A missing secret starts from its declared keys.

Options:
${CONFIG_OPTION_HELP}
  -o, --out DIR            Output root holding kubernetes/ (default: the directory of the config)
      --check              list: exit 1 when a secret is missing or out of date
  -v, --verbose            list: show each secret's file, keys and description
      --from-env-file FILE set: values from KEY=VALUE lines ('#' comments, optional quotes)
      --from-file KEY=PATH set: the value of KEY is the content of PATH (repeatable)
      --stdin              set: values from KEY=VALUE lines on standard input
  -i, --identity FILE      age key file to decrypt with (default: $SOPS_AGE_KEY, then
                           $SOPS_AGE_KEY_FILE, then ~/.config/sops/age/keys.txt)
      --all                rotate: every SOPS file
  -h, --help               Show this help

Exit codes: 0 done, 1 a secret is missing or out of date (list --check) or nothing was written
because of bad input, 2 usage error. A failed command leaves every file as it was.`,
  options: {
    ...CONFIG_OPTION,
    out: { type: 'string', short: 'o' },
    check: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    'from-env-file': { type: 'string' },
    'from-file': { type: 'string', multiple: true },
    stdin: { type: 'boolean' },
    identity: { type: 'string', short: 'i' },
    all: { type: 'boolean' },
  },
  // Arguments are checked here, so that a stray value is refused without being echoed.
  maxPositionals: 64,
  run,
};

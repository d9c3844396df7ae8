/**
 * `homelab secrets`: the command surface of the secret lifecycle (@homelab/secrets). Lists the
 * declared secrets and whether their copies agree, creates them (`init`: generated values from a
 * CSPRNG, external ones from an env file, files or a prompt: never from argv), rotates a generated
 * value everywhere it is carried or re-encrypts for the configured recipients, and edits through
 * $EDITOR. Every write is all or nothing; a failure leaves every file as it was.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { load } from 'js-yaml';
import { suggest } from '@homelab/config';
import { secretValueOf, toYaml } from '@homelab/core';
import { reencrypt } from '@homelab/sops';
import {
  commitWrites,
  describeDisagreement,
  describeFinding,
  describeOrigin,
  disagreements,
  encryptSecret,
  findIdentities,
  findSopsFiles,
  formatProblem,
  inFile,
  inspectSecretFile,
  loadIdentities,
  managedSecrets,
  parseEnvFile,
  planInit,
  planRotateValue,
  planValues,
  readIfExists,
  readSecretFile,
  readSecretFiles,
  recipientDifference,
  SECRET_KEY,
  secretFindings,
  secretManifest,
  secretsTree,
  sharedValues,
  writeFileAtomic,
  type DeclaredSecret,
  type DeclaredValue,
  type FileWrite,
  type SecretsTree,
} from '@homelab/secrets';
import {
  CONFIG_OPTION,
  CONFIG_OPTION_HELP,
  EXIT_INVALID,
  EXIT_OK,
  reportProblems,
  UsageError,
  type Command,
  type Io,
  type OptionValues,
} from '../command.js';
import { composeHomelab } from '@homelab/generator';
import { loadHomelab } from '../user-modules.js';

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
  list: ['check', 'verbose', 'identity'],
  init: ['from-env-file', 'from-file', 'stdin', 'identity'],
  set: ['from-env-file', 'from-file', 'stdin', 'identity'],
  rotate: ['all', 'identity'],
  edit: ['identity'],
} as const satisfies Record<string, readonly (keyof SecretsOptions)[]>;

type Subcommand = keyof typeof SUBCOMMANDS;

async function loadTree(io: Io, options: SecretsOptions): Promise<SecretsTree | undefined> {
  const loaded = await loadHomelab(io, options.config);
  if (!loaded) return undefined;
  const composed = composeHomelab(loaded.config, loaded.modules);
  if (!composed.ok) {
    reportProblems(io, loaded.display, composed.configProblems, composed.outputProblems);
    return undefined;
  }
  const { config } = loaded;
  const root = resolve(io.cwd, options.out ?? dirname(loaded.path));
  return secretsTree(composed.components, { repoURL: config.gitops.repoURL, revision: config.gitops.revision }, root, config.secrets.ageRecipients);
}

/** The declared secret `<namespace>/<name>`, or an error listing the declared ones. */
function findSecret(tree: SecretsTree, id: string | undefined, usage: string): DeclaredSecret {
  if (id === undefined) throw new UsageError(`name the secret: ${usage}`);
  const secret = tree.secrets.find((candidate) => candidate.id === id);
  if (secret) return secret;
  const ids = tree.secrets.map((candidate) => candidate.id);
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

const identityOptions = (io: Io, option: string | undefined) => ({ file: option, env: io.env ?? {}, cwd: io.cwd });

/** Identities, loaded on first use: a command that finds no file to decrypt needs none. */
function lazyIdentities(io: Io, option: string | undefined, extra: readonly string[] = []): () => readonly string[] {
  let identities: readonly string[] | undefined;
  return () => {
    if (identities) return identities;
    const found = extra.length > 0 ? findIdentities(identityOptions(io, option)) : loadIdentities(identityOptions(io, option));
    identities = [...extra, ...(found?.identities ?? [])];
    return identities;
  };
}

const isMapping = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

// ---------------------------------------------------------------------------------------------
// list

/** Decrypts every file and compares the copies of each shared value; reports, returns whether they agree. */
async function checkAgreement(io: Io, tree: SecretsTree, options: SecretsOptions): Promise<boolean> {
  const found = findIdentities(identityOptions(io, options.identity));
  if (!found) {
    io.out('⚠ agreement of shared values NOT checked: no age identity (pass --identity FILE, or set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY).');
    return true;
  }
  const files = await readSecretFiles(tree, () => found.identities);
  const differing = disagreements(tree, files);
  for (const disagreement of differing) io.out(`✖ ${describeDisagreement(disagreement)}`);
  const shared = sharedValues(tree, files);
  const agreeing = shared.filter((declared) => !differing.some((entry) => entry.value === declared.value.id));
  if (agreeing.length > 0) io.out(`✔ copies agree: ${agreeing.map((declared) => `${declared.value.id} (${declared.carriers.map((carrier) => carrier.secret.id).join(', ')})`).join('; ')}`);
  return differing.length === 0;
}

async function list(io: Io, tree: SecretsTree, options: SecretsOptions): Promise<number> {
  const rows: [string, string, string][] = [];
  let notOk = 0;
  let missing = 0;
  let recipients = 0;
  for (const secret of tree.secrets) {
    if (secret.bootstrap) {
      rows.push([secret.id, secret.component.name, 'bootstrap: created by hand, never in git']);
      continue;
    }
    const findings = secretFindings(secret, readIfExists(join(tree.root, secret.path)), tree.recipients);
    if (findings.length > 0) notOk++;
    if (findings.some((finding) => finding.code === 'missing')) missing++;
    if (findings.some((finding) => finding.code === 'recipients')) recipients++;
    rows.push([secret.id, secret.component.name, findings.length === 0 ? 'ok (encrypted)' : findings.map(describeFinding).join('; ')]);
  }
  const declaredPaths = new Set(tree.secrets.map((secret) => secret.path));
  const undeclared = findSopsFiles(tree.root).filter((path) => !declaredPaths.has(path));
  const header: [string, string, string] = ['SECRET', 'COMPONENT', 'STATE'];
  const width = (column: 0 | 1) => Math.max(header[column].length, ...rows.map((row) => row[column].length)) + 2;
  const line = (row: [string, string, string]) => `${row[0].padEnd(width(0))}${row[1].padEnd(width(1))}${row[2]}`;
  io.out(line(header));
  for (const [index, row] of rows.entries()) {
    io.out(line(row));
    if (options.verbose) {
      const secret = tree.secrets[index]!;
      io.out(`    file: ${secret.path}`);
      io.out(`    ${secret.declaration.description}`);
      for (const key of secret.declaration.keys) {
        const value = secretValueOf(secret.declaration, key);
        const copies = tree.values.find((declared) => declared.value.id === value.id)!.carriers.filter((carrier) => carrier.secret !== secret);
        io.out(`    ${key}: ${value.id}, ${describeOrigin(value)}${copies.length > 0 ? `; also in ${copies.map((carrier) => `${carrier.secret.id} key ${carrier.key}`).join(', ')}` : ''}`);
        if (value.description !== secret.declaration.description) io.out(`      ${value.description}`);
      }
    }
  }
  for (const path of undeclared) io.out(`⚠ ${path}: no component declares this secret (a removed or renamed declaration?)`);
  const managed = managedSecrets(tree).length;
  io.out(`${notOk === 0 ? '✔' : '✖'} ${plural(managed, 'secret')} in SOPS files: ${managed - notOk} ok, ${notOk} to fix`);
  if (missing > 0) io.out('  Create them: homelab secrets init --from-env-file FILE (generated values are made for you; --verbose says what each holds).');
  if (recipients > 0) io.out('  Re-encrypt for secrets.ageRecipients: homelab secrets rotate --all');
  const agree = options.check ? await checkAgreement(io, tree, options) : true;
  return options.check && (notOk > 0 || !agree) ? EXIT_INVALID : EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// values from the command line's sources

/** The values given on the command line's sources (env file, files, stdin), by key, each with where it came from. */
async function valuesFromSources(io: Io, options: SecretsOptions): Promise<{ values: Map<string, string>; sourceOf: Map<string, string>; source: string } | undefined> {
  const values = new Map<string, string>();
  const sourceOf = new Map<string, string>();
  const sources: string[] = [];
  const addAll = (entries: Map<string, string>, source: string) => {
    for (const [key, value] of entries) {
      if (values.has(key)) throw new Error(`${key} is given twice (again in ${source})`);
      values.set(key, value);
      sourceOf.set(key, source);
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
  return sources.length > 0 ? { values, sourceOf, source: sources.join(', ') } : undefined;
}

/** Throws naming the source and key when a given text cannot be the value (never quoting it). */
function checkFormat(declared: DeclaredValue, text: string, source: string, key: string): void {
  const problem = formatProblem(declared.value, text);
  if (problem) throw new Error(`${source}: ${key} ${problem} (value ${declared.value.id}). Nothing was written.`);
}

// ---------------------------------------------------------------------------------------------
// init

/** Prints and commits a plan; all or nothing. */
function commit(io: Io, tree: SecretsTree, writes: readonly FileWrite[]): void {
  commitWrites(tree.root, writes);
  for (const write of writes) io.out(`  ${write.before === undefined ? 'created' : 'updated'}  ${write.secret.path}`);
  for (const write of writes) {
    if (!write.secret.deployed) io.err(`⚠ ${write.secret.component.name}'s Application does not read ${dirname(write.secret.path)}: this Secret is not applied to the cluster yet.`);
  }
}

async function init(io: Io, tree: SecretsTree, options: SecretsOptions, args: string[]): Promise<number> {
  rejectArgvValues(args);
  if (args.length > 0) throw new UsageError(`init takes no arguments (got ${args.length}, not shown)`);
  const byEnv = new Map(tree.values.map((declared) => [declared.env, declared]));
  const given = await valuesFromSources(io, options);
  const assigned = new Map<string, string>();
  const bootstrapIdentities: string[] = [];
  for (const [key, text] of given?.values ?? []) {
    const source = given!.sourceOf.get(key)!;
    const declared = byEnv.get(key);
    if (!declared) {
      const guess = suggest(key, [...byEnv.keys()]);
      throw new Error(`${source}: ${key} is not a declared secret value.${guess ? ` Did you mean ${guess}?` : ''} Declared: ${[...byEnv.keys()].join(', ')}. Nothing was written.`);
    }
    checkFormat(declared, text, source, key);
    // The bootstrap key is never written to git; given, it decrypts the existing files.
    if (declared.carriers.every((carrier) => carrier.secret.bootstrap)) bootstrapIdentities.push(...text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.startsWith('AGE-SECRET-KEY-')));
    else assigned.set(declared.value.id, text);
  }
  const files = await readSecretFiles(tree, lazyIdentities(io, options.identity, bootstrapIdentities));
  if (!given && io.stdinIsTTY && io.prompt) {
    for (const declared of tree.values) {
      if (declared.value.generate || declared.carriers.every((carrier) => carrier.secret.bootstrap)) continue;
      if (declared.carriers.some((carrier) => files.get(carrier.secret.id)?.values.has(carrier.key))) continue;
      io.err(`${declared.value.id}: ${declared.value.description}`);
      const text = await io.prompt(`  ${declared.env}: `);
      checkFormat(declared, text, 'the prompt', declared.env);
      assigned.set(declared.value.id, text);
    }
  }
  const plan = await planInit(tree, files, assigned);
  commit(io, tree, plan.writes);
  const written = plan.writes.length;
  io.out(
    `✔ ${plural(managedSecrets(tree).length, 'secret')}: ${written} written, ${managedSecrets(tree).length - written} already up to date` +
      `${plan.generated.length > 0 ? `; generated ${plan.generated.join(', ')}` : ''}; encrypted for ${plural(tree.recipients.length, 'recipient')}.${written > 0 ? ' Commit them.' : ''}`,
  );
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// set

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

async function set(io: Io, tree: SecretsTree, options: SecretsOptions, args: string[]): Promise<number> {
  rejectArgvValues(args);
  const [id, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`set takes one secret (<namespace>/<name>); ${extra.length} more argument${extra.length === 1 ? '' : 's'} given (not shown)`);
  const secret = findSecret(tree, id, 'homelab secrets set <namespace>/<name>');
  const { declaration } = secret;
  if (secret.bootstrap) {
    throw new Error(`${secret.id} cannot be a SOPS file: it is the key that decrypts them. ${declaration.description}`);
  }
  const given = await valuesFromSources(io, options);
  if (!given && !(io.stdinIsTTY && io.prompt)) {
    throw new UsageError('no values given: pass --from-env-file FILE, --from-file KEY=PATH or --stdin (KEY=VALUE lines), or run in a terminal to be prompted');
  }
  if (given) checkGivenKeys(secret, given.values, given.source);
  // Decrypt before prompting: a wrong identity or a damaged file stops here, before anyone types a value.
  // Read: this secret and every other Secret that carries one of its values.
  const carrying = tree.values
    .filter((declared) => declared.carriers.some((carrier) => carrier.secret === secret))
    .flatMap((declared) => declared.carriers.map((carrier) => carrier.secret));
  const files = await readSecretFiles(tree, lazyIdentities(io, options.identity), carrying);
  const existing = files.get(secret.id);
  const values = given?.values ?? (await valuesFromPrompt(io, secret, existing !== undefined));
  const source = given?.source ?? 'the prompt';
  const missing = declaration.keys.filter((key) => !values.has(key) && !existing?.values.has(key));
  if (missing.length > 0) {
    throw new Error(`${secret.id}: no value for ${missing.join(', ')} (in ${source}${existing ? ' or the current file' : ''}). ${existing ? 'Every declared key needs a value' : 'A new secret needs every key'}: ${declaration.keys.join(', ')}.`);
  }
  // A value carried by other Secrets changes there too, so that the copies keep agreeing.
  const assignments = new Map<string, string>();
  for (const [key, text] of values) {
    const declared = tree.values.find((entry) => entry.value.id === secretValueOf(declaration, key).id)!;
    checkFormat(declared, text, source, key);
    assignments.set(declared.value.id, text);
  }
  const others = tree.values
    .filter((declared) => assignments.has(declared.value.id))
    .flatMap((declared) => declared.carriers.map((carrier) => carrier.secret))
    .filter((other, index, all) => other !== secret && !other.bootstrap && files.has(other.id) && all.indexOf(other) === index);
  const writes = await planValues(tree, files, assignments, [secret, ...others]);
  commitWrites(tree.root, writes);
  const kept = declaration.keys.filter((key) => !values.has(key));
  const dropped = [...(existing?.values.keys() ?? [])].filter((key) => !declaration.keys.includes(key));
  io.out(
    `✔ ${secret.path}: ${existing ? 'updated' : 'created'}; set ${[...values.keys()].join(', ')}` +
      `${kept.length > 0 ? `; kept ${kept.join(', ')}` : ''}${dropped.length > 0 ? `; dropped ${dropped.join(', ')} (no longer declared)` : ''}` +
      `${others.length > 0 ? `; also updated ${others.map((other) => other.path).join(', ')}, which carry the same values` : ''}` +
      `; encrypted for ${plural(tree.recipients.length, 'recipient')}. Commit it.`,
  );
  if (!secret.deployed) io.err(`⚠ ${secret.component.name}'s Application does not read ${dirname(secret.path)}: this Secret is not applied to the cluster yet.`);
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// rotate

/** `rotate <value>`: a new generated value in every file that carries it. */
async function rotateValue(io: Io, tree: SecretsTree, options: SecretsOptions, declared: DeclaredValue): Promise<number> {
  const files = await readSecretFiles(tree, lazyIdentities(io, options.identity), declared.carriers.map((carrier) => carrier.secret));
  const writes = await planRotateValue(tree, files, declared);
  commit(io, tree, writes);
  io.out(`✔ ${declared.value.id}: a new value in ${plural(writes.length, 'file')} (${writes.map((write) => `${write.secret.path} key ${declared.carriers.find((carrier) => carrier.secret === write.secret)!.key}`).join(', ')}). Commit them; the apps read it at their next start.`);
  return EXIT_OK;
}

/** `rotate <namespace>/<name>` or `--all`: re-encryption for secrets.ageRecipients, with a new data key. */
async function rotateRecipients(io: Io, tree: SecretsTree, options: SecretsOptions, paths: string[]): Promise<number> {
  const plans: { path: string; text: string }[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    const text = readIfExists(join(tree.root, path));
    if (text === undefined) {
      problems.push(`${path}: missing; nothing to rotate (create it with \`homelab secrets init\`)`);
      continue;
    }
    try {
      const info = inspectSecretFile(text);
      if (!info.encrypted) throw new Error('NOT ENCRYPTED; write it with `homelab secrets set`');
      const { missing, extra } = recipientDifference(info.recipients, tree.recipients);
      if (missing.length === 0 && extra.length === 0) io.out(`  current  ${path}`);
      else plans.push({ path, text });
    } catch (error) {
      problems.push(inFile(path, error).message);
    }
  }
  const rotated: { path: string; text: string }[] = [];
  if (plans.length > 0 && problems.length === 0) {
    const { identities } = loadIdentities(identityOptions(io, options.identity));
    for (const plan of plans) {
      try {
        rotated.push({ path: plan.path, text: await reencrypt(plan.text, { identities, recipients: [...tree.recipients] }) });
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
    writeFileAtomic(join(tree.root, file.path), file.text);
    io.out(`  rotated  ${file.path}`);
  }
  io.out(`✔ ${plural(paths.length, 'SOPS file')}: ${rotated.length} re-encrypted for ${plural(tree.recipients.length, 'recipient')}, ${paths.length - rotated.length} already current.${rotated.length > 0 ? ' Commit them.' : ''}`);
  return EXIT_OK;
}

async function rotate(io: Io, tree: SecretsTree, options: SecretsOptions, args: string[]): Promise<number> {
  if (args.length > 1) throw new UsageError(`rotate takes one value, one secret or --all (got ${args.length} arguments)`);
  if (Boolean(options.all) === (args.length === 1)) throw new UsageError('rotate: name one value (e.g. argocd/oidc-client-secret), one secret (<namespace>/<name>) or pass --all');
  if (options.all) return rotateRecipients(io, tree, options, findSopsFiles(tree.root));
  const [name] = args as [string];
  const declared = tree.values.find((entry) => entry.value.id === name);
  if (declared) return rotateValue(io, tree, options, declared);
  if (tree.secrets.some((secret) => secret.id === name)) return rotateRecipients(io, tree, options, [findSecret(tree, name, '').path]);
  const names = [...tree.values.filter((entry) => entry.value.generate).map((entry) => entry.value.id), ...tree.secrets.map((secret) => secret.id)];
  const guess = suggest(name, names);
  throw new Error(`'${name}' is neither a declared secret value nor a declared secret. ${guess ? `Did you mean '${guess}'? ` : ''}Generated values: ${tree.values.filter((entry) => entry.value.generate).map((entry) => entry.value.id).join(', ') || 'none'}.`);
}

// ---------------------------------------------------------------------------------------------
// edit

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


async function edit(io: Io, tree: SecretsTree, options: SecretsOptions, args: string[]): Promise<number> {
  if (args.length > 1) throw new UsageError(`edit takes one secret (<namespace>/<name>); ${args.length - 1} more argument${args.length === 2 ? '' : 's'} given (not shown)`);
  const env = io.env ?? {};
  const editor = env['EDITOR'] || env['VISUAL'];
  if (!editor) throw new UsageError('EDITOR is not set: set it to your editor (EDITOR=vi homelab secrets edit …), or use homelab secrets set');
  const secret = findSecret(tree, args[0], 'homelab secrets edit <namespace>/<name>');
  if (secret.bootstrap) throw new Error(`${secret.id} cannot be a SOPS file: it is the key that decrypts them. ${secret.declaration.description}`);
  const path = join(tree.root, secret.path);
  const text = readIfExists(path);
  const before =
    text === undefined
      ? secretManifest(secret.declaration, new Map(secret.declaration.keys.map((key) => [key, ''])))
      : (await readSecretFile(secret, text, loadIdentities(identityOptions(io, options.identity)).identities)).document;
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
    writeFileAtomic(path, await encryptSecret(secret, after, tree.recipients));
    io.out(`✔ ${secret.path}: ${text === undefined ? 'created' : 'updated'}; encrypted for ${plural(tree.recipients.length, 'recipient')}. Commit it.`);
    const shared = secret.declaration.keys.filter((key) => (tree.values.find((entry) => entry.value.id === secretValueOf(secret.declaration, key).id)?.carriers.length ?? 0) > 1);
    if (shared.length > 0) io.err(`⚠ ${shared.join(', ')} ${shared.length === 1 ? 'is' : 'are'} also carried by other Secrets: homelab secrets list --check says whether the copies still agree.`);
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
  const tree = await loadTree(io, options);
  if (!tree) return EXIT_INVALID;
  switch (subcommand) {
    case 'list':
      return list(io, tree, options);
    case 'init':
      return init(io, tree, options, args);
    case 'set':
      return set(io, tree, options, args);
    case 'rotate':
      return rotate(io, tree, options, args);
    case 'edit':
      return edit(io, tree, options, args);
  }
}

/** The help's options: flags, then the description's lines (one column for all, two spaces past the widest flags). */
const OPTION_HELP: [string, ...string[]][] = [
  [CONFIG_OPTION_HELP.replace(/^(\s*-c, --config FILE)\s+.*$/, '$1'), CONFIG_OPTION_HELP.replace(/^\s*-c, --config FILE\s+/, '')],
  ['  -o, --out DIR', 'Output root holding kubernetes/ (default: the directory of the config)'],
  ['      --check', 'list: exit 1 when a secret is missing or out of date, or copies differ'],
  ['  -v, --verbose', "list: show each secret's file, description and values"],
  ['      --from-env-file FILE', "init, set: values from KEY=VALUE lines ('#' comments, quotes)"],
  ['      --from-file KEY=PATH', 'init, set: the value of KEY is the content of PATH (repeatable)'],
  ['      --stdin', 'init, set: values from KEY=VALUE lines on standard input'],
  ['  -i, --identity FILE', 'age key file to decrypt with (default: $SOPS_AGE_KEY, then', '$SOPS_AGE_KEY_FILE, then ~/.config/sops/age/keys.txt)'],
  ['      --all', 'rotate: every SOPS file'],
  ['  -h, --help', 'Show this help'],
];
const OPTION_COLUMN = Math.max(...OPTION_HELP.map(([flags]) => flags.length)) + 2;
const optionsHelp = OPTION_HELP.flatMap(([flags, ...lines]) => lines.map((line, index) => `${(index === 0 ? flags : '').padEnd(OPTION_COLUMN)}${line}`)).join('\n');

export const secretsCommand: Command = {
  name: 'secrets',
  summary: 'Create, list, rotate and edit the SOPS-encrypted secrets components declare',
  help: `homelab secrets: the secrets components declare, as SOPS files encrypted with age

Usage:
  homelab secrets [list] [--check] [--verbose]
  homelab secrets init [--from-env-file FILE] [--from-file VALUE=PATH]... [--stdin]
  homelab secrets set <namespace>/<name> [--from-env-file FILE] [--from-file KEY=PATH]... [--stdin]
  homelab secrets rotate <value> | <namespace>/<name> | --all
  homelab secrets edit <namespace>/<name>

Each secret is one file, kubernetes/<group>/<component>/manifests/<name>.sops.yaml: a Secret
whose data/stringData values are encrypted for secrets.ageRecipients (the rule of the generated
.sops.yaml). ArgoCD decrypts it in the cluster. The files are yours: commit them; 'homelab
generate' never writes or prunes them, and fails when one is not encrypted for exactly
secrets.ageRecipients.

Each key carries a declared value. A value is generated (the homelab owns it: made with a CSPRNG)
or external (comes from outside: list --verbose says how to obtain it). A value carried by several
Secrets (an OIDC client secret: the app's copy and the identity provider's) is written to all.

  list     Every declared secret and its state: ok, missing, keys out of date (the file's keys
           differ from the declaration), recipients out of date, not deployed. With --check and an
           identity, also decrypts and checks that the copies of each shared value agree.
  init     Creates every missing value: generated ones with a CSPRNG, external ones from the env
           file (KEY=VALUE lines, KEY the value's env name, list --verbose shows them), files or a
           prompt; writes every SOPS file that carries them. Re-running changes nothing.
  set      Writes one secret. Values come from an env file (KEY=VALUE lines), from files
           (--from-file KEY=PATH: the file's content, e.g. a JSON credentials file), from stdin
           (KEY=VALUE lines), or from a hidden prompt in a terminal; never from arguments. Keys
           must be declared ones; other Secrets carrying the same value are updated too.
  rotate   With a generated value (e.g. argocd/oidc-client-secret): a new value in every file
           that carries it, all or nothing. With a secret or --all: re-encrypts for
           secrets.ageRecipients with a new data key. Both need an identity.
  edit     Decrypts to a private temporary file, runs $EDITOR on it, checks the keys and
           encrypts the result. A missing secret starts from its declared keys.

Options:
${optionsHelp}

Exit codes: 0 done, 1 a secret is missing or out of date or copies differ (list --check) or nothing
was written because of bad input, 2 usage error. A failed command leaves every file as it was.`,
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

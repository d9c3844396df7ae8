/**
 * `homelab secrets` end to end, in temporary copies of the seed homelab.yaml, with real age keys
 * (age-keygen). Every failing command must leave the files byte for byte as they were.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dump, load, loadAll } from 'js-yaml';
import { secretValueOf, type GeneratedFile } from '@homelab/core';
import { decryptYaml, encryptYaml, identitiesFromKeyFile, isEncrypted, recipientsOf } from '@homelab/sops';
import { runCli, type CliOptions } from './testing/run-cli.js';
import { COMMANDS } from './commands/index.js';
import { checkRendered } from './commands/generate.js';
import { secretsCommand } from './commands/secrets.js';
import { composeHomelab, MANIFEST_PATH, renderHomelab } from '@homelab/generator';
import { defaultArtifacts, defaultModules } from './modules.js';
import { declaredSecrets, declaredValues, parseEnvFile, shortKey, SOPS_FILE_SUFFIX, SOPS_PATH_REGEX, type DeclaredSecret } from '@homelab/secrets';
import { seedConfig, seedConfigPath, snapshotTree } from '@homelab/testing';

const AGE_KEYGEN = spawnSync('age-keygen', ['--version'], { stdio: 'ignore' }).status === 0;
if (!AGE_KEYGEN) console.warn('age-keygen not found (Debian package age): homelab secrets end-to-end tests SKIPPED');

const commands = COMMANDS.some((command) => command.name === secretsCommand.name) ? COMMANDS : [...COMMANDS, secretsCommand];

/** The declared secrets of the seed: the tests pick their subjects from them instead of naming any. */
const SEED = seedConfigPath();
const seed = seedConfig();
const composed = composeHomelab(seed, defaultModules);
if (!composed.ok) throw new Error('the seed does not compose');
const secrets = declaredSecrets(composed.components, { repoURL: seed.gitops.repoURL, revision: seed.gitops.revision });
const managed = secrets.filter((secret) => !secret.bootstrap && secret.deployed);
const values = declaredValues(secrets);
const valueOf = (secret: DeclaredSecret, key: string) => values.find((declared) => declared.value.id === secretValueOf(secret.declaration, key).id)!;
/** Subjects for the per-secret tests: no key shares its value with another Secret, and any text is a valid value. */
const standalone = (secret: DeclaredSecret) => secret.declaration.keys.every((key) => valueOf(secret, key).carriers.length === 1 && (valueOf(secret, key).value.format ?? 'text') === 'text');
const single = managed.find((secret) => secret.declaration.keys.length === 1 && standalone(secret))!;
const multi = managed.find((secret) => secret.declaration.keys.length >= 2 && standalone(secret))!;
const bootstrap = secrets.find((secret) => secret.bootstrap)!;
/** A standalone secret whose component the seed renders and checks without (others depend on some, e.g. cert-manager). */
let removable: DeclaredSecret;
beforeAll(async () => {
  const quiet = { out: () => {}, err: () => {}, cwd: tmpdir(), now: () => 0 };
  for (const secret of managed.filter(standalone)) {
    const rendered = renderHomelab({ ...seed, components: { ...seed.components, [secret.component.name]: { enabled: false } } }, defaultModules, { artifacts: defaultArtifacts });
    if (rendered.ok && (await checkRendered(quiet, rendered.files, { quiet: true }))) {
      removable = secret;
      return;
    }
  }
  throw new Error('every standalone secret belongs to a component the seed needs');
});

interface Key {
  file: string;
  recipient: string;
  identities: string[];
}

let keys: string;
let key1: Key;
let key2: Key;
let key3: Key;

function keygen(name: string): Key {
  const file = join(keys, name);
  execFileSync('age-keygen', ['-o', file], { stdio: 'ignore' });
  const text = readFileSync(file, 'utf8');
  return { file, recipient: /public key: (age1\S+)/.exec(text)![1]!, identities: identitiesFromKeyFile(text) };
}

beforeAll(() => {
  if (!AGE_KEYGEN) return;
  keys = mkdtempSync(join(tmpdir(), 'homelab-keys-'));
  [key1, key2, key3] = [keygen('one.txt'), keygen('two.txt'), keygen('three.txt')];
});

let home: string;
let userHome: string;

function setRecipients(...recipients: Key[]): void {
  editConfig((config) => {
    config.secrets.ageRecipients = recipients.map((key) => key.recipient);
  });
}

function editConfig(edit: (config: Record<string, any>) => void): void {
  const config = load(readFileSync(join(home, 'homelab.yaml'), 'utf8')) as Record<string, any>;
  edit(config);
  writeFileSync(join(home, 'homelab.yaml'), dump(config));
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'homelab-secrets-'));
  userHome = mkdtempSync(join(tmpdir(), 'homelab-user-'));
  cpSync(SEED, join(home, 'homelab.yaml'));
  if (AGE_KEYGEN) setRecipients(key1);
});

const run = (argv: string[], options: Pick<CliOptions, 'stdin' | 'answers' | 'env'> = {}) =>
  runCli(argv, { ...options, cwd: home, env: { HOME: userHome, ...options.env }, commands });

const fileOf = (secret: DeclaredSecret) => join(home, secret.path);
const read = (secret: DeclaredSecret) => readFileSync(fileOf(secret), 'utf8');
const decrypt = async (secret: DeclaredSecret, key: Key) => decryptYaml(read(secret), { identities: key.identities });

/** An env file outside the tree with a value for each key: `<key>-value-<tag>`. */
function envFile(secret: DeclaredSecret, tag: string, only = secret.declaration.keys): string {
  const path = join(mkdtempSync(join(tmpdir(), 'homelab-env-')), 'values.env');
  writeFileSync(path, `# values for ${secret.id}\n${only.map((key) => `${key}=${key}-value-${tag}`).join('\n')}\n`);
  return path;
}

const expected = (secret: DeclaredSecret, tag: string) => Object.fromEntries(secret.declaration.keys.map((key) => [key, `${key}-value-${tag}`]));

/** The row of `homelab secrets list` for a secret. */
const row = (out: string, secret: DeclaredSecret) => out.split('\n').find((line) => line.startsWith(`${secret.id} `)) ?? '';

describe('the seed declares what these tests need', () => {
  it('a one-key and a several-key secret in directories ArgoCD reads, and the bootstrap key', () => {
    expect(single).toBeDefined();
    expect(multi).toBeDefined();
    expect(bootstrap).toBeDefined();
  });
});

describe('homelab secrets --help', () => {
  it('starts every option description in one column, two spaces or more past the widest flags', () => {
    const options = secretsCommand.help.slice(secretsCommand.help.indexOf('\nOptions:\n') + 10, secretsCommand.help.indexOf('\n\nExit codes:')).split('\n');
    expect(options.length).toBeGreaterThanOrEqual(Object.keys(secretsCommand.options).length);
    const columns = options.map((line) => /^(\s*(?:-\w, )?(?:--\S+(?: [A-Z=]+)?)?)\s{2,}\S/.exec(line)?.[0].length);
    expect(columns.every((column) => column !== undefined), options.join('\n')).toBe(true);
    expect(new Set(columns).size, options.join('\n')).toBe(1);
    for (const name of Object.keys(secretsCommand.options)) expect(options.some((line) => line.includes(`--${name}`)), name).toBe(true);
  });
});

describe('where SOPS files live', () => {
  it('in the manifests directory of the declaring component, named like the Secret, matching .sops.yaml and the ArgoCD plugin pattern', () => {
    for (const secret of secrets) {
      expect(secret.path).toBe(`kubernetes/${secret.component.group}/${secret.component.name}/manifests/${secret.declaration.name}${SOPS_FILE_SUFFIX}`);
      expect(new RegExp(SOPS_PATH_REGEX).test(secret.path), secret.path).toBe(true);
      // The plugin's discovery and its `case` use shell globbing on the file name.
      const name = secret.path.slice(secret.path.lastIndexOf('/') + 1);
      expect(spawnSync('sh', ['-c', `case "$1" in ${'*.sops.yaml'}) exit 0;; *) exit 1;; esac`, 'sh', name]).status, name).toBe(0);
    }
  });
});

describe('SOPS files are in the tree ArgoCD reads', () => {
  const result = renderHomelab(seed, defaultModules, { artifacts: defaultArtifacts });
  if (!result.ok) throw new Error('the seed does not render');

  /** Files reached from the root Application the way ArgoCD walks: directory sources (top level) and $values files. */
  function reachable(files: GeneratedFile[]): Set<string> {
    const reached = new Set<string>();
    const visitDir = (dir: string) => {
      for (const file of files) {
        if (dirname(file.path) !== dir || !/\.ya?ml$/.test(file.path) || reached.has(file.path)) continue;
        reached.add(file.path);
        for (const doc of loadAll(file.content) as { kind?: string; spec: { source?: { path?: string }; sources?: { path?: string }[] } }[]) {
          if (doc?.kind === 'Application') for (const source of doc.spec.sources ?? [doc.spec.source!]) if (source.path) visitDir(source.path);
        }
      }
    };
    visitDir(dirname('kubernetes/bootstrap/app-of-apps/root.yaml'));
    return reached;
  }

  const withSopsFiles = (chosen: DeclaredSecret[]) => [...result.files, ...chosen.map((secret) => ({ path: secret.path, content: 'sops: {}\n', source: 'homelab secrets' }))];

  it('a SOPS file in the manifests directory of a component whose Application reads it is reached from the root', () => {
    const deployed = secrets.filter((secret) => secret.deployed);
    expect(deployed.length).toBeGreaterThan(0);
    const reached = reachable(withSopsFiles(deployed));
    expect(deployed.map((secret) => secret.path).filter((path) => !reached.has(path))).toEqual([]);
  });

  it('"deployed" agrees with the walk: a secret is deployed exactly when its file would be reached', () => {
    const reached = reachable(withSopsFiles(secrets));
    for (const secret of secrets) expect(reached.has(secret.path), secret.path).toBe(secret.deployed);
  });

  it('every declared secret but the bootstrap key can be deployed', () => {
    expect(secrets.filter((secret) => !secret.bootstrap && !secret.deployed).map((secret) => secret.id)).toEqual([]);
  });
});

describe('env files', () => {
  it('reads KEY=VALUE lines with comments, export, quotes and = in values', () => {
    const values = parseEnvFile('# c\n\nexport a=1\nb = two words \nc="x\\ny"\nd=\'$no "escape"\'\ne=k=v==\n', 'f');
    expect(Object.fromEntries(values)).toEqual({ a: '1', b: 'two words', c: 'x\ny', d: '$no "escape"', e: 'k=v==' });
  });

  it('names the line of a mistake, never its content', () => {
    expect(() => parseEnvFile('a=1\nhunter2\n', 'f')).toThrow(/^f, line 2: not a KEY=VALUE line$/);
    expect(() => parseEnvFile('a=1\na=hunter2\n', 'f')).toThrow(/^f, line 2: a is set twice$/);
    expect(() => parseEnvFile('a="hunter2\n', 'f')).toThrow(/^f, line 1: unterminated double quote$/);
  });
});

describe.skipIf(!AGE_KEYGEN)('homelab secrets', () => {
  it('lists every declared secret as missing, the bootstrap key apart; --check fails until all are set', async () => {
    const result = await run(['secrets']);
    expect(result.code).toBe(0);
    expect(result.out.split('\n')[0]).toMatch(/^SECRET\s+COMPONENT\s+STATE$/);
    for (const secret of secrets.filter((s) => !s.bootstrap)) expect(row(result.out, secret)).toMatch(new RegExp(`^${secret.id}\\s+${secret.component.name}\\s+missing`));
    expect(row(result.out, bootstrap)).toMatch(/bootstrap: created by hand, never in git$/);
    const count = secrets.filter((s) => !s.bootstrap).length;
    expect(result.out).toContain(`✖ ${count} secrets in SOPS files: 0 ok, ${count} to fix`);
    expect((await run(['secrets', 'list', '--check'])).code).toBe(1);
    const verbose = await run(['secrets', 'list', '--verbose']);
    expect(verbose.out).toContain(`    file: ${single.path}`);
    expect(verbose.out).toContain(`    ${single.declaration.description}`);
  });

  it('set --from-env-file writes an encrypted Secret for the configured recipients; the values never show', async () => {
    const result = await run(['secrets', 'set', single.id, '--from-env-file', envFile(single, 'a')]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toBe(`✔ ${single.path}: created; set ${single.declaration.keys.join(', ')}; encrypted for 1 recipient. Commit it.`);
    const text = read(single);
    expect(isEncrypted(text)).toBe(true);
    expect(recipientsOf(text)).toEqual([key1.recipient]);
    expect(text).not.toContain('-value-a');
    expect(text).toContain('encrypted_regex: ^(data|stringData)$');
    expect(await decrypt(single, key1)).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: single.declaration.name,
        namespace: single.declaration.namespace,
        ...(single.declaration.labels ? { labels: single.declaration.labels } : {}),
      },
      stringData: expected(single, 'a'),
    });
    const list = await run(['secrets', 'list']);
    expect(row(list.out, single)).toMatch(/ok \(encrypted\)$/);
    expect(list.out).not.toContain('-value-');
  });

  it('set --stdin reads KEY=VALUE lines; --from-file takes a whole file as one value', async () => {
    const stdin = multi.declaration.keys.map((key) => `${key}=${key}-value-s`).join('\n');
    expect((await run(['secrets', 'set', multi.id, '--stdin'], { stdin })).code).toBe(0);
    expect((await decrypt(multi, key1))['stringData']).toEqual(expected(multi, 's'));

    const json = join(keys, 'credentials.json');
    writeFileSync(json, '{\n  "AccountTag": "x",\n  "TunnelSecret": "y"\n}\n');
    const [key] = single.declaration.keys;
    expect((await run(['secrets', 'set', single.id, '--from-file', `${key}=${json}`])).code).toBe(0);
    expect((await decrypt(single, key1))['stringData']).toEqual({ [key!]: readFileSync(json, 'utf8') });
  });

  it('prompts for each key without echo when stdin is a terminal', async () => {
    const answers = multi.declaration.keys.map((key) => `${key}-value-p`);
    const result = await run(['secrets', 'set', multi.id], { answers });
    expect(result.code).toBe(0);
    expect(result.questions).toEqual(multi.declaration.keys.map((key) => `  ${key}: `));
    expect((await decrypt(multi, key1))['stringData']).toEqual(expected(multi, 'p'));
    // Updating: Enter keeps the current value (the file is decrypted first, so the identity is needed).
    const update = await run(['secrets', 'set', multi.id, '--identity', key1.file], { answers: ['', 'changed-value'] });
    expect(update.code).toBe(0);
    expect(update.questions[0]).toContain('(Enter keeps the current value)');
    const [first, second] = multi.declaration.keys;
    expect((await decrypt(multi, key1))['stringData']).toMatchObject({ [first!]: `${first}-value-p`, [second!]: 'changed-value' });
  });

  it('without a source and without a terminal, asks for one', async () => {
    const result = await run(['secrets', 'set', single.id]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('no values given: pass --from-env-file FILE, --from-file KEY=PATH or --stdin');
  });

  it('refuses values in arguments without echoing them', async () => {
    const [key] = single.declaration.keys;
    const withKey = await run(['secrets', 'set', single.id, `${key}=hunter2-in-argv`]);
    expect(withKey.code).toBe(2);
    expect(withKey.err).toContain(`secret values are never read from the command line, where shell history and ps would keep them (argument '${key}=…')`);
    const bare = await run(['secrets', 'set', single.id, 'hunter2-in-argv']);
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('1 more argument given (not shown)');
    const asName = await run(['secrets', 'set', 'api-token=hunter2-in-argv']);
    expect(asName.code).toBe(2);
    for (const result of [withKey, bare, asName]) expect(result.err + result.out).not.toContain('hunter2');
    expect(existsSync(fileOf(single))).toBe(false);
  });

  it('a new secret needs every declared key; unknown keys are refused naming the allowed ones; nothing is written', async () => {
    const [first, ...rest] = multi.declaration.keys;
    const partial = await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'x', [first!])]);
    expect(partial.code).toBe(1);
    expect(partial.err).toContain(`homelab: ${multi.id}: no value for ${rest.join(', ')} (in `);
    expect(partial.err).toContain(`A new secret needs every key: ${multi.declaration.keys.join(', ')}.`);
    expect(existsSync(fileOf(multi))).toBe(false);

    expect((await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'a')])).code).toBe(0);
    const before = read(multi);
    // Checked before anything is decrypted: no identity needed to learn the keys are wrong.
    const unknown = await run(['secrets', 'set', multi.id, '--stdin'], { stdin: 'not-a-key=hunter2\n' });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe(`homelab: ${multi.id} has no key not-a-key (in stdin). Its keys: ${multi.declaration.keys.join(', ')}.`);
    const empty = await run(['secrets', 'set', multi.id, '--stdin'], { stdin: `${first}=\n` });
    expect(empty.code).toBe(1);
    expect(empty.err).toBe(`homelab: ${multi.id}: ${first} is empty (in stdin); give it a value`);
    expect(read(multi)).toBe(before);
  });

  it('updating keeps the keys not given, and needs an identity (--identity or SOPS_AGE_KEY_FILE)', async () => {
    expect((await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'a')])).code).toBe(0);
    const before = read(multi);
    const [first, ...rest] = multi.declaration.keys;
    const noKey = await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'b', [first!])]);
    expect(noKey.code).toBe(1);
    expect(noKey.err).toContain(`no age identity to decrypt with: ${join(userHome, '.config/sops/age/keys.txt')} does not exist. Pass --identity FILE`);
    expect(read(multi)).toBe(before);

    const viaEnv = await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'b', [first!])], { env: { SOPS_AGE_KEY_FILE: key1.file } });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.out).toContain(`updated; set ${first}; kept ${rest.join(', ')}`);
    expect((await decrypt(multi, key1))['stringData']).toEqual({ ...expected(multi, 'a'), [first!]: `${first}-value-b` });
  });

  it('a wrong identity is refused and the file is untouched', async () => {
    expect((await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'a')])).code).toBe(0);
    const before = read(multi);
    for (const argv of [
      ['secrets', 'set', multi.id, '--identity', key2.file, '--from-env-file', envFile(multi, 'b', multi.declaration.keys.slice(0, 1))],
      ['secrets', 'edit', multi.id, '--identity', key2.file],
    ]) {
      const result = await run(argv, { env: { EDITOR: 'true' } });
      expect(result.code).toBe(1);
      expect(result.err).toMatch(new RegExp(`^homelab: ${multi.path}: sops: `));
      expect(result.err).toContain(key1.recipient);
      expect(read(multi)).toBe(before);
    }
  });

  it('a corrupted file is refused (MAC or value check) and stays as it is', async () => {
    expect((await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'a')])).code).toBe(0);
    const corrupted = read(multi).replace(/data:(.)/, (_, char: string) => `data:${char === 'A' ? 'B' : 'A'}`);
    writeFileSync(fileOf(multi), corrupted);
    for (const argv of [
      ['secrets', 'set', multi.id, '--identity', key1.file, '--from-env-file', envFile(multi, 'b', multi.declaration.keys.slice(0, 1))],
      ['secrets', 'edit', multi.id, '--identity', key1.file],
    ]) {
      const result = await run(argv, { env: { EDITOR: 'true' } });
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/sops: (AES-GCM|MAC|.*could not be decrypted|.*altered)/i);
      expect(read(multi)).toBe(corrupted);
    }
    setRecipients(key2);
    const rotate = await run(['secrets', 'rotate', '--all', '--identity', key1.file]);
    expect(rotate.code).toBe(1);
    expect(rotate.err).toContain('Nothing was written.');
    expect(read(multi)).toBe(corrupted);
  });

  it('lists keys out of date, recipients out of date, plaintext and undeclared files', async () => {
    const secret = (values: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: multi.declaration.name, namespace: multi.declaration.namespace }, stringData: values });
    const [first] = multi.declaration.keys;
    for (const each of secrets) mkdirSync(dirname(fileOf(each)), { recursive: true });
    writeFileSync(fileOf(multi), await encryptYaml(secret({ [first!]: 'x', 'old-key': 'y' }), { recipients: [key1.recipient] }));
    writeFileSync(fileOf(single), await encryptYaml({ ...secret({}), metadata: { name: single.declaration.name, namespace: single.declaration.namespace }, stringData: Object.fromEntries(single.declaration.keys.map((k) => [k, 'v'])) }, { recipients: [key1.recipient, key2.recipient] }));
    const stray = `${dirname(single.path)}/gone${SOPS_FILE_SUFFIX}`;
    writeFileSync(join(home, stray), 'apiVersion: v1\nkind: Secret\nstringData:\n  a: plaintext\n');
    const plain = managed.find((each) => each !== single && each !== multi);
    if (plain) writeFileSync(fileOf(plain), `apiVersion: v1\nkind: Secret\nmetadata: { name: ${plain.declaration.name}, namespace: ${plain.declaration.namespace} }\nstringData: { ${plain.declaration.keys.map((k) => `${k}: hunter2`).join(', ')} }\n`);
    const result = await run(['secrets', 'list', '--check']);
    expect(result.code).toBe(1);
    if (plain) expect(row(result.out, plain)).toMatch(/NOT ENCRYPTED$/);
    expect(result.out).not.toContain('hunter2');
    const missing = multi.declaration.keys.slice(1);
    expect(row(result.out, multi)).toContain(`keys out of date (${missing.length > 0 ? `missing ${missing.join(', ')}; ` : ''}not declared old-key)`);
    expect(row(result.out, single)).toMatch(new RegExp(`recipients out of date \\(not configured ${shortKey(key2.recipient)}\\)$`));
    expect(shortKey(key2.recipient)).toMatch(/^age1\w{8}…\w{6}$/);
    expect(result.out).toContain(`⚠ ${stray}: no component declares this secret`);
    expect(result.out).toContain('Re-encrypt for secrets.ageRecipients: homelab secrets rotate --all');
  });

  it('rotate re-encrypts every file for new recipients: the old key no longer opens them; generate refuses until then', async () => {
    expect((await run(['generate', '--quiet'])).code).toBe(0);
    expect((await run(['secrets', 'set', single.id, '--from-env-file', envFile(single, 'a')])).code).toBe(0);
    expect((await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'a')])).code).toBe(0);
    expect((await run(['generate'])).code).toBe(0);

    setRecipients(key2);
    const before = snapshotTree(home);
    const refused = await run(['generate']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('✖ SOPS files: 2 problems');
    for (const secret of [single, multi]) {
      expect(refused.err).toContain(`${secret.path}: encrypted for other recipients than secrets.ageRecipients (not for ${key2.recipient.slice(0, 12)}`);
    }
    expect(refused.err).toContain('Run `homelab secrets rotate --all`.');
    expect(refused.err).toContain('Nothing was written.');
    expect(snapshotTree(home)).toEqual(before);
    expect((await run(['generate', '--check'])).code).toBe(1);
    expect((await run(['validate'])).code).toBe(1);
    expect(row((await run(['secrets'])).out, multi)).toContain('recipients out of date');

    const wrong = await run(['secrets', 'rotate', '--all', '--identity', key3.file]);
    expect(wrong.code).toBe(1);
    expect(snapshotTree(home)).toEqual(before);

    const rotated = await run(['secrets', 'rotate', '--all', '--identity', key1.file]);
    expect(rotated.code).toBe(0);
    expect(rotated.out).toContain('✔ 2 SOPS files: 2 re-encrypted for 1 recipient, 0 already current. Commit them.');
    for (const secret of [single, multi]) {
      expect(recipientsOf(read(secret))).toEqual([key2.recipient]);
      expect((await decrypt(secret, key2))['stringData']).toEqual(expected(secret, 'a'));
      await expect(decrypt(secret, key1)).rejects.toThrow(/sops: /);
    }
    expect((await run(['generate'])).code).toBe(0);

    const again = snapshotTree(home);
    const current = await run(['secrets', 'rotate', single.id, '--identity', key3.file]);
    expect(current.code).toBe(0);
    expect(current.out).toContain(`  current  ${single.path}`);
    expect(snapshotTree(home)).toEqual(again);
  });

  it('rotate names one secret or --all', async () => {
    expect((await run(['secrets', 'rotate'])).err).toContain('rotate: name one value (e.g. argocd/oidc-client-secret), one secret (<namespace>/<name>) or pass --all');
    expect((await run(['secrets', 'rotate', single.id, '--all'])).code).toBe(2);
    const missing = await run(['secrets', 'rotate', single.id, '--identity', key1.file]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`${single.path}: missing; nothing to rotate`);
  });

  it('adds a recipient with rotate: both keys open the file', async () => {
    expect((await run(['secrets', 'set', single.id, '--from-env-file', envFile(single, 'a')])).code).toBe(0);
    setRecipients(key1, key2);
    expect((await run(['secrets', 'rotate', single.id, '--identity', key1.file])).code).toBe(0);
    expect(recipientsOf(read(single))).toEqual([key1.recipient, key2.recipient]);
    for (const key of [key1, key2]) expect((await decrypt(single, key))['stringData']).toEqual(expected(single, 'a'));
  });

  describe('edit', () => {
    /** An EDITOR script running `sed` on the file and recording the path it was given. */
    function editor(sed: string): { command: string; seen: string } {
      const dir = mkdtempSync(join(tmpdir(), 'homelab-editor-'));
      const script = join(dir, 'edit.sh');
      const seen = join(dir, 'seen');
      writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${seen}'\nsed -i '${sed}' "$1"\n`);
      chmodSync(script, 0o755);
      return { command: script, seen };
    }

    it('decrypts into a private temporary file, runs $EDITOR and encrypts the result; the plaintext copy is gone', async () => {
      expect((await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'a')])).code).toBe(0);
      const [first] = multi.declaration.keys;
      const script = editor(`s/${first}-value-a/${first}-value-edited/`);
      const result = await run(['secrets', 'edit', multi.id, '--identity', key1.file], { env: { EDITOR: script.command } });
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toBe(`✔ ${multi.path}: updated; encrypted for 1 recipient. Commit it.`);
      expect((await decrypt(multi, key1))['stringData']).toEqual({ ...expected(multi, 'a'), [first!]: `${first}-value-edited` });
      const temp = readFileSync(script.seen, 'utf8');
      expect(temp.startsWith(tmpdir())).toBe(true);
      expect(existsSync(temp)).toBe(false);
      expect(existsSync(dirname(temp))).toBe(false);
    });

    it('starts a missing secret from its declared keys', async () => {
      const sed = single.declaration.keys.map((key) => `s/^  ${key}: .*$/  ${key}: ${key}-value-new/`).join(';');
      const result = await run(['secrets', 'edit', single.id], { env: { EDITOR: editor(sed).command } });
      expect(result.code).toBe(0);
      expect(result.out).toContain('created');
      expect((await decrypt(single, key1))['stringData']).toEqual(expected(single, 'new'));
    });

    it('writes nothing when nothing changed, the editor fails, or the result breaks the declaration', async () => {
      expect((await run(['secrets', 'set', multi.id, '--from-env-file', envFile(multi, 'a')])).code).toBe(0);
      const before = read(multi);
      const unchanged = await run(['secrets', 'edit', multi.id, '--identity', key1.file], { env: { EDITOR: 'true' } });
      expect(unchanged.code).toBe(0);
      expect(unchanged.out).toBe(`✔ ${multi.path}: no changes; the file is untouched.`);
      const [first] = multi.declaration.keys;
      const cases: [string, string][] = [
        ['false', "the editor 'false' exited with 1; nothing was written"],
        [editor(`s/^  ${first}:/  unknown-key:/`).command, `${multi.id} has no key unknown-key.`],
        [editor(`s/^  name: .*/  name: renamed/`).command, 'the edit changed what the file is'],
        [editor(`s/^  ${first}: .*/  ${first}: [/`).command, 'the edited file is not valid YAML'],
        [editor(`s/^  ${first}: .*/  ${first}: 5432/`).command, `stringData.${first} is not a string: quote the value`],
      ];
      for (const [command, message] of cases) {
        const result = await run(['secrets', 'edit', multi.id, '--identity', key1.file], { env: { EDITOR: command } });
        expect(result.code, command).toBe(1);
        expect(result.err).toContain(message);
        expect(read(multi)).toBe(before);
      }
    });

    it('needs EDITOR', async () => {
      const result = await run(['secrets', 'edit', multi.id]);
      expect(result.code).toBe(2);
      expect(result.err).toContain('homelab: EDITOR is not set: set it to your editor');
    });
  });

  it('the bootstrap key cannot be set or edited: it decrypts the others', async () => {
    const result = await run(['secrets', 'set', bootstrap.id, '--stdin'], { stdin: `${bootstrap.declaration.keys[0]}=x\n` });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${bootstrap.id} cannot be a SOPS file: it is the key that decrypts them. ${bootstrap.declaration.description}`);
    expect(existsSync(fileOf(bootstrap))).toBe(false);
  });

  it('an unknown secret is named with a suggestion', async () => {
    const result = await run(['secrets', 'set', `${single.id}x`, '--stdin'], { stdin: '' });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`no component declares the secret '${single.id}x'. Did you mean '${single.id}'?`);
  });

  it('generate never writes, prunes or owns a SOPS file, even when its component goes away', async () => {
    expect((await run(['generate', '--quiet'])).code).toBe(0);
    expect((await run(['secrets', 'set', removable.id, '--from-env-file', envFile(removable, 'a')])).code).toBe(0);
    const bytes = read(removable);
    expect((await run(['generate'])).code).toBe(0);
    expect((await run(['generate', '--check'])).code).toBe(0);
    expect(read(removable)).toBe(bytes);
    expect(JSON.parse(readFileSync(join(home, MANIFEST_PATH), 'utf8')).files).not.toContain(removable.path);

    editConfig((config) => {
      config.components = { ...config.components, [removable.component.name]: { enabled: false } };
    });
    const disabled = await run(['generate']);
    expect(disabled.code).toBe(0);
    expect(disabled.out).toContain(`pruned    ${dirname(removable.path)}/`);
    expect(disabled.err).toContain(`⚠ ${removable.path}: no Application reads ${dirname(removable.path)}, so this Secret is not applied.`);
    expect(read(removable)).toBe(bytes);
  });

  it('generate and validate refuse a SOPS file that is not encrypted, and write nothing', async () => {
    expect((await run(['generate', '--quiet'])).code).toBe(0);
    writeFileSync(fileOf(single), `apiVersion: v1\nkind: Secret\nstringData:\n  ${single.declaration.keys[0]}: plaintext\n`);
    const before = snapshotTree(home);
    editConfig((config) => {
      config.domains.internal = `lab.${config.domains.public}`;
    });
    const after = snapshotTree(home);
    const generate = await run(['generate']);
    expect(generate.code).toBe(1);
    expect(generate.err).toContain(`${single.path}: NOT ENCRYPTED (no sops metadata): a plaintext secret.`);
    expect(snapshotTree(home)).toEqual(after);
    expect(before['homelab.yaml']).not.toBe(after['homelab.yaml']);
    const validate = await run(['validate']);
    expect(validate.code).toBe(1);
    expect(validate.err).toContain('NOT ENCRYPTED');
  });
});

describe('declared labels', () => {
  it('are written on the Secret, and kept alongside a file’s own labels on update', async () => {
    const { mergedSecretMetadata, secretManifest } = await import('@homelab/secrets');
    const declaration = { name: 'argocd-oidc', namespace: 'argocd', keys: ['client-secret'], labels: { 'app.kubernetes.io/part-of': 'argocd' } };
    expect(secretManifest(declaration, new Map([['client-secret', 'x']]))).toMatchObject({ metadata: { name: 'argocd-oidc', namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': 'argocd' } } });
    expect(mergedSecretMetadata({ name: 'argocd-oidc', namespace: 'argocd', labels: { team: 'me' }, annotations: { a: 'b' } }, declaration)).toEqual({
      name: 'argocd-oidc',
      namespace: 'argocd',
      labels: { team: 'me', 'app.kubernetes.io/part-of': 'argocd' },
      annotations: { a: 'b' },
    });
  });
});

/**
 * Issue 16's "done when", end to end on a copy of the seed with throwaway age keys, and the real
 * `sops` binary (the one ArgoCD's plugin runs) as the oracle: `homelab secrets init` writes every
 * SOPS file, `list --check` reports the OIDC copies agree, `rotate` of ArgoCD's client secret
 * changes exactly the two files that carry it, `sops -d` decrypts every file, files `sops -e` writes
 * under the generated .sops.yaml are read, `sops updatekeys` agrees with `rotate --all`, and a copy
 * edited by hand is reported by name. Bad input is refused naming the file and key, nothing written.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dump, load } from 'js-yaml';
import { decryptYaml, identitiesFromKeyFile, recipientsOf } from '@homelab/sops';
import { declaredValues, managedSecrets, secretsTree, type DeclaredValue, type SecretsTree } from '@homelab/secrets';
import { findOracle, seedConfig, seedConfigPath, snapshotTree } from '@homelab/testing';
import { runCli } from './testing/run-cli.js';
import { COMMANDS } from './commands/index.js';
import { composeHomelab, renderHomelab } from '@homelab/generator';
import { defaultArtifacts, defaultModules } from './modules.js';

const SOPS = findOracle('sops', 'homelab secrets against the real sops (decrypt, encrypt under .sops.yaml, updatekeys)');
const AGE = findOracle('age', 'homelab secrets lifecycle with throwaway age keys (age-keygen)');
const AGE_KEYGEN = AGE && join(AGE, '..', 'age-keygen');

interface Key {
  file: string;
  recipient: string;
  identities: string[];
}

let keys: string;
let key1: Key;
let key2: Key;
beforeAll(() => {
  if (!AGE_KEYGEN) return;
  keys = mkdtempSync(join(tmpdir(), 'homelab-keys-'));
  const keygen = (name: string): Key => {
    const file = join(keys, name);
    execFileSync(AGE_KEYGEN, ['-o', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    return { file, recipient: /public key: (age1\S+)/.exec(text)![1]!, identities: identitiesFromKeyFile(text) };
  };
  [key1, key2] = [keygen('one.txt'), keygen('two.txt')];
});

let home: string;

function setRecipients(...recipients: Key[]): void {
  const config = load(readFileSync(join(home, 'homelab.yaml'), 'utf8')) as { secrets: { ageRecipients: string[] } };
  config.secrets.ageRecipients = recipients.map((key) => key.recipient);
  writeFileSync(join(home, 'homelab.yaml'), dump(config));
}

/** The secrets tree of the seed with `recipients`, as the command sees it. */
function treeFor(recipients: readonly Key[]): SecretsTree {
  const config = { ...seedConfig(), secrets: { ageRecipients: recipients.map((key) => key.recipient) } };
  const composed = composeHomelab(config, defaultModules);
  if (!composed.ok) throw new Error('the seed does not compose');
  return secretsTree(composed.components, { repoURL: config.gitops.repoURL, revision: config.gitops.revision }, home, config.secrets.ageRecipients);
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'homelab-lifecycle-'));
  cpSync(seedConfigPath(), join(home, 'homelab.yaml'));
  if (AGE_KEYGEN) setRecipients(key1);
});

const run = (argv: string[], env: Record<string, string> = {}) =>
  runCli(argv, { cwd: home, env: { HOME: mkdtempSync(join(tmpdir(), 'homelab-user-')), ...env }, commands: COMMANDS });

const withKey = (key: Key) => ({ SOPS_AGE_KEY_FILE: key.file });

const changedFiles = (before: Record<string, string>, after: Record<string, string>) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((path) => before[path] !== after[path]).sort();

/** A well-formed value for each external value the SOPS files carry (the bootstrap key is not one of them). */
function externalValues(tree: SecretsTree): DeclaredValue[] {
  return declaredValues(tree.secrets).filter((declared) => !declared.value.generate && declared.carriers.some((carrier) => !carrier.secret.bootstrap));
}
const sample = (declared: DeclaredValue) => (declared.value.format === 'json' ? `{"AccountTag":"a","TunnelSecret":"s-${declared.env}","TunnelID":"t"}` : `value-of-${declared.env.toLowerCase()}`);

function writeEnv(lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'homelab-env-')), 'external.env');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
const externalEnv = (tree: SecretsTree) => writeEnv(externalValues(tree).map((declared) => `${declared.env}='${sample(declared)}'`));

/** The shared value ArgoCD's OIDC Secret carries: found through the declarations, not by name. */
function argocdClientSecret(tree: SecretsTree): DeclaredValue {
  const shared = declaredValues(tree.secrets).filter((declared) => declared.carriers.length > 1);
  return shared.find((declared) => declared.carriers.some((carrier) => carrier.secret.component.name === 'argocd'))!;
}

function sops(args: string[], key: Key, cwd = home): string {
  return execFileSync(SOPS!, args, { cwd, env: { ...process.env, SOPS_AGE_KEY_FILE: key.file }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe.skipIf(!AGE_KEYGEN)('homelab secrets: init, check, rotate (issue 16, done when)', () => {
  it('init --from-env-file writes every SOPS file, list --check reports the OIDC copies agree, re-running changes nothing', async () => {
    expect((await run(['generate', '--quiet'])).code).toBe(0);
    const tree = treeFor([key1]);
    const env = externalEnv(tree);
    const init = await run(['secrets', 'init', '--from-env-file', env], withKey(key1));
    expect(init.err).toBe('');
    expect(init.code).toBe(0);
    for (const secret of managedSecrets(tree)) expect(init.out).toContain(`created  ${secret.path}`);
    for (const declared of externalValues(tree)) expect(init.out).not.toContain(sample(declared));

    const check = await run(['secrets', 'list', '--check'], withKey(key1));
    expect(check.code).toBe(0);
    const argocd = argocdClientSecret(tree);
    expect(check.out).toContain(`${argocd.value.id} (${argocd.carriers.map((carrier) => carrier.secret.id).join(', ')})`);
    expect(check.out).toMatch(/^✔ copies agree: /m);
    expect((await run(['generate', '--check'], withKey(key1))).code).toBe(0);

    const before = snapshotTree(home);
    const again = await run(['secrets', 'init', '--from-env-file', env], withKey(key1));
    expect(again.code).toBe(0);
    expect(again.out).toContain(`0 written, ${managedSecrets(tree).length} already up to date`);
    expect(snapshotTree(home)).toEqual(before);
  });

  it('without an identity, list --check says agreement was not checked', async () => {
    const tree = treeFor([key1]);
    expect((await run(['secrets', 'init', '--from-env-file', externalEnv(tree)], withKey(key1))).code).toBe(0);
    const check = await run(['secrets', 'list', '--check']);
    expect(check.code).toBe(0);
    expect(check.out).toContain('agreement of shared values NOT checked: no age identity');
  });

  it("rotate of ArgoCD's client secret changes exactly the two files that carry it, to one new value", async () => {
    const tree = treeFor([key1]);
    expect((await run(['secrets', 'init', '--from-env-file', externalEnv(tree)], withKey(key1))).code).toBe(0);
    const argocd = argocdClientSecret(tree);
    expect(argocd.carriers).toHaveLength(2);
    const before = snapshotTree(home);
    const rotated = await run(['secrets', 'rotate', argocd.value.id], withKey(key1));
    expect(rotated.code).toBe(0);
    expect(changedFiles(before, snapshotTree(home))).toEqual(argocd.carriers.map((carrier) => carrier.secret.path).sort());
    const copies = await Promise.all(
      argocd.carriers.map(async (carrier) => ((await decryptYaml(readFileSync(join(home, carrier.secret.path), 'utf8'), { identities: key1.identities }))['stringData'] as Record<string, string>)[carrier.key]),
    );
    const old = ((await decryptYaml(before[argocd.carriers[0]!.secret.path]!, { identities: key1.identities }))['stringData'] as Record<string, string>)[argocd.carriers[0]!.key];
    expect(copies[0]).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(copies[1]).toBe(copies[0]);
    expect(copies[0]).not.toBe(old);
    expect(rotated.out).not.toContain(copies[0]);
  });

  it('refuses bad input naming the file and key, and writes nothing', async () => {
    const tree = treeFor([key1]);
    const externals = externalValues(tree);
    const good = externals.map((declared) => `${declared.env}='${sample(declared)}'`);
    const json = externals.find((declared) => declared.value.format === 'json')!;
    const age = declaredValues(tree.secrets).find((declared) => declared.value.format === 'age-identity')!;
    const cases: [string[], RegExp][] = [
      [[...good, 'NOT_A_VALUE=x'], /external\.env: NOT_A_VALUE is not a declared secret value/],
      [good.slice(1), new RegExp(`no value for 1 external secret value[^]*${externals[0]!.env}=…`)],
      [[...good.filter((line) => !line.startsWith(`${json.env}=`)), `${json.env}=not-json`], new RegExp(`external\\.env: ${json.env} is not JSON`)],
      [[...good, `${age.env}=AGE-SECRET-KEY-1NOTAKEY`], new RegExp(`external\\.env: ${age.env} is not an age identity`)],
    ];
    const before = snapshotTree(home);
    for (const [lines, message] of cases) {
      const result = await run(['secrets', 'init', '--from-env-file', writeEnv(lines)], withKey(key1));
      expect(result.code, lines.join(' ')).toBe(1);
      expect(result.err).toMatch(message);
      for (const declared of externals) expect(result.err).not.toContain(sample(declared));
      expect(snapshotTree(home)).toEqual(before);
    }
  });

  it('a file whose MAC fails is named, and init and list --check refuse it; nothing is written', async () => {
    const tree = treeFor([key1]);
    const env = externalEnv(tree);
    expect((await run(['secrets', 'init', '--from-env-file', env], withKey(key1))).code).toBe(0);
    const victim = argocdClientSecret(tree).carriers[0]!.secret;
    const path = join(home, victim.path);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/mac: ENC\[AES256_GCM,data:(.)/, (_, char: string) => `mac: ENC[AES256_GCM,data:${char === 'A' ? 'B' : 'A'}`));
    const before = snapshotTree(home);
    for (const argv of [['secrets', 'init', '--from-env-file', env], ['secrets', 'list', '--check']]) {
      const result = await run(argv, withKey(key1));
      expect(result.code).toBe(1);
      expect(result.err).toMatch(new RegExp(`${victim.path}: sops: .*MAC`));
      expect(snapshotTree(home)).toEqual(before);
    }
  });
});

describe.skipIf(!AGE_KEYGEN || !SOPS)('homelab secrets and the real sops', () => {
  it('sops -d decrypts every file init writes, to the same values', async () => {
    const tree = treeFor([key1]);
    expect((await run(['secrets', 'init', '--from-env-file', externalEnv(tree)], withKey(key1))).code).toBe(0);
    for (const secret of managedSecrets(tree)) {
      const text = readFileSync(join(home, secret.path), 'utf8');
      expect(load(sops(['-d', secret.path], key1)), secret.path).toEqual(await decryptYaml(text, { identities: key1.identities }));
    }
  });

  it('reads files sops -e writes under the generated .sops.yaml, and names a hand-edited copy that disagrees', async () => {
    expect((await run(['generate', '--quiet'])).code).toBe(0);
    const tree = treeFor([key1]);
    expect((await run(['secrets', 'init', '--from-env-file', externalEnv(tree)], withKey(key1))).code).toBe(0);
    const argocd = argocdClientSecret(tree);
    const [first, second] = argocd.carriers as [(typeof argocd.carriers)[0], (typeof argocd.carriers)[0]];
    // Re-encrypt the second copy with sops itself, from plaintext, under the generated creation rule.
    const plain = load(sops(['-d', second.secret.path], key1)) as { stringData: Record<string, string> };
    const rewrite = (values: Record<string, string>) => {
      writeFileSync(join(home, second.secret.path), dump({ ...plain, stringData: values }));
      writeFileSync(join(home, second.secret.path), sops(['-e', second.secret.path], key1));
    };
    rewrite(plain.stringData);
    expect(recipientsOf(readFileSync(join(home, second.secret.path), 'utf8'))).toEqual([key1.recipient]);
    const agreeing = await run(['secrets', 'list', '--check'], withKey(key1));
    expect(agreeing.code).toBe(0);
    expect(agreeing.out).toContain(`${argocd.value.id} (`);

    rewrite({ ...plain.stringData, [second.key]: 'typed-by-hand' });
    const differing = await run(['secrets', 'list', '--check'], withKey(key1));
    expect(differing.code).toBe(1);
    expect(differing.out).toContain(`✖ ${argocd.value.id}: ${second.secret.path} key ${second.key} differs from ${first.secret.path} key ${first.key}`);
    expect(differing.out + differing.err).not.toContain('typed-by-hand');
    const generate = await run(['generate'], withKey(key1));
    expect(generate.code).toBe(1);
    expect(generate.err).toContain(`${second.secret.path} key ${second.key} differs from ${first.secret.path} key ${first.key}`);
  });

  it('sops updatekeys agrees with rotate --all on the recipients', async () => {
    expect((await run(['generate', '--quiet'])).code).toBe(0);
    const tree = treeFor([key1]);
    expect((await run(['secrets', 'init', '--from-env-file', externalEnv(tree)], withKey(key1))).code).toBe(0);
    const copy = mkdtempSync(join(tmpdir(), 'homelab-updatekeys-'));
    cpSync(home, copy, { recursive: true });

    setRecipients(key1, key2);
    expect((await run(['secrets', 'rotate', '--all'], withKey(key1))).code).toBe(0);
    expect((await run(['generate', '--quiet'], withKey(key2))).code).toBe(0);
    // The other copy: the same config change, and sops updatekeys under the .sops.yaml generate derives from it.
    const config = { ...seedConfig(), secrets: { ageRecipients: [key1.recipient, key2.recipient] } };
    const rendered = renderHomelab(config, defaultModules, { artifacts: defaultArtifacts });
    if (!rendered.ok) throw new Error('the seed does not render');
    writeFileSync(join(copy, '.sops.yaml'), rendered.files.find((file) => file.path === '.sops.yaml')!.content);
    for (const secret of managedSecrets(tree)) {
      sops(['updatekeys', '-y', secret.path], key1, copy);
      const ours = readFileSync(join(home, secret.path), 'utf8');
      const theirs = readFileSync(join(copy, secret.path), 'utf8');
      expect(new Set(recipientsOf(theirs)), secret.path).toEqual(new Set(recipientsOf(ours)));
      expect(load(sops(['-d', secret.path], key2, copy))).toEqual(await decryptYaml(ours, { identities: key2.identities }));
    }
  });
});


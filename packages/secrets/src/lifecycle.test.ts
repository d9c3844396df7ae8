/**
 * The lifecycle on a temporary tree of two components that share a value (an app and its identity
 * provider), with real age keys: init writes every copy alike, re-running changes nothing, rotate
 * touches exactly the carriers, all or nothing, and copies that differ are named by file and key.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import type { Component, SecretValue } from '@homelab/core';
import { decryptYaml, encryptYaml } from '@homelab/sops';
import {
  commitWrites,
  declaredValues,
  disagreements,
  formatProblem,
  generateValue,
  missingSecrets,
  planInit,
  planRotateValue,
  readSecretFiles,
  secretsTree,
  type SecretsTree,
} from './index.js';

const TARGET = { repoURL: 'https://git.example.org/lab.git', revision: 'main' };

const CLIENT_SECRET: SecretValue = { id: 'app/oidc-client-secret', description: 'OIDC client secret of app', generate: { length: 64, alphabet: 'alphanumeric' } };
const SIGNING_KEY: SecretValue = { id: 'idp/signing-key', description: 'signs cookies', generate: { bytes: 60, encoding: 'base64' } };
const TUNNEL: SecretValue = { id: 'app/tunnel-credentials', description: 'the JSON file cloudflared wrote', format: 'json' };

const components: Component[] = [
  {
    name: 'app',
    group: 'apps',
    namespace: 'app',
    source: '@test/app',
    secrets: [
      { name: 'app-oidc', namespace: 'app', keys: ['client-secret'], description: "app's copy", values: { 'client-secret': CLIENT_SECRET } },
      { name: 'app-tunnel', namespace: 'app', keys: ['credentials.json'], description: 'tunnel', values: { 'credentials.json': TUNNEL } },
    ],
  },
  {
    name: 'idp',
    group: 'core',
    namespace: 'idp',
    source: '@test/idp',
    secrets: [{ name: 'idp-secrets', namespace: 'idp', keys: ['app-client-secret', 'secret-key'], description: "the provider's", values: { 'app-client-secret': CLIENT_SECRET, 'secret-key': SIGNING_KEY } }],
  },
];

let identity: string;
let recipient: string;
beforeAll(async () => {
  identity = await generateX25519Identity();
  recipient = await identityToRecipient(identity);
});

const newTree = (): SecretsTree => secretsTree(components, TARGET, mkdtempSync(join(tmpdir(), 'homelab-secrets-')), [recipient]);
const read = (tree: SecretsTree) => readSecretFiles(tree, () => [identity]);
const snapshot = (tree: SecretsTree) => Object.fromEntries(tree.secrets.map((secret) => [secret.path, (() => { try { return readFileSync(join(tree.root, secret.path), 'utf8'); } catch { return undefined; } })()]));
const stringData = async (tree: SecretsTree, id: string) => (await decryptYaml(readFileSync(join(tree.root, tree.secrets.find((secret) => secret.id === id)!.path), 'utf8'), { identities: [identity] }))['stringData'] as Record<string, string>;

async function initialised(): Promise<SecretsTree> {
  const tree = newTree();
  const plan = await planInit(tree, await read(tree), new Map([[TUNNEL.id, '{"TunnelSecret":"x"}']]));
  commitWrites(tree.root, plan.writes);
  return tree;
}

describe('declared values', () => {
  it('one value, carried by the keys that reference it', () => {
    const values = declaredValues(newTree().secrets);
    const shared = values.find((declared) => declared.value.id === CLIENT_SECRET.id)!;
    expect(shared.carriers.map((carrier) => `${carrier.secret.id}:${carrier.key}`)).toEqual(['app/app-oidc:client-secret', 'idp/idp-secrets:app-client-secret']);
    expect(shared.env).toBe('APP_OIDC_CLIENT_SECRET');
  });

  it('refuses one id declared with different facts, naming both places', () => {
    const other = structuredClone(components);
    other[1]!.secrets![0]!.values!['app-client-secret'] = { ...CLIENT_SECRET, generate: { bytes: 32, encoding: 'hex' } };
    expect(() => secretsTree(other, TARGET, tmpdir(), [recipient])).toThrow('app/oidc-client-secret is declared twice with different facts: by app/app-oidc key client-secret and by idp/idp-secrets key app-client-secret');
  });

  it('generates with the CSPRNG in the declared shape, a new value each time', () => {
    const password = generateValue({ length: 64, alphabet: 'alphanumeric' });
    expect(password).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(generateValue({ length: 64, alphabet: 'alphanumeric' })).not.toBe(password);
    expect(generateValue({ length: 12, alphabet: 'lowercase' })).toMatch(/^[a-z][a-z0-9]{11}$/);
    expect(Buffer.from(generateValue({ bytes: 60, encoding: 'base64' }), 'base64')).toHaveLength(60);
    expect(generateValue({ bytes: 16, encoding: 'hex' })).toMatch(/^[0-9a-f]{32}$/);
  });

  it('checks the format of external values without quoting them', async () => {
    expect(formatProblem(TUNNEL, 'not json {')).toMatch(/^is not JSON/);
    expect(formatProblem(TUNNEL, '{"a":1}')).toBeUndefined();
    const age: SecretValue = { id: 'argocd/age-identity', description: '', format: 'age-identity' };
    expect(formatProblem(age, 'AGE-SECRET-KEY-1nope')).toMatch(/^is not an age identity/);
    expect(formatProblem(age, `# created: now\n${identity}\n`)).toBeUndefined();
    expect(formatProblem(TUNNEL, '')).toBe('is empty: give it a value');
  });
});

describe('init', () => {
  it('writes every file, one value in every copy; re-running changes nothing', async () => {
    const tree = await initialised();
    expect(missingSecrets(tree)).toEqual([]);
    const app = await stringData(tree, 'app/app-oidc');
    const idp = await stringData(tree, 'idp/idp-secrets');
    expect(app['client-secret']).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(idp['app-client-secret']).toBe(app['client-secret']);
    expect(Buffer.from(idp['secret-key']!, 'base64')).toHaveLength(60);
    expect(await stringData(tree, 'app/app-tunnel')).toEqual({ 'credentials.json': '{"TunnelSecret":"x"}' });

    const before = snapshot(tree);
    const again = await planInit(tree, await read(tree), new Map([[TUNNEL.id, '{"TunnelSecret":"x"}']]));
    expect(again.writes).toEqual([]);
    expect(again.generated).toEqual([]);
    expect((await planInit(tree, await read(tree), new Map())).writes).toEqual([]);
    expect(snapshot(tree)).toEqual(before);
  });

  it('names every external value it lacks, and writes nothing', async () => {
    const tree = newTree();
    await expect(planInit(tree, await read(tree), new Map())).rejects.toThrow(/no value for 1 external secret value; give it in the env file:\n {2}APP_TUNNEL_CREDENTIALS=… {2}\(app\/tunnel-credentials: the JSON file cloudflared wrote\)\nNothing was written\./);
    expect(Object.values(snapshot(tree)).every((text) => text === undefined)).toBe(true);
  });
});

describe('agreement', () => {
  it('names both files and keys of copies that differ, never the values', async () => {
    const tree = await initialised();
    const idp = tree.secrets.find((secret) => secret.id === 'idp/idp-secrets')!;
    const values = await stringData(tree, idp.id);
    writeFileSync(join(tree.root, idp.path), await encryptYaml({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'idp-secrets', namespace: 'idp' }, stringData: { ...values, 'app-client-secret': 'hand-typed' } }, { recipients: [recipient] }));
    const found = disagreements(tree, await read(tree));
    expect(found).toEqual([{ value: CLIENT_SECRET.id, first: { path: 'kubernetes/apps/app/manifests/app-oidc.sops.yaml', key: 'client-secret' }, second: { path: idp.path, key: 'app-client-secret' } }]);
    expect(JSON.stringify(found)).not.toContain('hand-typed');
    // init does not pick one of two differing copies
    await expect(planInit(tree, await read(tree), new Map())).rejects.toThrow(`${idp.path} key app-client-secret differs from kubernetes/apps/app/manifests/app-oidc.sops.yaml key client-secret`);
  });

  it('refuses a file whose MAC fails, naming it', async () => {
    const tree = await initialised();
    const app = tree.secrets.find((secret) => secret.id === 'app/app-oidc')!;
    const path = join(tree.root, app.path);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/mac: ENC\[AES256_GCM,data:(.)/, (_, char: string) => `mac: ENC[AES256_GCM,data:${char === 'A' ? 'B' : 'A'}`));
    await expect(read(tree)).rejects.toThrow(new RegExp(`^${app.path}: sops: .*(MAC|altered|modified)`, 'i'));
  });
});

describe('rotate', () => {
  it('changes the value in exactly the files that carry it', async () => {
    const tree = await initialised();
    const before = snapshot(tree);
    const old = (await stringData(tree, 'app/app-oidc'))['client-secret'];
    const writes = await planRotateValue(tree, await read(tree), declaredValues(tree.secrets).find((declared) => declared.value.id === CLIENT_SECRET.id)!);
    commitWrites(tree.root, writes);
    const after = snapshot(tree);
    const changed = Object.keys(after).filter((path) => after[path] !== before[path]).sort();
    expect(changed).toEqual(['kubernetes/apps/app/manifests/app-oidc.sops.yaml', 'kubernetes/core/idp/manifests/idp-secrets.sops.yaml']);
    const rotated = (await stringData(tree, 'app/app-oidc'))['client-secret'];
    expect(rotated).not.toBe(old);
    expect((await stringData(tree, 'idp/idp-secrets'))['app-client-secret']).toBe(rotated);
    expect(disagreements(tree, await read(tree))).toEqual([]);
  });

  it('all or nothing: a failed write puts back the files already written', async () => {
    const tree = await initialised();
    const before = snapshot(tree);
    const writes = await planRotateValue(tree, await read(tree), declaredValues(tree.secrets).find((declared) => declared.value.id === CLIENT_SECRET.id)!);
    let calls = 0;
    const failSecond = (path: string, text: string) => {
      if (++calls === 2) throw new Error('disk full');
      writeFileSync(path, text);
    };
    expect(() => commitWrites(tree.root, writes, failSecond)).toThrow(`${writes[1]!.secret.path}: disk full`);
    expect(snapshot(tree)).toEqual(before);
  });

  it('refuses an external value', async () => {
    const tree = await initialised();
    await expect(planRotateValue(tree, await read(tree), declaredValues(tree.secrets).find((declared) => declared.value.id === TUNNEL.id)!)).rejects.toThrow('app/tunnel-credentials is an external value');
  });
});

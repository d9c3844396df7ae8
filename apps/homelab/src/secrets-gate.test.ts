import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { Component, GeneratedFile, KubeObject, SecretDeclaration } from '@homelab/core';
import { renderHomelab, type HomelabModule } from '@homelab/generator';
import { defaultArtifacts, defaultModules } from './modules.js';
import { credentialLeaks, generatedSecrets, looksLikeCredential, secretsPolicy, undeclaredSecretReferences, unreferencedSecrets } from '@homelab/secrets';
import { configVariant, seedConfig } from '@homelab/testing';

const seed = seedConfig();

function rendered(modules: HomelabModule[] = defaultModules) {
  return renderHomelab(seed, modules, { artifacts: defaultArtifacts });
}

/** A test app in its own namespace with the given objects, values and declarations. */
function app(parts: { objects?: Record<string, KubeObject>; values?: Record<string, unknown>; secrets?: SecretDeclaration[] }): HomelabModule {
  return {
    name: 'fixture-vault',
    kind: 'app',
    build: () => ({
      name: 'fixture-vault',
      group: 'apps',
      namespace: 'fixture-vault',
      source: '@homelab/test',
      ...(parts.values ? { chart: { repo: 'https://charts.example.test', name: 'demo', version: '1.0.0' }, values: parts.values } : {}),
      objects: parts.objects ?? { config: new ConfigMap({ metadata: { name: 'plain', namespace: 'fixture-vault' }, data: { a: 'b' } }) },
      secrets: parts.secrets,
    }),
  };
}

const file = (content: string, path = 'kubernetes/apps/x/values.yaml'): GeneratedFile => ({ path, content, source: '@homelab/test' });

function deployment(podSpec: Record<string, unknown>): Deployment {
  return new Deployment({
    metadata: { name: 'web', namespace: 'fixture-vault' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...podSpec } } },
  });
}

function component(objects: Record<string, KubeObject>, secrets: SecretDeclaration[] = [], values?: Record<string, unknown>): Component {
  return { name: 'fixture-vault', group: 'apps', namespace: 'fixture-vault', source: '@homelab/test', objects, secrets, ...(values ? { values } : {}) };
}

const declared: SecretDeclaration = { name: 'web-db', namespace: 'fixture-vault', keys: ['password', 'user'], description: 'test' };

describe('the secrets policy on the seed homelab', () => {
  const result = rendered();

  it('passes: no generated Secret, no credential-looking value, every referenced Secret declared', () => {
    expect(result.ok ? [] : result).toEqual([]);
    if (!result.ok) return;
    expect(generatedSecrets(result.files)).toEqual([]);
    expect(credentialLeaks(result.files)).toEqual([]);
  });

  it('warns only about declared Secrets that no value or object mentions', () => {
    if (!result.ok) throw new Error('render failed');
    for (const warning of result.warnings) expect(warning.problem).toMatch(/neither its Helm values nor its objects mention/);
  });

  it('passes with another domain (no value of the seed is special)', () => {
    const other = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lab.example.org' };
    });
    expect(renderHomelab(other, defaultModules, { artifacts: defaultArtifacts }).ok).toBe(true);
  });
});

describe('(a) generated Secrets are forbidden', () => {
  it('refuses a Secret object with stringData, naming it, without quoting the value', () => {
    const secret = new Secret({ metadata: { name: 'oops', namespace: 'fixture-vault' }, stringData: { password: 'correct horse battery staple' } });
    const result = rendered([...defaultModules, app({ objects: { oops: secret } })]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problems = result.outputProblems.filter((problem) => problem.problem.includes('Generated Secrets are forbidden'));
    expect(problems).toEqual([
      {
        object: 'kubernetes/apps/fixture-vault/manifests/Secret-oops.yaml',
        problem: expect.stringContaining('generates Secret fixture-vault/oops with values'),
      },
    ]);
    expect(JSON.stringify(result)).not.toContain('correct horse');
  });

  it('refuses a Secret with data hidden in Helm values (extraObjects)', () => {
    const values = { extraObjects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hidden', namespace: 'fixture-vault' }, data: { token: 'c2VjcmV0' } }] };
    const result = rendered([...defaultModules, app({ values })]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.outputProblems.map((problem) => problem.object)).toContain('kubernetes/apps/fixture-vault/values.yaml');
    expect(result.outputProblems.find((problem) => problem.object.endsWith('values.yaml'))!.problem).toContain('(extraObjects[0]: data/stringData)');
  });

  it('allows a Secret without values and references to Secrets by kind', () => {
    const files = [
      file('apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\n  annotations:\n    kubernetes.io/service-account.name: x\ntype: kubernetes.io/service-account-token\n'),
      file('spec:\n  listeners:\n    - tls:\n        certificateRefs:\n          - kind: Secret\n            name: wildcard-tls\n'),
    ];
    expect(generatedSecrets(files)).toEqual([]);
  });

  it('refuses a generated file named like a SOPS file', () => {
    expect(generatedSecrets([file('a: b\n', 'kubernetes/apps/x/manifests/db.sops.yaml')])[0]!.problem).toContain('never generated');
  });
});

describe('(b) credential-looking values', () => {
  const ageKey = (() => {
    try {
      execFileSync('age-keygen', ['--version'], { stdio: 'ignore' });
      return execFileSync('age-keygen', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).match(/AGE-SECRET-KEY-1\S+/)![0];
    } catch {
      return undefined;
    }
  })();

  const leaks = (content: string, path?: string) => credentialLeaks([file(content, path)]);

  it('finds a private key, with its line, never quoting it', () => {
    const problems = leaks('a: 1\ntls.key: |\n  -----BEGIN EC PRIVATE KEY-----\n  MHcCAQEEIO\n  -----END EC PRIVATE KEY-----\n');
    expect(problems).toEqual([{ object: 'kubernetes/apps/x/values.yaml', problem: expect.stringMatching(/^line 3: a private key in plain text \(the value is not shown\)/) }]);
    expect(leaks('key: "-----BEGIN OPENSSH PRIVATE KEY-----"')).toHaveLength(1);
    expect(leaks('-----BEGIN PGP PRIVATE KEY BLOCK-----')).toHaveLength(1);
    expect(leaks('-----BEGIN PRIVATE KEY-----')).toHaveLength(1);
  });

  it.skipIf(!ageKey)('finds an age secret key as age-keygen writes it', () => {
    const problems = leaks(`keys.txt: ${ageKey}\n`, 'talos/talconfig.yaml');
    expect(problems.map((problem) => problem.problem)).toEqual([expect.stringMatching(/^line 1: an age secret key in plain text/)]);
    expect(JSON.stringify(problems)).not.toContain(ageKey!);
  });

  it('finds an AWS access key ID and a GitHub token', () => {
    expect(leaks('{ "aws": { "id": "AKIAIOSFODNN7EXAMPLE" } }', 'terraform/x.tf.json')).toHaveLength(1);
    expect(leaks(`url: https://x-access:ghp_${'a1B2c3D4e5'.repeat(4)}@github.com/x.git`)).toHaveLength(1);
  });

  it('finds generated tokens and passwords under credential-named keys, in YAML, JSON, env and config text', () => {
    const base64 = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const hex = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    const cases = [
      `aws_secret_access_key: ${base64}`,
      `"apiKey": "${hex}"`,
      `client_secret = "${base64}"`,
      `grafana:\n  adminPassword: Tr0ub4dor&3x`,
      `env:\n  - name: DB_PASSWORD\n    value: "s3cr3t-P4ssw0rd!"`,
      `config: |\n  [auth]\n  token = ${hex}\n`,
      `API_TOKEN=${base64}`,
    ];
    for (const content of cases) expect(leaks(content), content).toHaveLength(1);
    for (const content of cases) expect(JSON.stringify(leaks(content))).not.toMatch(/wJalrXUtnFEMI|9f86d0818|Tr0ub4dor|s3cr3t-P4ssw0rd/);
  });

  it('leaves names, references, keys of Secrets, URLs and templates alone', () => {
    const negatives = [
      'existingSecret: kube-prometheus-stack-grafana-admin',
      'passwordKey: admin-password',
      'secretName: cloudflared-credentials',
      'token_url: https://auth.example.org/application/o/token/',
      '"api_token": "${var.proxmox_api_token}"',
      'apiTokenSecretRef:\n  name: cloudflare-api-token\n  key: api-token',
      'password: "{{ .Values.password }}"',
      'tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token',
      'env:\n  - name: ADMIN_PASSWORD\n    valueFrom:\n      secretKeyRef: { name: admin, key: password }',
      'secret: internal-wildcard-tls-2024',
      'kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath={.data.password}',
    ];
    for (const content of negatives) expect(leaks(content), content).toEqual([]);
  });

  it('limit: a lower-case dashed word under a password key passes (it reads like the name of a Secret key)', () => {
    expect(leaks('password: changeme-later')).toEqual([]);
    expect(leaks('password: Changeme-later')).toHaveLength(1);
  });

  it('tells a credential from a name', () => {
    expect(looksLikeCredential('kube-prometheus-stack-grafana-admin', 'existingSecret')).toBe(false);
    expect(looksLikeCredential('J8f2kLq9ZxW3mN7pR4tY', 'token')).toBe(true);
    expect(looksLikeCredential('Summer2024!', 'password')).toBe(true);
    expect(looksLikeCredential('Summer2024!', 'username')).toBe(false);
  });

  it('blocks the render when a values override carries a credential', () => {
    const config = configVariant((data) => {
      data.components = { ...data.components, argocd: { values: { configs: { secret: { argocdServerAdminPassword: 'N0t-So-Secret-Passw0rd' } } } } };
    });
    const result = renderHomelab(config, defaultModules, { artifacts: defaultArtifacts });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.outputProblems).toEqual([{ object: 'kubernetes/core/argocd/values.yaml', problem: expect.stringContaining("a credential-looking value under 'argocdServerAdminPassword'") }]);
  });
});

describe('(d) Secrets that workloads reference are declared', () => {
  it('reports an env secretKeyRef, envFrom, a secret volume and a projected volume to an undeclared Secret', () => {
    const web = deployment({
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'web-db', key: 'password' } } }],
          envFrom: [{ secretRef: { name: 'web-env' } }],
        },
      ],
      volumes: [
        { name: 'tls', secret: { secretName: 'web-tls' } },
        { name: 'all', projected: { sources: [{ secret: { name: 'web-projected' } }] } },
      ],
    });
    const problems = undeclaredSecretReferences([component({ web })]);
    expect(problems.map((problem) => problem.problem.match(/uses Secret '([^']+)'/)?.[1])).toEqual(['web-db', 'web-env', 'web-tls', 'web-projected']);
    expect(problems[0]).toEqual({
      object: 'Deployment/fixture-vault/web',
      problem:
        "fixture-vault: uses Secret 'web-db' in namespace 'fixture-vault', which no component declares (spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: 'web-db'). " +
        'Declare the secret in the component (secrets: name, namespace, keys) and set its values with `homelab secrets set <namespace>/<name>`, or correct the name.',
    });
  });

  it('accepts declared Secrets and their keys, optional references and Secrets a Certificate makes', () => {
    const web = deployment({
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          env: [
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'web-db', key: 'password' } } },
            { name: 'MAYBE', valueFrom: { secretKeyRef: { name: 'elsewhere', key: 'x', optional: true } } },
          ],
        },
      ],
      volumes: [{ name: 'tls', secret: { secretName: 'web-tls' } }],
    });
    const certificate = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'web', namespace: 'fixture-vault' },
      spec: { secretName: 'web-tls' },
      validate() {},
      toJSON() {
        return { apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata, spec: this.spec };
      },
    };
    expect(undeclaredSecretReferences([component({ web, certificate }, [declared])])).toEqual([]);
  });

  it('reports a key the declaration lacks, and looks into CronJobs', () => {
    const job = new CronJob({
      metadata: { name: 'backup', namespace: 'fixture-vault' },
      spec: {
        schedule: '@daily',
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: 'OnFailure',
                containers: [{ name: 'backup', image: 'busybox:1.37', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'web-db', key: 'passwd' } } }] }],
              },
            },
          },
        },
      },
    });
    const problems = undeclaredSecretReferences([component({ job }, [declared])]);
    expect(problems.map((problem) => problem.problem)).toEqual([
      "fixture-vault: uses key 'passwd' of Secret fixture-vault/web-db, whose declaration has only password, user (spec.jobTemplate.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name: 'web-db'). Add the key to the declaration, or correct the reference.",
    ]);
  });

  it('a Secret declared in another namespace does not count', () => {
    const web = deployment({ volumes: [{ name: 'db', secret: { secretName: 'web-db' } }] });
    expect(undeclaredSecretReferences([component({ web }, [{ ...declared, namespace: 'elsewhere' }])])).toHaveLength(1);
  });

  it('blocks the render of a component whose workload uses an undeclared Secret', () => {
    const web = deployment({ volumes: [{ name: 'db', secret: { secretName: 'web-db' } }] });
    const result = rendered([...defaultModules, app({ objects: { web } })]);
    expect(result.ok).toBe(false);
    expect(rendered([...defaultModules, app({ objects: { web }, secrets: [declared] })]).ok).toBe(true);
  });

  it('warns about a declared Secret that neither values nor objects mention (not fatal)', () => {
    const unmentioned = unreferencedSecrets([component({}, [declared], { auth: { existingSecret: 'web-db-old' } })]);
    expect(unmentioned).toEqual([{ object: 'Secret/fixture-vault/web-db', problem: expect.stringContaining("neither its Helm values nor its objects mention 'web-db'") }]);
    expect(unreferencedSecrets([component({}, [declared], { auth: { existingSecret: 'web-db' } })])).toEqual([]);
    const result = rendered([...defaultModules, app({ values: { auth: { existingSecret: 'web-db-old' } }, secrets: [declared] })]);
    expect(result.ok && result.warnings.map((warning) => warning.object)).toContain('Secret/fixture-vault/web-db');
  });

  it('is one policy: problems from every check, warnings apart', () => {
    const secret = new Secret({ metadata: { name: 'oops', namespace: 'fixture-vault' }, data: { a: 'Yg==' } });
    const policy = secretsPolicy([component({ secret }, [declared])], [file('kind: Secret\nmetadata: { name: oops }\ndata: { a: Yg== }\n')]);
    expect(policy.problems).toHaveLength(1);
    expect(policy.warnings).toHaveLength(1);
  });
});

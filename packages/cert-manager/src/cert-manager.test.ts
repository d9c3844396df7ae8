import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { ResolvedConfig } from '@homelab/config';
import { merge, renderComponents, validateObjects, type KubeObject } from '@homelab/core';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig, sharedDir } from '@homelab/testing';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import {
  certManager,
  certManagerModule,
  certManagerDefaults,
  clusterIssuerFor,
  wildcardCertificate,
  wildcardSecretName,
  CERT_MANAGER_CHART,
  CLUSTER_ISSUERS,
  CLOUDFLARE_API_TOKEN_SECRET,
} from './index.js';
import { dnsZones } from './cert-manager.js';

const seed = seedConfig();

const issuersOf = (config: ResolvedConfig) => Object.values(certManager(config).objects ?? {}) as ClusterIssuer[];
const solverOf = (issuer: ClusterIssuer) => issuer.spec.acme!.solvers![0]!;

const chartDir = chartSchemaDir('cert-manager');

describe.skipIf(!chartDir)('chart conformance (cert-manager chart, ../shared/chart-schemas)', () => {
  it('the values use only keys the pinned chart accepts and pass its values.schema.json', () => {
    expect(checkChartValues(chartDir!, certManager(seed).values)).toEqual([]);
  });

  it('the oracle notices a key the chart does not have', () => {
    const wrong = merge(certManager(seed).values ?? {}, { crds: { install: true } });
    expect(checkChartValues(chartDir!, wrong)).not.toEqual([]);
  });

  it('the controller config keys are the ones the chart documents for ControllerConfiguration', () => {
    // values.yaml documents `config:` with a commented example; it is the oracle for keys under the free-form map.
    const text = readFileSync(join(chartDir!, 'values.yaml'), 'utf8');
    const block = text.slice(text.indexOf('#  config:'), text.indexOf('\nconfig: {}'));
    const documented = load(block.split('\n').filter((line) => line.startsWith('#  ')).map((line) => line.slice(3)).join('\n')) as {
      config: Record<string, unknown>;
    };
    const ours = certManager(seed).values!['config'] as Record<string, unknown>;
    const paths = (value: unknown, prefix = ''): string[] =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).flatMap(([key, child]) => paths(child, prefix ? `${prefix}.${key}` : key))
        : [prefix];
    const known = new Set(paths(documented.config));
    expect(paths(ours).filter((path) => !known.has(path))).toEqual([]);
    expect(ours).toMatchObject({ apiVersion: documented.config['apiVersion'], kind: documented.config['kind'] });
  });

  it('pins the chart version listed in SOURCES.md', () => {
    const sources = readFileSync(join(sharedDir()!, 'chart-schemas', 'SOURCES.md'), 'utf8');
    const row = sources.split('\n').find((line) => line.startsWith('| cert-manager | '))!;
    expect(row.split('|')[2]!.trim().split(' ')[0]).toBe(CERT_MANAGER_CHART.version);
  });
});

describe('the component', () => {
  it('is the core cert-manager chart at wave -5 in its own namespace', () => {
    const component = certManagerModule.build(seed);
    expect(Array.isArray(component)).toBe(false);
    expect(component).toMatchObject({
      name: certManagerModule.name,
      group: 'core',
      namespace: certManagerDefaults.namespace,
      syncWave: certManagerDefaults.syncWave,
      chart: CERT_MANAGER_CHART,
    });
  });

  it('installs and keeps the CRDs, turns on Gateway API support, keeps the ServiceMonitor off', () => {
    const values = certManager(seed).values!;
    expect(values['crds']).toEqual({ enabled: true, keep: true });
    expect(values['config']).toMatchObject({ gatewayAPI: { enabled: true } });
    expect(values['prometheus']).toEqual({ enabled: true, servicemonitor: { enabled: false } });
  });

  it('sends DNS-01 self-checks only to the configured recursive resolvers', () => {
    const values = certManager(seed).values!;
    expect(values['dns01RecursiveNameservers']).toBe(certManagerDefaults.dns01RecursiveNameservers.join(','));
    expect(values['dns01RecursiveNameserversOnly']).toBe(true);
    const custom = certManager(seed, { dns01RecursiveNameservers: ['8.8.8.8:53', 'https://dns.example/dns-query'] }).values!;
    expect(custom['dns01RecursiveNameservers']).toBe('8.8.8.8:53,https://dns.example/dns-query');
  });

  it('settings overrides reach every derived value', () => {
    const component = certManager(seed, { namespace: 'pki', syncWave: -7, gatewayAPI: false, serviceMonitor: true });
    expect(component.namespace).toBe('pki');
    expect(component.syncWave).toBe(-7);
    expect(component.secrets?.map((secret) => secret.namespace)).toEqual(['pki']);
    expect(component.values).toMatchObject({
      global: { leaderElection: { namespace: 'pki' } },
      config: { gatewayAPI: { enabled: false } },
      prometheus: { servicemonitor: { enabled: true } },
    });
  });

  it('rejects a nameserver without a port, naming the setting', () => {
    expect(() => certManager(seed, { dns01RecursiveNameservers: ['1.1.1.1:53', '9.9.9.9'] })).toThrow(
      "cert-manager: a DNS-01 recursive nameserver needs host:port or an https:// DoH URL (dns01RecursiveNameservers[1]: '9.9.9.9'). Add the port, e.g. '9.9.9.9:53'.",
    );
  });

  it('rejects resolver-only self-checks without resolvers', () => {
    expect(() => certManager(seed, { dns01RecursiveNameservers: [] })).toThrow(
      'cert-manager: dns01RecursiveNameserversOnly needs at least one nameserver (dns01RecursiveNameservers: []). List resolvers such as 1.1.1.1:53, or set dns01RecursiveNameserversOnly to false.',
    );
    expect(certManager(seed, { dns01RecursiveNameservers: [], dns01RecursiveNameserversOnly: false }).values).toMatchObject({
      dns01RecursiveNameservers: '',
      dns01RecursiveNameserversOnly: false,
    });
  });
});

describe('objects', () => {
  const objects: KubeObject[] = [
    ...Object.values(certManager(seed).objects ?? {}),
    wildcardCertificate({ name: 'wildcard-internal', namespace: 'kube-system', domain: seed.domains.internal }),
  ];

  it('every object passes its upstream schema', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(validateObjects(objects)).toEqual([]);
  });

  it('the schema check can fail', () => {
    const [issuer] = issuersOf(seed);
    const broken = new ClusterIssuer(JSON.parse(JSON.stringify(issuer)));
    (broken.spec.acme as { server?: unknown }).server = 42;
    expect(validateObjects([broken])).toHaveLength(1);
  });

  it('objects are keyed by their names and render to one file each', () => {
    const component = certManager(seed);
    for (const [key, object] of Object.entries(component.objects ?? {})) expect(object.metadata?.name).toBe(key);
    const files = renderComponents([component], { repoURL: seed.gitops.repoURL, revision: seed.gitops.revision }).map((file) => file.path);
    for (const name of Object.values(CLUSTER_ISSUERS)) {
      expect(files.filter((path) => path.endsWith(`/ClusterIssuer-${name}.yaml`))).toHaveLength(1);
    }
  });
});

describe('ClusterIssuers', () => {
  it('one per environment, named by CLUSTER_ISSUERS, talking to that environment’s ACME directory', () => {
    const issuers = certManager(seed).objects ?? {};
    for (const environment of ['staging', 'production'] as const) {
      const issuer = issuers[CLUSTER_ISSUERS[environment]] as ClusterIssuer | undefined;
      expect(issuer?.spec.acme?.server).toBe(certManagerDefaults.acmeServers[environment]);
      expect(clusterIssuerFor(environment)).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: issuer?.metadata?.name });
    }
    expect(Object.keys(issuers).sort()).toEqual(Object.values(CLUSTER_ISSUERS).sort());
  });

  it('each keeps its own ACME account key', () => {
    const keys = issuersOf(seed).map((issuer) => issuer.spec.acme!.privateKeySecretRef.name);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('use the ACME email from the config', () => {
    expect(issuersOf(seed).map((issuer) => issuer.spec.acme!.email)).toEqual(issuersOf(seed).map(() => seed.acme.email));
    const changed = configVariant((data) => (data['acme'].email = 'pki@example.org'));
    expect(issuersOf(changed).map((issuer) => issuer.spec.acme!.email)).toEqual(['pki@example.org', 'pki@example.org']);
  });

  it('select the public zone, which covers the internal subdomain of the seed', () => {
    expect(seed.domains.internal.endsWith(`.${seed.domains.public}`)).toBe(true); // the seed's shape
    for (const issuer of issuersOf(seed)) expect(solverOf(issuer).selector?.dnsZones).toEqual([seed.domains.public]);
  });

  it('select both domains when the internal one lies outside the public one', () => {
    const changed = configVariant((data) => (data['domains'] = { public: 'example.org', internal: 'lab.example.net' }));
    for (const issuer of issuersOf(changed)) expect(solverOf(issuer).selector?.dnsZones).toEqual(['example.org', 'lab.example.net']);
  });

  it('select the domain once when both domains are the same (homelab.yaml rejects that; a library caller may pass it)', () => {
    expect(dnsZones({ public: 'example.org', internal: 'example.org' })).toEqual(['example.org']);
  });

  it('zones cover every domain and none is inside another', () => {
    const cases = [
      seed.domains,
      { public: 'example.org', internal: 'home.example.org' },
      { public: 'home.example.org', internal: 'example.org' },
      { public: 'example.org', internal: 'example.net' },
      { public: 'aexample.org', internal: 'example.org' },
    ];
    for (const domains of cases) {
      const zones = dnsZones(domains);
      const covers = (zone: string, name: string) => name === zone || name.endsWith(`.${zone}`);
      for (const domain of Object.values(domains)) expect(zones.some((zone) => covers(zone, domain))).toBe(true);
      for (const zone of zones) expect(zones.filter((other) => other !== zone && covers(other, zone))).toEqual([]);
    }
    expect(dnsZones({ public: 'aexample.org', internal: 'example.org' })).toEqual(['aexample.org', 'example.org']);
  });
});

describe('the Cloudflare API token secret', () => {
  const component = certManager(seed);
  const [declared] = component.secrets ?? [];

  it('is declared once, in the namespace cert-manager reads ClusterIssuer secrets from', () => {
    expect(component.secrets).toHaveLength(1);
    expect(declared?.namespace).toBe(component.namespace);
    expect(declared).toMatchObject({ name: CLOUDFLARE_API_TOKEN_SECRET.name, keys: [CLOUDFLARE_API_TOKEN_SECRET.key] });
  });

  it('is the secret every issuer references, by the declared name and key', () => {
    for (const issuer of issuersOf(seed)) {
      const ref = solverOf(issuer).dns01?.cloudflare?.apiTokenSecretRef;
      expect(ref?.name).toBe(declared?.name);
      expect(declared?.keys).toContain(ref?.key);
    }
  });

  it('tells the user which token permissions and zones are needed', () => {
    const description = (secret: typeof declared) => Object.values(secret?.values ?? {})[0]?.description;
    expect(description(declared)).toContain('Zone:DNS:Edit');
    expect(description(declared)).toContain('Zone:Zone:Read');
    for (const zone of dnsZones(seed.domains)) expect(description(declared)).toContain(zone);
    const changed = configVariant((data) => (data['domains'] = { public: 'example.org', internal: 'lab.example.net' }));
    expect(description(certManager(changed).secrets?.[0])).toContain('example.org, lab.example.net');
  });
});

describe('wildcardCertificate', () => {
  it('covers *.<domain> and <domain>, stores into a secret named after the certificate', () => {
    const certificate = wildcardCertificate({ name: 'internal-wildcard', namespace: 'gateway', domain: seed.domains.internal });
    expect(certificate.metadata).toEqual({ name: 'internal-wildcard', namespace: 'gateway' });
    expect(certificate.spec?.dnsNames).toEqual([`*.${seed.domains.internal}`, seed.domains.internal]);
    expect(certificate.spec?.secretName).toBe(wildcardSecretName('internal-wildcard'));
    expect(wildcardSecretName('a')).not.toBe(wildcardSecretName('b'));
  });

  it('follows the configured domain', () => {
    const changed = configVariant((data) => (data['domains'] = { public: 'example.org', internal: 'lab.example.org' }));
    const certificate = wildcardCertificate({ name: 'w', namespace: 'gateway', domain: changed.domains.internal });
    expect(certificate.spec?.dnsNames).toEqual(['*.lab.example.org', 'lab.example.org']);
  });

  it('uses the production issuer unless told otherwise, and the issuer exists', () => {
    const issuers = certManager(seed).objects ?? {};
    const byDefault = wildcardCertificate({ name: 'w', namespace: 'gateway', domain: seed.domains.internal });
    expect(byDefault.spec?.issuerRef).toEqual(clusterIssuerFor(certManagerDefaults.wildcardIssuer));
    expect(certManagerDefaults.wildcardIssuer).toBe('production');
    const staging = wildcardCertificate({ name: 'w', namespace: 'gateway', domain: seed.domains.internal, issuer: 'staging' });
    expect(staging.spec?.issuerRef).toEqual(clusterIssuerFor('staging'));
    for (const certificate of [byDefault, staging]) {
      expect(issuers[certificate.spec!.issuerRef.name]?.kind).toBe(certificate.spec!.issuerRef.kind);
    }
  });

  it('rejects a domain that already has the wildcard', () => {
    expect(() => wildcardCertificate({ name: 'w', namespace: 'gateway', domain: '*.int.example.com' })).toThrow(
      "cert-manager: wildcardCertificate needs a bare domain (domain: '*.int.example.com'). Pass the domain without '*.' or surrounding dots, e.g. 'int.example.com'.",
    );
  });
});

describe('rendered output', () => {
  it('values.yaml of the seed', () => {
    const files = renderComponents([certManager(seed)], { repoURL: seed.gitops.repoURL, revision: seed.gitops.revision });
    expect(files.find((file) => file.path === 'kubernetes/core/cert-manager/values.yaml')?.content).toMatchSnapshot();
  });
});

describe('declarations for the security layers', () => {
  it('calls the API and serves its webhook; reaches ACME, Cloudflare and public resolvers; lets ArgoCD create its CRDs, RBAC and webhooks', () => {
    const component = certManager(seed);
    expect(component.network).toEqual({ kubeApi: { client: true, webhook: true }, internetEgress: true });
    expect(component.clusterResources).toEqual(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    // Leader election stays in the release namespace: nothing in another one to permit.
    expect(component.extraNamespaces).toBeUndefined();
  });
});

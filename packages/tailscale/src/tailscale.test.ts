import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { validateConfig, type ResolvedConfig } from '@homelab/config';
import { componentPaths, hasGeneratedHeader, renderComponents, validateObjects, type Component } from '@homelab/core';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig, seedConfigPath } from '@homelab/testing';
import { Connector } from './connector.js';
import { OPERATOR_OAUTH_SECRET, TAILSCALE_DEFAULTS } from './defaults.js';
import { tagOwnersSnippet, tailnetPolicy, tailscale, tailscaleModule, tailscaleSettings, type TailscaleObjects, type TailscaleValues } from './tailscale.js';
import { TAILSCALE_OPERATOR_CHART } from './versions.js';
import * as api from './index.js';

const config = seedConfig();

function resolve(data: unknown): ResolvedConfig {
  const result = validateConfig(data);
  if (!result.ok) throw new Error(`test config is invalid: ${JSON.stringify(result.problems)}`);
  return result.config;
}
/** The seed config moved to another /24: every address of the seed's subnet, renumbered. */
function renumbered(prefix: string): ResolvedConfig {
  const seedPrefix = config.network.subnet.replace(/\.0\/24$/, '.');
  expect(config.network.subnet).toMatch(/\.0\/24$/);
  return resolve(load(readFileSync(seedConfigPath(), 'utf8').replaceAll(seedPrefix, prefix)));
}

const valuesOf = (component: Component) => component.values as TailscaleValues;
const objectsOf = (component: Component) => component.objects as TailscaleObjects;
const target = { repoURL: config.gitops.repoURL, revision: config.gitops.revision };

describe('tailscale component', () => {
  const component = tailscale(config);

  it('is a core component in its namespace, at wave 5, with the pinned chart', () => {
    expect(component).toMatchObject({
      name: tailscaleModule.name,
      group: 'core',
      namespace: TAILSCALE_DEFAULTS.namespace,
      syncWave: 5,
      source: '@homelab/tailscale',
      chart: TAILSCALE_OPERATOR_CHART,
    });
  });

  it('asks for a privileged namespace (its proxies run a privileged init container)', () => {
    expect(component.podSecurity).toBe('privileged');
  });

  it('registers under the name the aggregator applies homelab.yaml settings by', () => {
    const built = [tailscaleModule.build(config)].flat();
    expect(built.map((entry) => entry.name)).toEqual([tailscaleModule.name]);
    expect(JSON.stringify(built[0])).toEqual(JSON.stringify(component));
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual(['Connector', 'TAILSCALE_DEFAULTS', 'TAILSCALE_OPERATOR_CHART', 'tagOwnersSnippet', 'tailnetObjects', 'tailscale', 'tailscaleModule']);
  });

  it('takes overrides with merge() semantics and leaves the defaults alone', () => {
    const before = JSON.stringify(TAILSCALE_DEFAULTS);
    const patched = tailscale(config, { proxyTags: ['tag:k8s', 'tag:homelab'], subnetRouter: { name: 'lan' } });
    expect(valuesOf(patched).proxyConfig.defaultTags).toBe('tag:k8s,tag:homelab');
    expect(objectsOf(patched).subnetRouter?.metadata.name).toBe('lan');
    expect(objectsOf(patched).subnetRouter?.spec.subnetRouter?.advertiseRoutes).toEqual([config.network.subnet]);
    expect(JSON.stringify(TAILSCALE_DEFAULTS)).toBe(before);
  });

  it('renders valid objects, reachable from its Application, and the policy file', () => {
    expect(validateObjects(Object.values(component.objects ?? {}))).toEqual([]);
    const paths = renderComponents([component], target).map((file) => file.path);
    expect(paths).toContain(`${componentPaths(component).manifests}/Connector-${TAILSCALE_DEFAULTS.subnetRouter.name}.yaml`);
    expect(paths).toContain(component.files![0]!.path);
  });
});

describe('operator values', () => {
  it('name the operator device after the cluster and tag it from the settings', () => {
    const values = valuesOf(tailscale(config));
    expect(values.operatorConfig).toEqual({ hostname: `${config.cluster.name}-operator`, defaultTags: TAILSCALE_DEFAULTS.tags });
    expect(values.proxyConfig.defaultTags).toBe(TAILSCALE_DEFAULTS.proxyTags.join(','));
    expect(values.ingressClass).toEqual({ name: TAILSCALE_DEFAULTS.ingressClassName, enabled: true });
  });

  it('follow cluster.name (late binding) unless a hostname is set', () => {
    const lab = configVariant((data) => {
      data.cluster.name = 'lab';
    });
    expect(valuesOf(tailscale(lab)).operatorConfig.hostname).toBe('lab-operator');
    expect(objectsOf(tailscale(lab)).subnetRouter?.spec.hostname).toBe('lab-subnet-router');
    expect(valuesOf(tailscale(lab, { hostname: 'k8s-operator' })).operatorConfig.hostname).toBe('k8s-operator');
  });

  it('reject tags that are not tailnet tags, and empty tag lists', () => {
    expect(() => tailscale(config, { tags: ['k8s-operator'] })).toThrow(
      "tailscale: is not a tailnet tag (tailscale.tags[0]: 'k8s-operator'). Use 'tag:<name>', a letter first, such as 'tag:k8s-operator'.",
    );
    expect(() => tailscale(config, { proxyTags: ['tag:k8s', 'tag:1'] })).toThrow("(tailscale.proxyTags[1]: 'tag:1')");
    expect(() => tailscale(config, { proxyTags: [] })).toThrow("tailscale: needs at least one tag (tailscale.proxyTags: ''). Use a tag such as 'tag:k8s'.");
  });

  it('reject a device name the tailnet would not accept', () => {
    const long = configVariant((data) => {
      data.cluster.name = 'a'.repeat(60);
    });
    expect(() => tailscale(long)).toThrow(
      `tailscale: is not a tailnet device name (tailscale.hostname: '${'a'.repeat(60)}-operator'). Use 2-63 lowercase letters, digits and dashes, starting and ending with a letter or digit.`,
    );
    expect(() => tailscale(long, { hostname: 'ops' })).toThrow(`(tailscale.subnetRouter.hostname: '${'a'.repeat(60)}-subnet-router')`);
  });
});

describe('OAuth secret', () => {
  const component = tailscale(config);

  it('is declared in the operator namespace with the keys the operator reads', () => {
    expect(component.secrets).toEqual([
      expect.objectContaining({ name: OPERATOR_OAUTH_SECRET.name, namespace: component.namespace, keys: [...OPERATOR_OAUTH_SECRET.keys] }),
    ]);
    for (const value of Object.values(component.secrets![0]!.values!)) for (const tag of TAILSCALE_DEFAULTS.tags) expect(value.description).toContain(tag);
  });

  it('is only referenced: no client ID or secret in the values, the declared Secret mounted by name', () => {
    const values = valuesOf(component) as Record<string, unknown>;
    expect(values['oauth']).toBeUndefined();
    expect(values['oauthSecretVolume']).toEqual({ secret: { secretName: component.secrets![0]!.name } });
  });
});

describe('subnet router Connector', () => {
  const connector = () => objectsOf(tailscale(config)).subnetRouter!;

  it('advertises network.subnet as the proxies, under a cluster-derived name', () => {
    expect(connector().toJSON()).toMatchObject({
      apiVersion: 'tailscale.com/v1alpha1',
      kind: 'Connector',
      metadata: { name: TAILSCALE_DEFAULTS.subnetRouter.name },
      spec: { hostname: `${config.cluster.name}-subnet-router`, tags: TAILSCALE_DEFAULTS.proxyTags, subnetRouter: { advertiseRoutes: [config.network.subnet] } },
    });
    expect(() => connector().validate()).not.toThrow();
  });

  it('follows network.subnet (late binding)', () => {
    const moved = renumbered('10.20.30.');
    expect(moved.network.subnet).toBe('10.20.30.0/24');
    expect(objectsOf(tailscale(moved)).subnetRouter?.spec.subnetRouter?.advertiseRoutes).toEqual([moved.network.subnet]);
    expect(tailnetPolicy(tailscaleSettings(moved)).autoApprovers?.routes).toEqual({ [moved.network.subnet]: TAILSCALE_DEFAULTS.proxyTags });
  });

  it('advertises the routes it is given instead, and none when disabled', () => {
    const routes = ['192.0.2.0/24', '2001:db8::/64'];
    expect(objectsOf(tailscale(config, { subnetRouter: { routes } })).subnetRouter?.spec.subnetRouter?.advertiseRoutes).toEqual(routes);
    const off = tailscale(config, { subnetRouter: { enabled: false } });
    expect(off.objects).toEqual({});
    expect(tailnetPolicy(tailscaleSettings(config, { subnetRouter: { enabled: false } })).autoApprovers).toBeUndefined();
    expect(() => tailscale(config, { subnetRouter: { routes: [] } })).toThrow('tailscale: advertises no route (tailscale.subnetRouter.routes');
  });

  it('is cluster-scoped and applied after the CRD the chart installs', () => {
    expect(connector().metadata).not.toHaveProperty('namespace');
    expect(connector().metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-wave': '1',
      'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
    });
  });

  it('fails validation with a route that is not a CIDR', () => {
    const bad = new Connector({ metadata: { name: 'r' }, spec: { subnetRouter: { advertiseRoutes: [config.network.gateway] } } });
    expect(() => bad.validate()).toThrow('data/spec/subnetRouter/advertiseRoutes/0 must match format "cidr"');
  });
});

describe('tailnet policy', () => {
  it('tagOwners: admins own the operator tags, the operator owns the proxy tags (valid JSON)', () => {
    const expected = Object.fromEntries([
      ...TAILSCALE_DEFAULTS.tags.map((tag) => [tag, []]),
      ...TAILSCALE_DEFAULTS.proxyTags.map((tag) => [tag, TAILSCALE_DEFAULTS.tags]),
    ]);
    expect(JSON.parse(tagOwnersSnippet())).toEqual({ tagOwners: expected });
    expect(JSON.parse(tagOwnersSnippet())).toEqual({ tagOwners: { 'tag:k8s-operator': [], 'tag:k8s': ['tag:k8s-operator'] } });
  });

  it('follows the configured tags', () => {
    const snippet = JSON.parse(tagOwnersSnippet({ tags: ['tag:ops', 'tag:k8s-op'], proxyTags: ['tag:proxies'] }));
    expect(snippet).toEqual({ tagOwners: { 'tag:ops': [], 'tag:k8s-op': [], 'tag:proxies': ['tag:ops', 'tag:k8s-op'] } });
  });

  it('is rendered as a generated Markdown file holding exactly the policy fragment', () => {
    const component = tailscale(config);
    const [file] = component.files!;
    expect(file!.path).toBe(componentPaths(component).values.replace('values.yaml', 'TAILNET-POLICY.md'));
    expect(file!.path).toBe('kubernetes/core/tailscale/TAILNET-POLICY.md');
    expect(hasGeneratedHeader(file!.content)).toBe(true);
    const json = /```json\n([\s\S]*?)\n```/.exec(file!.content)?.[1];
    expect(JSON.parse(json!)).toEqual(tailnetPolicy(tailscaleSettings(config)));
    expect(JSON.parse(json!).tagOwners).toEqual(JSON.parse(tagOwnersSnippet()).tagOwners);
    expect(file!.content).toContain(`Secret \`${OPERATOR_OAUTH_SECRET.name}\``);
  });
});

const chartDir = chartSchemaDir('tailscale-operator');

describe.skipIf(!chartDir)('chart conformance (tailscale-operator)', () => {
  const valuesText = () => readFileSync(join(chartDir!, 'values.yaml'), 'utf8');

  it('accepts the values, with and without a subnet router', () => {
    expect(checkChartValues(chartDir!, valuesOf(tailscale(config)))).toEqual([]);
    expect(checkChartValues(chartDir!, valuesOf(tailscale(config, { subnetRouter: { enabled: false }, proxyTags: ['tag:a', 'tag:b'] })))).toEqual([]);
  });

  it('rejects a misplaced key', () => {
    expect(checkChartValues(chartDir!, { ...valuesOf(tailscale(config)), hostname: 'x' })).toEqual(["hostname: not a key of the chart's values.yaml"]);
  });

  it("declares the Secret the chart mounts when OAuth is not set inline, with the files it reads", () => {
    const text = valuesText();
    expect(/a Secret named (\S+) must be\s+#\s*precreated/.exec(text)?.[1]).toBe(OPERATOR_OAUTH_SECRET.name);
    const files = /two files named `(\w+)` and `(\w+)`/.exec(text);
    expect([files?.[1], files?.[2]]).toEqual([...OPERATOR_OAUTH_SECRET.keys]);
  });

  it('keeps the chart installing the CRDs the Connector needs', () => {
    expect((load(valuesText()) as { installCRDs: boolean }).installCRDs).toBe(true);
    expect(valuesOf(tailscale(config))).not.toHaveProperty('installCRDs');
  });
});

describe('declarations for the security layers', () => {
  it('selects every pod of its namespace (the proxies carry no release label), carries tailnet hosts and routes the LAN when the subnet router is on', () => {
    const component = tailscale(config);
    expect(component.network).toEqual({ pods: {}, proxies: ['tailnet'], lanRouter: true, nodes: true, internetEgress: true, kubeApi: { client: true } });
    expect(tailscale(config, { subnetRouter: { enabled: false } }).network).toMatchObject({ lanRouter: false, nodes: false });
  });

  it('reaches the nodes themselves exactly when an advertised route contains a node address (talosctl over the tailnet)', () => {
    const node = config.nodes[0]!.ip;
    expect(tailscale(config, { subnetRouter: { routes: [`${node}/32`] } }).network!.nodes).toBe(true);
    expect(tailscale(config, { subnetRouter: { routes: ['198.51.100.0/24'] } }).network!.nodes).toBe(false);
    expect(tailscale(config).clusterResources).toEqual(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { ResolvedConfig } from '@homelab/config';
import { ConfigMistake, componentPaths, hasGeneratedHeader, merge, renderComponents, type Access, type Component, type Exposure } from '@homelab/core';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig } from '@homelab/testing';
import { CLOUDFLARED_DEFAULTS } from './defaults.js';
import { CLOUDFLARED_UNLISTED_VALUES, cloudflared, cloudflaredModule, connectorReplicas, type CloudflaredValues } from './cloudflared.js';
import { CATCH_ALL_RULE, TUNNEL_DNS_SUFFIX, publicExposures, tunnelDnsRecords, tunnelIngress } from './tunnel.js';
import { CLOUDFLARED_CHART, CLOUDFLARED_IMAGE } from './versions.js';
import * as api from './index.js';

const config = seedConfig();
/** The seed without a tunnel: cloudflare.tunnelId not set. */
const noTunnel = configVariant((data) => {
  delete data.cloudflare;
});

/** A tunnel UUID of the shape `cloudflared tunnel create` prints (test data, not a real tunnel). */
const TUNNEL_ID = '6ff42ae2-765d-4adf-8112-31c55c1551ef';

const host = (label: string, cfg: ResolvedConfig = config) => `${label}.${cfg.domains.public}`;
const exposure = (label: string, access: Access, port: number, cfg: ResolvedConfig = config): Exposure => ({
  host: access === 'public' ? host(label, cfg) : `${label}.${cfg.domains.internal}`,
  access,
  service: { name: label, namespace: 'media', port },
  sso: 'none',
});
const app = (name: string, exposes: Exposure[]): Component => ({ name, group: 'apps', namespace: 'media', source: 'test', exposes });

/** Plex and Overseerr public (as in ARCHITECTURE.md), Sonarr internal only. */
const apps = (cfg: ResolvedConfig = config) => [
  app('plex', [exposure('plex', 'public', 32400, cfg)]),
  app('overseerr', [exposure('requests', 'public', 5055, cfg), exposure('overseerr', 'internal', 5055, cfg)]),
  app('sonarr', [exposure('sonarr', 'internal', 8989, cfg)]),
];

const build = (components: readonly Component[] = apps(), overrides: Parameters<typeof cloudflared>[2] = { tunnelId: TUNNEL_ID }, cfg = config) => {
  const built = cloudflared(cfg, components, overrides);
  expect(built).toHaveLength(1);
  return built[0]!;
};
const valuesOf = (component: Component) => component.values as CloudflaredValues;

describe('cloudflared component', () => {
  const component = build();

  it('is a core component in its namespace, at wave 5, with the pinned chart', () => {
    expect(component).toMatchObject({
      name: cloudflaredModule.name,
      group: 'core',
      namespace: CLOUDFLARED_DEFAULTS.namespace,
      syncWave: 5,
      source: '@homelab/cloudflared',
      chart: CLOUDFLARED_CHART,
    });
    expect(component.chart?.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs the pinned cloudflared image', () => {
    expect(valuesOf(component).image).toEqual({ ...CLOUDFLARED_IMAGE, pullPolicy: 'IfNotPresent' });
  });

  it('runs its tunnel by UUID, which needs no account certificate to resolve', () => {
    expect(valuesOf(component).tunnelConfig.name).toBe(TUNNEL_ID);
  });

  it('registers as a deriving module: built from the other components, none without them and without a tunnel', () => {
    expect(cloudflaredModule.derives).toBe(true);
    expect(cloudflaredModule.build(noTunnel)).toEqual([]);
    const built = cloudflaredModule.build(noTunnel, { components: apps().map((entry) => ({ ...entry, exposes: entry.exposes?.filter((e) => e.access !== 'public') })) });
    expect(built).toEqual([]);
  });

  it('takes the tunnel ID from homelab.yaml (cloudflare.tunnelId)', () => {
    const [built] = [cloudflaredModule.build(config, { components: apps() })].flat();
    expect(JSON.stringify(built!.values)).toContain(config.cloudflare!.tunnelId!);
  });

  it('asks for the restricted Pod Security level and sets what it needs', () => {
    expect(component.podSecurity).toBe('restricted');
    expect(valuesOf(component).podSecurityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CATCH_ALL_RULE',
      'CLOUDFLARED_CHART',
      'CLOUDFLARED_DEFAULTS',
      'CLOUDFLARED_IMAGE',
      'TUNNEL_DNS_SUFFIX',
      'cloudflared',
      'cloudflaredModule',
      'tunnelDnsRecords',
      'tunnelIngress',
    ]);
  });

  it("scrapes the metrics cloudflared always serves with a PodMonitor on the chart's pods, exactly when the homelab has a Prometheus (podMonitor)", () => {
    expect(build().objects).toBeUndefined();
    const objects = build(apps(), { tunnelId: TUNNEL_ID, podMonitor: true }).objects!;
    expect(Object.keys(objects)).toEqual(['podMonitor']);
    const monitor = objects['podMonitor'];
    monitor!.validate();
    expect(monitor!.toJSON()).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'cloudflared', namespace: CLOUDFLARED_DEFAULTS.namespace },
      // The chart's selector labels (instance = release) and the name its deployment template gives the metrics port.
      spec: { selector: { matchLabels: { 'app.kubernetes.io/instance': 'cloudflared' } }, podMetricsEndpoints: [{ port: 'active-con-stat', path: '/metrics' }] },
    });
  });

  it('takes overrides with merge() semantics and leaves the defaults alone', () => {
    const before = JSON.stringify(CLOUDFLARED_DEFAULTS);
    const patched = build(apps(), { tunnelId: TUNNEL_ID, logLevel: 'debug', resources: { limits: { memory: '512Mi' } } });
    expect(valuesOf(patched).tunnelConfig.logLevel).toBe('debug');
    expect(valuesOf(patched).resources).toEqual({ requests: CLOUDFLARED_DEFAULTS.resources.requests, limits: { memory: '512Mi' } });
    expect(JSON.stringify(CLOUDFLARED_DEFAULTS)).toBe(before);
  });

  it('rejects a replica bound below one', () => {
    expect(() => build(apps(), { tunnelId: TUNNEL_ID, maxReplicas: 0 })).toThrow(
      "cloudflared: maxReplicas must be a whole number of at least 1 (maxReplicas: '0'). Use 1 or 2 (more connectors only help with more nodes).",
    );
  });
});

describe('tunnel ID', () => {
  it('is required as soon as something is public', () => {
    const hosts = publicExposures(apps(), config).map(({ exposure }) => exposure.host);
    expect(hosts.length).toBeGreaterThan(0);
    const mistake = new ConfigMistake([
      {
        path: 'cloudflare.tunnelId',
        problem: `is required: ${hosts.join(', ')} ${hosts.length === 1 ? 'is' : 'are'} public, served through a Cloudflare Tunnel`,
        fix: 'Create a tunnel (cloudflared tunnel create <name>) and put its UUID under cloudflare.tunnelId in homelab.yaml, or stop exposing those apps publicly (apps.<name>.expose.public: false).',
      },
    ]);
    expect(() => cloudflared(config, apps())).toThrow(mistake);
    expect(() => cloudflaredModule.build(noTunnel, { components: apps() })).toThrow(ConfigMistake);
    expect(() => tunnelDnsRecords(apps(), config, '')).toThrow(mistake);
  });

  it('is optional while nothing is public: no tunnel, no component', () => {
    const internalOnly = [app('sonarr', [exposure('sonarr', 'internal', 8989)])];
    expect(cloudflared(config, internalOnly)).toEqual([]);
    expect(tunnelDnsRecords(internalOnly, config, '')).toEqual([]);
  });

  it('keeps a configured tunnel connected with only the catch-all when nothing is public', () => {
    const [component] = cloudflared(config, [], { tunnelId: TUNNEL_ID });
    expect(valuesOf(component!).ingress).toEqual([CATCH_ALL_RULE]);
    expect(component!.files).toBeUndefined();
  });

  it('must be a UUID', () => {
    expect(() => cloudflared(config, [], { tunnelId: 'homelab' })).toThrow(
      "cloudflare.tunnelId: is not a tunnel UUID (got 'homelab'). Use the lowercase UUID printed by cloudflared tunnel create <name> (cloudflared tunnel list shows it again).",
    );
  });
});

describe('ingress rules', () => {
  const rules = valuesOf(build()).ingress;

  it('route every public host, and only those, to its service in the cluster', () => {
    const expected = apps()
      .flatMap((entry) => entry.exposes ?? [])
      .filter((entry) => entry.access === 'public')
      .map((entry) => ({ hostname: entry.host, service: `http://${entry.service.name}.${entry.service.namespace}.svc.cluster.local:${entry.service.port}` }));
    expect(rules.slice(0, -1)).toEqual(expect.arrayContaining(expected));
    expect(rules).toHaveLength(expected.length + 1);
  });

  it('are sorted by hostname and end with the catch-all', () => {
    const hostnames = rules.slice(0, -1).map((rule) => rule.hostname!);
    expect(hostnames).toEqual([...hostnames].sort());
    expect(rules.at(-1)).toEqual({ service: 'http_status:404' });
    expect(rules.filter((rule) => rule.hostname === undefined)).toHaveLength(1);
  });

  it('follow the order of nothing but the hostnames (component order does not matter)', () => {
    expect(valuesOf(build([...apps()].reverse())).ingress).toEqual(rules);
  });

  it('are what tunnelIngress derives, so the aggregator and the chart agree', () => {
    expect(tunnelIngress(apps(), config)).toEqual(rules);
  });

  it('address services through the configured cluster domain', () => {
    const [plex] = valuesOf(build(apps(), { tunnelId: TUNNEL_ID, clusterDomain: 'k8s.internal' })).ingress;
    expect(plex).toEqual({ hostname: host('plex'), service: 'http://plex.media.svc.k8s.internal:32400' });
  });

  it('follow domains.public (late binding)', () => {
    const moved = configVariant((data) => {
      data.domains.public = 'example.org';
    });
    const movedRules = valuesOf(build(apps(moved), { tunnelId: TUNNEL_ID }, moved)).ingress;
    expect(movedRules.map((rule) => rule.hostname).filter(Boolean)).toEqual(['plex.example.org', 'requests.example.org']);
    // a host of the old zone is no longer in the Cloudflare zone
    expect(() => tunnelIngress(apps(config), moved)).toThrow(
      `cloudflared: public host is outside the Cloudflare zone 'example.org' (plex.exposes[0].host: '${host('plex')}'). Use a host under domains.public, such as 'app.example.org'.`,
    );
  });

  it('accept the zone apex', () => {
    const apex: Exposure = { ...exposure('home', 'public', 80), host: config.domains.public };
    expect(tunnelIngress([app('home', [apex])], config)[0]).toEqual({ hostname: config.domains.public, service: 'http://home.media.svc.cluster.local:80' });
  });

  it('reject a host exposed twice', () => {
    const again = { ...exposure('other', 'public', 80), host: host('plex') };
    expect(() => tunnelIngress([...apps(), app('other', [again])], config)).toThrow(
      `cloudflared: public host is exposed twice, also by plex.exposes[0].host (other.exposes[0].host: '${host('plex')}'). Expose each public host once: the tunnel sends a host to one service.`,
    );
  });

  it('do not modify the components they read', () => {
    const components = apps();
    const before = structuredClone(components);
    cloudflared(config, components, { tunnelId: TUNNEL_ID });
    tunnelDnsRecords(components, config, TUNNEL_ID);
    expect(components).toEqual(before);
  });
});

describe('public exposure changes', () => {
  /** Sonarr's only exposure switched to `access`. */
  const withSonarr = (access: Access) => apps().map((entry) => (entry.name === 'sonarr' ? app('sonarr', [exposure('sonarr', access, 8989)]) : entry));
  const rulesOf = (components: Component[]) => valuesOf(build(components)).ingress;
  const minus = <T>(after: T[], before: T[]) => after.filter((item) => !before.some((other) => JSON.stringify(other) === JSON.stringify(item)));

  it('internal → public adds exactly that tunnel rule and that CNAME', () => {
    const before = withSonarr('internal');
    const after = withSonarr('public');
    const sonarr = exposure('sonarr', 'public', 8989);
    expect(minus(rulesOf(after), rulesOf(before))).toEqual([{ hostname: sonarr.host, service: 'http://sonarr.media.svc.cluster.local:8989' }]);
    expect(minus(rulesOf(before), rulesOf(after))).toEqual([]);
    expect(rulesOf(after)).toHaveLength(rulesOf(before).length + 1);
    expect(minus(tunnelDnsRecords(after, config, TUNNEL_ID), tunnelDnsRecords(before, config, TUNNEL_ID))).toEqual([
      { name: sonarr.host, type: 'CNAME', content: `${TUNNEL_ID}.${TUNNEL_DNS_SUFFIX}`, proxied: true },
    ]);
    expect(rulesOf(after).at(-1)).toEqual(CATCH_ALL_RULE);
  });

  it('public → internal removes exactly them again', () => {
    const publicRules = rulesOf(withSonarr('public'));
    const back = rulesOf(withSonarr('internal'));
    expect(minus(publicRules, back).map((rule) => rule.hostname)).toEqual([host('sonarr')]);
    expect(minus(back, publicRules)).toEqual([]);
    expect(tunnelDnsRecords(withSonarr('internal'), config, TUNNEL_ID).map((record) => record.name)).not.toContain(host('sonarr'));
  });

  it('a tailnet exposure adds nothing to the tunnel', () => {
    expect(rulesOf(withSonarr('tailnet'))).toEqual(rulesOf(withSonarr('internal')));
  });
});

describe('DNS records', () => {
  it('are one proxied CNAME per public host to the tunnel, sorted by host', () => {
    const records = tunnelDnsRecords(apps(), config, TUNNEL_ID);
    const hosts = tunnelIngress(apps(), config).flatMap((rule) => (rule.hostname ? [rule.hostname] : []));
    expect(records.map((record) => record.name)).toEqual(hosts);
    for (const record of records) expect(record).toEqual({ name: record.name, type: 'CNAME', content: `${TUNNEL_ID}.cfargotunnel.com`, proxied: true });
  });

  it('are written to a generated Markdown file beside the values', () => {
    const component = build();
    const [file] = component.files ?? [];
    expect(file?.path).toBe(componentPaths(component).values.replace('values.yaml', 'DNS-RECORDS.md'));
    expect(hasGeneratedHeader(file!.content)).toBe(true);
    for (const record of tunnelDnsRecords(apps(), config, TUNNEL_ID)) {
      expect(file!.content).toContain(`| ${record.name} | CNAME | ${record.content} | yes |`);
      expect(file!.content).toContain(`cloudflared tunnel route dns ${TUNNEL_ID} ${record.name}`);
    }
  });
});

describe('replicas', () => {
  const workers = (count: number) =>
    configVariant((data) => {
      for (let index = 1; index <= count; index++) data.nodes[`talos-w0${index}`] = { ip: `192.168.30.${50 + index}`, role: 'worker' };
    });

  it('are one on a single node, without anti-affinity', () => {
    expect(connectorReplicas(config, CLOUDFLARED_DEFAULTS)).toBe(config.nodes.length);
    expect(valuesOf(build()).replica).toEqual({ allNodes: false, count: 1 });
    expect(valuesOf(build()).affinity).toEqual({});
  });

  it('follow the nodes that run workloads, up to maxReplicas, spread over nodes', () => {
    const three = workers(3);
    expect(three.workers).toHaveLength(3);
    const values = valuesOf(build(apps(three), { tunnelId: TUNNEL_ID }, three));
    expect(values.replica.count).toBe(CLOUDFLARED_DEFAULTS.maxReplicas);
    expect(JSON.stringify(values.affinity)).toContain('kubernetes.io/hostname');
    expect(connectorReplicas(three, { maxReplicas: 5 })).toBe(3);
    // with workers, control planes do not count
    expect(connectorReplicas(workers(1), { maxReplicas: 5 })).toBe(1);
  });

  it('schedule like any workload (the chart tolerates every NoSchedule taint by default)', () => {
    expect(valuesOf(build()).tolerations).toEqual([]);
  });
});

describe('secrets', () => {
  const component = build();
  const values = valuesOf(component);

  it('declares the credentials Secret in its namespace, nothing else', () => {
    expect(component.secrets).toEqual([
      expect.objectContaining({ name: CLOUDFLARED_DEFAULTS.credentials.secretName, namespace: component.namespace, keys: [CLOUDFLARED_DEFAULTS.credentials.key] }),
    ]);
    expect(component.secrets![0]!.description).toContain(TUNNEL_ID);
  });

  it('references only declared Secrets and the credentials key it declares', () => {
    const refs = Object.values(values.tunnelSecrets);
    for (const ref of refs) expect(component.secrets!.map((secret) => secret.name)).toContain(ref.name);
    const { existingConfigJsonFileSecret: json } = values.tunnelSecrets;
    expect(component.secrets!.find((secret) => secret.name === json.name)!.keys).toContain(json.key);
  });

  it('never holds the account certificate: its reference names the declared credentials key, so TUNNEL_ORIGIN_CERT points at a file that exists', () => {
    const pem = values.tunnelSecrets.existingPemFileSecret;
    expect(pem).toEqual({ name: CLOUDFLARED_DEFAULTS.credentials.secretName, key: CLOUDFLARED_DEFAULTS.credentials.key });
    expect(component.secrets!.flatMap((secret) => secret.keys)).toEqual([CLOUDFLARED_DEFAULTS.credentials.key]);
  });

  it('follows a renamed Secret everywhere', () => {
    const renamed = build(apps(), { tunnelId: TUNNEL_ID, credentials: { secretName: 'tunnel' } });
    expect(renamed.secrets!.map((secret) => secret.name)).toEqual(['tunnel']);
    expect(Object.values(valuesOf(renamed).tunnelSecrets).map((ref) => ref.name)).toEqual(['tunnel', 'tunnel']);
  });
});

describe('rendered', () => {
  it('writes the rules to values.yaml, catch-all last', () => {
    const component = build();
    const files = renderComponents([component], { repoURL: config.gitops.repoURL, revision: config.gitops.revision });
    const valuesFile = files.find((file) => file.path === componentPaths(component).values)!;
    const written = load(valuesFile.content) as CloudflaredValues;
    expect(written.ingress).toEqual(valuesOf(component).ingress);
    expect(files.map((file) => file.path)).toContain(component.files![0]!.path);
  });
});

const chartDir = chartSchemaDir('cloudflared');

describe.skipIf(!chartDir)('chart conformance (community-charts cloudflared)', () => {
  const defaults = () => load(readFileSync(join(chartDir!, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  // Helm validates values.schema.json against the chart defaults coalesced with ours, so does this.
  const effective = (values: unknown) => merge(defaults(), values as Record<string, unknown>);
  const ALLOW = [...CLOUDFLARED_UNLISTED_VALUES];

  it('accepts the values for the seed config and for a multi-node cluster', () => {
    expect(checkChartValues(chartDir!, effective(valuesOf(build())), { allow: ALLOW })).toEqual([]);
    const big = configVariant((data) => {
      data.nodes['talos-w01'] = { ip: '192.168.30.51', role: 'worker' };
      data.nodes['talos-w02'] = { ip: '192.168.30.52', role: 'worker' };
    });
    expect(checkChartValues(chartDir!, effective(valuesOf(build(apps(big), { tunnelId: TUNNEL_ID }, big))), { allow: ALLOW })).toEqual([]);
  });

  it('rejects a key the chart does not have, and a value its schema forbids', () => {
    expect(checkChartValues(chartDir!, effective({ ...valuesOf(build()), replicas: 2 }), { allow: ALLOW })).toContain("replicas: not a key of the chart's values.yaml");
    const wrong = { ...valuesOf(build()), ingress: [{ hostname: host('plex'), service: 'http://plex:80', path: 1 }] };
    expect(checkChartValues(chartDir!, effective(wrong), { allow: ALLOW })).toEqual(['/ingress/0/path: must be string (values.schema.json)']);
  });

  it('allows only a key of a map the schema leaves open', () => {
    const schema = JSON.parse(readFileSync(join(chartDir!, 'values.schema.json'), 'utf8')) as { properties: Record<string, { additionalProperties?: boolean }> };
    for (const path of ALLOW) expect(schema.properties[path.split('.')[0]!]!.additionalProperties).toBe(true);
  });

  it("sets the credentials key the chart's default names, so its config points at the file we mount", () => {
    const chart = defaults() as { tunnelSecrets: { existingConfigJsonFileSecret: { key: string } } };
    expect(chart.tunnelSecrets.existingConfigJsonFileSecret.key).toBe(CLOUDFLARED_DEFAULTS.credentials.key);
  });
});

describe('declarations for the security layers', () => {
  it('carries the public hosts and dials Cloudflare', () => {
    const component = build();
    expect(component.network).toEqual({ proxies: ['public'], internetEgress: true });
    expect(component.clusterResources).toBeUndefined();
  });
});

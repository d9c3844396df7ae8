import { describe, expect, it } from 'vitest';
import { podSelector, type Component, type LabelSelector, type PortDeclaration } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { configVariant, seedConfig } from '@homelab/testing';
import { alloyModule } from '@homelab/alloy';
import { argocdModule } from '@homelab/argocd';
import { bazarrModule } from '@homelab/bazarr';
import { certManagerModule } from '@homelab/cert-manager';
import { ciliumModule } from '@homelab/cilium';
import { cloudflaredModule } from '@homelab/cloudflared';
import { gatewayApiModule } from '@homelab/gateway-api';
import { kubePrometheusStackModule } from '@homelab/kube-prometheus-stack';
import { lokiModule } from '@homelab/loki';
import { nfsCsiModule } from '@homelab/nfs-csi';
import { overseerrModule } from '@homelab/overseerr';
import { plexModule } from '@homelab/plex';
import { prowlarrModule } from '@homelab/prowlarr';
import { qbittorrentModule } from '@homelab/qbittorrent';
import { radarrModule } from '@homelab/radarr';
import { sonarrModule } from '@homelab/sonarr';
import { tailscaleModule } from '@homelab/tailscale';
import type { CiliumNetworkPolicy } from '@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy';
import { NETWORK_POLICY_DEFAULTS } from './defaults.js';
import { networkPolicies, SCRAPER_POLICY_SUFFIX } from './policies.js';

const seed = seedConfig();

/** The homelab's components as the aggregator composes them (cloudflared derives from the rest). */
function homelab(config: ResolvedConfig = seed, edit: (components: Component[]) => Component[] = (c) => c): Component[] {
  const modules = [
    gatewayApiModule, ciliumModule, certManagerModule, nfsCsiModule, argocdModule, tailscaleModule,
    plexModule, sonarrModule, radarrModule, prowlarrModule, qbittorrentModule, overseerrModule, bazarrModule,
    kubePrometheusStackModule, lokiModule, alloyModule,
  ];
  const components = edit(modules.flatMap((module) => [module.build(config)].flat()));
  return [...components, ...[cloudflaredModule.build(config, { components: [...components] })].flat()];
}

const allPolicies = (components: Component[]) => Object.values(networkPolicies(components, seed)).flat();

// --- A small evaluator of Cilium policy semantics, independent of how the policies were built ------

type Labels = Record<string, string>;
type Endpoint = { kind: 'pod'; name: string; namespace: string; labels: Labels } | { kind: 'entity'; entity: string };
type Port = Required<PortDeclaration>;

const NS = 'io.kubernetes.pod.namespace';
const bare = (key: string) => key.replace(/^(k8s|any):/, '');

/** Pods carrying exactly the labels a selector asks for (the first value of an `In`). */
function podOf(name: string, namespace: string, selector: LabelSelector): Endpoint {
  const labels: Labels = { ...selector.matchLabels };
  for (const expression of selector.matchExpressions ?? []) {
    if (expression.operator === 'In') labels[expression.key] = expression.values![0]!;
    if (expression.operator === 'Exists') labels[expression.key] = 'x';
  }
  return { kind: 'pod', name, namespace, labels };
}

const pods = (component: Component) => podOf(component.name, component.namespace, podSelector(component)!);
const scraperOf = (component: Component) => podOf(`${component.name}#scraper`, component.namespace, component.network!.metricsScraper!);
const entity = (name: string): Endpoint => ({ kind: 'entity', entity: name });
const kubeDns: Endpoint = { kind: 'pod', name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

function matches(selector: { matchLabels?: Labels; matchExpressions?: LabelSelector['matchExpressions'] } | undefined, pod: Extract<Endpoint, { kind: 'pod' }>, policyNamespace: string): boolean {
  const labels: Labels = { ...pod.labels, [NS]: pod.namespace };
  const wanted = Object.fromEntries(Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => [bare(key), value]));
  if (!(NS in wanted) && pod.namespace !== policyNamespace) return false;
  if (!Object.entries(wanted).every(([key, value]) => labels[key] === value)) return false;
  return (selector?.matchExpressions ?? []).every((expression) => {
    const value = labels[bare(expression.key)];
    switch (expression.operator) {
      case 'In': return value !== undefined && expression.values!.includes(value);
      case 'NotIn': return value === undefined || !expression.values!.includes(value);
      case 'Exists': return value !== undefined;
      case 'DoesNotExist': return value === undefined;
    }
  });
}

const CLUSTER_ENTITIES = ['kube-apiserver', 'ingress', 'host', 'remote-node'];

function peerMatches(endpoints: unknown, entities: string[] | undefined, peer: Endpoint, policyNamespace: string): boolean {
  if (peer.kind === 'entity') return (entities ?? []).some((e) => e === peer.entity || e === 'all' || (e === 'cluster' && CLUSTER_ENTITIES.includes(peer.entity)));
  return (entities ?? []).some((e) => e === 'cluster' || e === 'all') || ((endpoints as LabelSelector[] | undefined) ?? []).some((selector) => matches(selector, peer, policyNamespace));
}

function portMatches(toPorts: { ports?: { port?: string; protocol?: string }[] }[] | undefined, port: Port | undefined): boolean {
  if (!toPorts || toPorts.length === 0 || port === undefined) return true;
  return toPorts.some((rule) => (rule.ports ?? []).some((p) => p.port === String(port.port) && (p.protocol ?? 'ANY') === port.protocol));
}

const selecting = (policies: CiliumNetworkPolicy[], pod: Extract<Endpoint, { kind: 'pod' }>) =>
  policies.filter((policy) => policy.metadata.namespace === pod.namespace && matches(policy.spec!.endpointSelector as LabelSelector, pod, pod.namespace));

function admits(policies: CiliumNetworkPolicy[], direction: 'ingress' | 'egress', subject: Endpoint, peer: Endpoint, port?: Port): boolean {
  if (subject.kind !== 'pod') return true;
  const applied = selecting(policies, subject);
  const enforced = applied.some((policy) => (policy.spec![direction]?.length ?? 0) > 0 || policy.spec!.enableDefaultDeny?.[direction] === true);
  if (!enforced) return true;
  return applied.some((policy) =>
    (policy.spec![direction] ?? []).some((rule: any) =>
      direction === 'ingress'
        ? peerMatches(rule.fromEndpoints, rule.fromEntities, peer, policy.metadata.namespace!) && portMatches(rule.toPorts, port)
        : peerMatches(rule.toEndpoints, rule.toEntities, peer, policy.metadata.namespace!) && portMatches(rule.toPorts, port),
    ),
  );
}

/** Whether `from` may open a connection to `to` (on `port`, or on some port): egress there, ingress here. */
const allowed = (policies: CiliumNetworkPolicy[], from: Endpoint, to: Endpoint, port?: Port) => admits(policies, 'egress', from, to, port) && admits(policies, 'ingress', to, from, port);

// -----------------------------------------------------------------------------------------------

const components = homelab();
const policies = allPolicies(components);
const byName = new Map(components.map((component) => [component.name, component]));
const get = (name: string) => byName.get(name)!;
const withPods = components.filter((component) => podSelector(component) !== undefined);
const port = (p: number, protocol: 'TCP' | 'UDP' = 'TCP'): Port => ({ port: p, protocol });
const servicePort = (component: Component): Port | undefined => (component.exposes?.[0] ? port(component.exposes[0].service.port) : undefined);

describe('the homelab\'s policies', () => {
  it('validate against the Cilium CRD schema', () => {
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(() => policy.validate(), `${policy.metadata.namespace}/${policy.metadata.name}`).not.toThrow();
  });

  it('default-deny ingress in every namespace that runs pods, except the exempt ones', () => {
    const denied = policies.filter((policy) => policy.metadata.name === NETWORK_POLICY_DEFAULTS.defaultDenyName).map((policy) => policy.metadata.namespace).sort();
    const expected = [...new Set(withPods.map((component) => component.namespace))].filter((namespace) => !NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(namespace)).sort();
    expect(denied).toEqual(expected);
    expect(denied).not.toContain('kube-system');
    // A pod no component declares is still denied: the namespace policy selects every pod.
    const stray: Endpoint = { kind: 'pod', name: 'stray', namespace: get('sonarr').namespace, labels: { app: 'stray' } };
    expect(allowed(policies, pods(get('prowlarr')), stray)).toBe(false);
  });

  it('give each namespace\'s default deny to its earliest-syncing component', () => {
    const owned = networkPolicies(components, seed);
    for (const [owner, objects] of Object.entries(owned)) {
      for (const policy of objects.filter((p) => p.metadata.name === NETWORK_POLICY_DEFAULTS.defaultDenyName)) {
        const waves = withPods.filter((c) => c.namespace === policy.metadata.namespace).map((c) => c.syncWave ?? 0);
        expect(get(owner).syncWave ?? 0).toBe(Math.min(...waves));
      }
    }
  });

  it('leave components in exempt namespaces (host-network CNI and CSI) alone', () => {
    const owned = networkPolicies(components, seed);
    for (const component of components.filter((c) => NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(c.namespace))) expect(owned[component.name]).toBeUndefined();
  });

  it('allow exactly the declared app-to-app flows, in the declared direction, and nothing else between components', () => {
    const deployed = new Set(withPods.map((c) => c.name));
    const expected = new Set<string>();
    const exempt = (c: Component) => NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(c.namespace);
    for (const c of withPods) {
      expected.add(`${c.name}>${c.name}`);
      // No policy at either end: open, as without Cilium policies at all.
      for (const t of withPods) if (exempt(c) && exempt(t)) expected.add(`${c.name}>${t.name}`);
      for (const target of c.network?.connectsTo ?? []) if (deployed.has(target)) expected.add(`${c.name}>${target}`);
      for (const t of withPods) {
        if (t === c) continue;
        const exposes = (access: string) => (t.exposes ?? []).some((e) => e.access === access);
        if ((c.network?.proxies ?? []).some((access) => exposes(access))) expected.add(`${c.name}>${t.name}`);
        if ((c.network?.connectsToSso ?? []).some((mode) => (t.exposes ?? []).some((e) => e.sso === mode))) expected.add(`${c.name}>${t.name}`);
        if (c.network?.lanRouter && (t.network?.lanPorts ?? []).length > 0) expected.add(`${c.name}>${t.name}`);
      }
    }
    const actual = new Set<string>();
    for (const from of withPods) for (const to of withPods) if (allowed(policies, pods(from), pods(to))) actual.add(`${from.name}>${to.name}`);
    expect([...actual].sort()).toEqual([...expected].sort());
  });

  it('carry out the media stack\'s declared dependencies (and only those)', () => {
    const flows: [string, string][] = [
      ['sonarr', 'prowlarr'], ['sonarr', 'qbittorrent'], ['radarr', 'prowlarr'], ['radarr', 'qbittorrent'],
      ['prowlarr', 'sonarr'], ['prowlarr', 'radarr'],
      ['overseerr', 'sonarr'], ['overseerr', 'radarr'], ['overseerr', 'plex'],
      ['bazarr', 'sonarr'], ['bazarr', 'radarr'],
      ['kube-prometheus-stack', 'loki'], ['alloy', 'loki'],
    ];
    for (const [from, to] of flows) {
      expect(get(from).network?.connectsTo, `${from} declares ${to}`).toContain(to);
      expect(allowed(policies, pods(get(from)), pods(get(to)), servicePort(get(to))), `${from} → ${to}`).toBe(true);
    }
    const unrelated: [string, string][] = [
      ['plex', 'qbittorrent'], ['plex', 'sonarr'], ['qbittorrent', 'sonarr'], ['sonarr', 'overseerr'], ['sonarr', 'radarr'],
      ['bazarr', 'prowlarr'], ['loki', 'alloy'], ['alloy', 'sonarr'], ['plex', 'loki'], ['sonarr', 'argocd'],
    ];
    for (const [from, to] of unrelated) expect(allowed(policies, pods(get(from)), pods(get(to))), `${from} → ${to}`).toBe(false);
  });

  it('let the gateway (entity ingress) reach exactly the components with an internal exposure', () => {
    for (const c of withPods.filter((c) => !NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(c.namespace))) {
      const routed = (c.exposes ?? []).some((e) => e.access === 'internal');
      expect(allowed(policies, entity('ingress'), pods(c)), c.name).toBe(routed);
    }
    expect(allowed(policies, entity('ingress'), pods(get('sonarr')))).toBe(true);
    expect(allowed(policies, entity('ingress'), pods(get('loki')))).toBe(false);
  });

  it('let cloudflared reach exactly the public apps, and Tailscale\'s proxies the tailnet ones', () => {
    const cloudflared = get('cloudflared');
    const publics = withPods.filter((c) => (c.exposes ?? []).some((e) => e.access === 'public'));
    expect(publics.map((c) => c.name).sort()).toEqual(['overseerr', 'plex']);
    for (const c of withPods.filter((c) => c !== cloudflared)) expect(allowed(policies, pods(cloudflared), pods(c)), c.name).toBe(publics.includes(c));
    const tailnet = withPods.filter((c) => (c.exposes ?? []).some((e) => e.access === 'tailnet'));
    for (const c of tailnet) expect(allowed(policies, pods(get('tailscale')), pods(c)), c.name).toBe(true);
  });

  it('let Prometheus scrape every component, and no other pod of the stack reach the apps', () => {
    const stack = get('kube-prometheus-stack');
    const prometheus = scraperOf(stack);
    for (const c of withPods.filter((c) => c !== stack)) expect(allowed(policies, prometheus, pods(c)), c.name).toBe(true);
    expect(allowed(policies, prometheus, entity('host'))).toBe(true);
    const grafana: Endpoint = { kind: 'pod', name: 'grafana', namespace: stack.namespace, labels: { 'app.kubernetes.io/instance': stack.name, 'app.kubernetes.io/name': 'grafana' } };
    expect(allowed(policies, grafana, pods(get('sonarr')))).toBe(false);
    expect(allowed(policies, grafana, pods(get('loki')))).toBe(true);
  });

  it('let every pod resolve names at the cluster DNS, and nothing else in kube-system', () => {
    for (const c of withPods.filter((c) => !NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(c.namespace))) {
      expect(allowed(policies, pods(c), kubeDns, port(53, 'UDP')), c.name).toBe(true);
      expect(allowed(policies, pods(c), kubeDns, port(80)), c.name).toBe(false);
    }
  });

  it('let only the components that declare it reach the internet', () => {
    const online = ['plex', 'sonarr', 'radarr', 'prowlarr', 'qbittorrent', 'overseerr', 'bazarr', 'cert-manager', 'argocd', 'cloudflared', 'tailscale', 'kube-prometheus-stack'];
    for (const name of online) expect(get(name).network?.internetEgress, name).toBe(true);
    for (const c of withPods.filter((c) => !NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(c.namespace))) {
      expect(allowed(policies, pods(c), entity('world')), c.name).toBe(c.network?.internetEgress === true || c.network?.lanRouter === true);
    }
    expect(allowed(policies, pods(get('loki')), entity('world'))).toBe(false);
  });

  it('let the API server be called by the controllers that declare it, and call the webhooks', () => {
    for (const c of withPods.filter((c) => !NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(c.namespace))) {
      expect(allowed(policies, pods(c), entity('kube-apiserver')), c.name).toBe(c.network?.kubeApi?.client === true);
      expect(allowed(policies, entity('kube-apiserver'), pods(c)), c.name).toBe(c.network?.kubeApi?.webhook === true);
    }
    expect(allowed(policies, entity('kube-apiserver'), pods(get('cert-manager')))).toBe(true);
    expect(allowed(policies, pods(get('sonarr')), entity('kube-apiserver'))).toBe(false);
  });

  it('admit the LAN on LoadBalancer ports only, and LAN routers there too', () => {
    const qbittorrent = get('qbittorrent');
    const lan = qbittorrent.network!.lanPorts!;
    expect(lan.length).toBeGreaterThan(0);
    for (const p of lan) {
      expect(allowed(policies, entity('world'), pods(qbittorrent), port(p.port, p.protocol ?? 'TCP'))).toBe(true);
      expect(allowed(policies, pods(get('tailscale')), pods(qbittorrent), port(p.port, p.protocol ?? 'TCP'))).toBe(true);
    }
    expect(allowed(policies, entity('world'), pods(qbittorrent), servicePort(qbittorrent))).toBe(false);
    expect(allowed(policies, pods(get('tailscale')), pods(qbittorrent), servicePort(qbittorrent))).toBe(false);
    expect(allowed(policies, entity('world'), pods(get('sonarr')))).toBe(false);
  });

  it('let OIDC clients call the identity provider through the gateway', () => {
    for (const c of withPods.filter((c) => !NETWORK_POLICY_DEFAULTS.exemptNamespaces.includes(c.namespace))) {
      const oidc = (c.exposes ?? []).some((e) => e.sso === 'oidc');
      expect(allowed(policies, pods(c), entity('ingress')), c.name).toBe(oidc || c.network?.lanRouter === true);
    }
  });
});

describe('adding an app', () => {
  const app: Component = {
    name: 'newapp',
    group: 'apps',
    namespace: get('sonarr').namespace,
    source: '@homelab/newapp',
    chart: { repo: 'https://charts.example.org', name: 'newapp', version: '1.0.0' },
    values: {},
    exposes: [{ host: `newapp.${seed.domains.internal}`, access: 'internal', service: { name: 'newapp', namespace: get('sonarr').namespace, port: 8080 }, sso: 'proxy' }],
  };
  const stack = get('kube-prometheus-stack');

  /** Every ordered pair of pod endpoints (components and the scraper) that may connect. */
  const pairs = (set: Component[]) => {
    const ps = allPolicies(set);
    const endpoints = [...set.filter((c) => podSelector(c)).map(pods), scraperOf(stack)] as Extract<Endpoint, { kind: 'pod' }>[];
    const result = new Set<string>();
    for (const from of endpoints) for (const to of endpoints) if (allowed(ps, from, to)) result.add(`${from.name}>${to.name}`);
    return result;
  };

  it('with no declared dependency opens no flow to or from any other component (the scraper aside)', () => {
    const before = pairs(components);
    const after = pairs([...components, app]);
    const added = [...after].filter((pair) => !before.has(pair)).sort();
    expect(added).toEqual([`${stack.name}#scraper>newapp`, 'newapp>newapp']);
    expect([...before].filter((pair) => !after.has(pair))).toEqual([]);
  });

  it('reached by an SSO proxy outpost when it asks for sso: proxy (connectsToSso), like sonarr, unlike plex', () => {
    const outpost: Component = { ...app, name: 'outpost', namespace: 'auth', exposes: [], network: { connectsToSso: ['proxy'] } };
    const set = [...components, app, outpost];
    const ps = allPolicies(set);
    expect(allowed(ps, pods(outpost), pods(app))).toBe(true);
    expect(allowed(ps, pods(outpost), pods(get('sonarr')))).toBe(true);
    expect(get('plex').exposes!.every((e) => e.sso !== 'proxy')).toBe(true);
    expect(allowed(ps, pods(outpost), pods(get('plex')))).toBe(false);
  });

  it('beside a twin selecting the same pods: the scraper lists those pods once, and still reaches both', () => {
    const shared = { ...app, network: { pods: { matchLabels: { 'app.kubernetes.io/name': 'newapp-shared' } } } };
    const twin = { ...shared, name: 'newapp-twin', exposes: [] };
    const ps = allPolicies([...components, shared, twin]);
    const scraper = ps.find((policy) => policy.metadata.name === `${stack.name}${SCRAPER_POLICY_SUFFIX}`)!;
    const listed = (scraper.spec!.egress ?? []).flatMap((rule) => (rule.toEndpoints ?? []).map((selector) => JSON.stringify(selector)));
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.filter((selector) => selector.includes('newapp-shared'))).toHaveLength(1);
    expect(allowed(ps, scraperOf(stack), pods(shared))).toBe(true);
    expect(allowed(ps, scraperOf(stack), pods(twin))).toBe(true);
  });

  it('with metrics ports: scraped on those only; with none, not at all', () => {
    const metered = { ...app, network: { metricsPorts: [9100] } };
    const ps = allPolicies([...components, metered]);
    expect(allowed(ps, scraperOf(stack), pods(metered), port(9100))).toBe(true);
    expect(allowed(ps, scraperOf(stack), pods(metered), port(8080))).toBe(false);
    const silent = { ...app, network: { metricsPorts: [] } };
    expect(allowed(allPolicies([...components, silent]), scraperOf(stack), pods(silent))).toBe(false);
  });
});

describe('follows the declarations and the config (late binding)', () => {
  it('a disabled dependency opens nothing and fails nothing', () => {
    const without = homelab(seed, (cs) => cs.filter((c) => c.name !== 'prowlarr'));
    const ps = allPolicies(without);
    const sonarr = without.find((c) => c.name === 'sonarr')!;
    const text = JSON.stringify(ps.filter((p) => p.metadata.name === 'sonarr'));
    expect(text).not.toContain('"prowlarr"');
    expect(allowed(ps, pods(sonarr), pods(without.find((c) => c.name === 'qbittorrent')!))).toBe(true);
  });

  it('making an app public lets cloudflared reach it', () => {
    expect(allowed(policies, pods(get('cloudflared')), pods(get('sonarr')))).toBe(false);
    const config = configVariant((data) => {
      (data as any).apps = { ...(data as any).apps, sonarr: { expose: { public: 'sonarr' } } };
    });
    const set = homelab(config);
    const ps = allPolicies(set);
    const find = (name: string) => set.find((c) => c.name === name)!;
    expect(allowed(ps, pods(find('cloudflared')), pods(find('sonarr')))).toBe(true);
  });

  it('a changed dependency list changes the flows', () => {
    const set = homelab(seed, (cs) => cs.map((c) => (c.name === 'bazarr' ? { ...c, network: { ...c.network, connectsTo: ['sonarr'] } } : c)));
    const ps = allPolicies(set);
    const find = (name: string) => set.find((c) => c.name === name)!;
    expect(allowed(ps, pods(find('bazarr')), pods(find('sonarr')))).toBe(true);
    expect(allowed(ps, pods(find('bazarr')), pods(find('radarr')))).toBe(false);
  });
});

describe('modes', () => {
  it('off renders nothing; audit renders what enforce does (Cilium audit mode makes the difference)', () => {
    expect(networkPolicies(components, seed, { mode: 'off' })).toEqual({});
    const render = (mode: 'audit' | 'enforce') => JSON.stringify(Object.values(networkPolicies(components, seed, { mode })).flat().map((p) => p.toJSON()));
    expect(render('audit')).toEqual(render('enforce'));
  });

  it('exempts the namespaces asked for', () => {
    const owned = networkPolicies(components, seed, { exemptNamespaces: ['kube-system', get('sonarr').namespace] });
    expect(owned['sonarr']).toBeUndefined();
    expect(owned['loki']).toBeDefined();
  });

  it('names the scraper policy after its component', () => {
    const owned = networkPolicies(components, seed);
    expect(owned['kube-prometheus-stack']!.map((p) => p.metadata.name)).toContain(`kube-prometheus-stack${SCRAPER_POLICY_SUFFIX}`);
  });

  it('rejects two policies with one name in one namespace', () => {
    const clash: Component = { name: NETWORK_POLICY_DEFAULTS.defaultDenyName, group: 'apps', namespace: get('sonarr').namespace, source: '@homelab/x', chart: { repo: 'https://x', name: 'x', version: '1' } };
    expect(() => networkPolicies([...components, clash], seed)).toThrow(
      `network-policies: two CiliumNetworkPolicies would be named ${get('sonarr').namespace}/${NETWORK_POLICY_DEFAULTS.defaultDenyName} (component '${NETWORK_POLICY_DEFAULTS.defaultDenyName}'). Rename the component: its policy is named after it.`,
    );
  });
});

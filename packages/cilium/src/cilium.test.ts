import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4, type ResolvedConfig } from '@homelab/config';
import { componentPaths, renderComponents, validateObjects, type Component } from '@homelab/core';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig, sharedDir } from '@homelab/testing';
import { buildCilium, CILIUM_CHART, CILIUM_DEFAULTS, CILIUM_SECRETS_NAMESPACE, ciliumModule, GATEWAY_CLASS_NAME, KUBEPRISM_PORT } from './index.js';
import type { CiliumObjects, CiliumValues } from './cilium.js';

const seed = seedConfig();

const withWorkers = (count: number) =>
  configVariant((data) => {
    const first = parseIpv4(data.network.ranges.nodes.start);
    const used = new Set(Object.values(data.nodes).map((node) => parseIpv4(node.ip)));
    let next = first;
    for (let i = 1; i <= count; i++) {
      while (used.has(next)) next++;
      used.add(next);
      data.nodes[`worker-${i}`] = { ip: formatIpv4(next), role: 'worker' };
    }
  });

const values = (component: Component) => component.values as CiliumValues;
const objects = (component: Component) => component.objects as unknown as CiliumObjects;

const chartDir = chartSchemaDir('cilium');
/**
 * Keys the chart reads although its values.yaml only has them commented out:
 * templates/cilium-configmap.yaml turns them into l2-announcements-{lease-duration,renew-deadline,retry-period}
 * and (`hasKey .Values "policyAuditMode"`) policy-audit-mode.
 */
const ALLOW = [...(buildCilium(seed).chart?.unlistedValues ?? [])];

describe('component', () => {
  const component = buildCilium(seed);

  it('is the core CNI at wave -10 in kube-system, privileged', () => {
    expect(component).toMatchObject({ name: 'cilium', group: 'core', namespace: 'kube-system', syncWave: -10, podSecurity: 'privileged' });
    expect(ciliumModule).toMatchObject({ name: component.name, kind: 'component' });
    expect(ciliumModule.build(seed)).toEqual(component);
  });

  it.skipIf(!sharedDir())('pins the chart version and repository listed in shared/chart-schemas/SOURCES.md', () => {
    const sources = readFileSync(join(sharedDir()!, 'chart-schemas', 'SOURCES.md'), 'utf8');
    const pinned = /^\| cilium \| (\S+) \|/m.exec(sources)?.[1];
    expect(component.chart).toMatchObject({ repo: CILIUM_CHART.repo, name: 'cilium', version: pinned });
    expect(sources).toContain(new URL(CILIUM_CHART.repo).host);
  });

  it('is a pure function of the config: same input, same output', () => {
    expect(JSON.stringify(buildCilium(seed))).toBe(JSON.stringify(component));
  });
});

describe.skipIf(!chartDir)('chart conformance (cilium 1.19.6 values.yaml and values.schema.json)', () => {
  const defaults = () => load(readFileSync(join(chartDir!, 'values.yaml'), 'utf8')) as { securityContext: { capabilities: Record<string, string[]> } };

  it('accepts the values for the seed config', () => {
    expect(checkChartValues(chartDir!, buildCilium(seed).values, { allow: ALLOW })).toEqual([]);
  });

  it('accepts the values with ServiceMonitors on, on a multi-node cluster, and with sub-second leases', () => {
    expect(checkChartValues(chartDir!, buildCilium(withWorkers(2), { serviceMonitors: true }).values, { allow: ALLOW })).toEqual([]);
    const fast = buildCilium(seed, { l2: { lease: { durationSeconds: 3, renewDeadlineSeconds: 1, retryPeriodSeconds: 0.2 } } });
    expect(checkChartValues(chartDir!, fast.values, { allow: ALLOW })).toEqual([]);
  });

  it('allows only keys values.yaml documents in comments (the templates read them)', () => {
    const text = readFileSync(join(chartDir!, 'values.yaml'), 'utf8');
    for (const path of ALLOW) {
      const key = path.split('.').at(-1)!;
      expect(text).toMatch(new RegExp(`^\\s*#\\s*${key}:`, 'm'));
    }
  });

  it('rejects externalIPs.enabled, which 1.19 removed (kubeProxyReplacement enables external IPs)', () => {
    const withExternalIPs = { ...buildCilium(seed).values, externalIPs: { enabled: true } };
    expect(checkChartValues(chartDir!, withExternalIPs, { allow: ALLOW })).toContain("externalIPs: not a key of the chart's values.yaml");
  });

  it("drops SYS_MODULE from the chart's capabilities and adds none", () => {
    const chart = defaults().securityContext.capabilities;
    const ours = values(buildCilium(seed)).securityContext.capabilities;
    for (const list of ['ciliumAgent', 'cleanCiliumState'] as const) {
      expect(chart[list]).toContain('SYS_MODULE');
      expect(ours[list]).not.toContain('SYS_MODULE');
      expect(chart[list]).toEqual(expect.arrayContaining(ours[list]));
    }
  });
});

describe('Talos', () => {
  const v = values(buildCilium(seed));

  it('reaches the API through KubePrism on every node', () => {
    expect(v.k8sServiceHost).toBe('localhost');
    expect(v.k8sServicePort).toBe(KUBEPRISM_PORT);
    expect(v.kubeProxyReplacement).toBe(true);
  });

  it("uses Talos' cgroup v2 mount and Kubernetes IPAM", () => {
    expect(v.cgroup).toEqual({ autoMount: { enabled: false }, hostRoot: '/sys/fs/cgroup' });
    expect(v.ipam.mode).toBe('kubernetes');
  });
});

describe('features', () => {
  it('enables Gateway API with its GatewayClass, L2 announcements, Hubble relay, UI and metrics', () => {
    const v = values(buildCilium(seed));
    expect(v.gatewayAPI).toEqual({ enabled: true, gatewayClass: { create: 'true' } });
    expect(GATEWAY_CLASS_NAME).toBe('cilium');
    expect(v.l2announcements.enabled).toBe(true);
    expect(v.hubble.relay.enabled && v.hubble.ui.enabled).toBe(true);
    expect(v.hubble.metrics.enabled).toEqual(
      Object.entries(CILIUM_DEFAULTS.hubbleMetrics).map(([name, options]) => (options === true ? name : `${name}:${options}`)),
    );
  });

  it('exposes agent and operator metrics with Services but creates no ServiceMonitor by default', () => {
    const v = values(buildCilium(seed));
    expect(v.prometheus).toEqual({ enabled: true, metricsService: true, serviceMonitor: { enabled: false, trustCRDsExist: false } });
    expect(v.operator.prometheus).toEqual({ enabled: true, metricsService: true, serviceMonitor: { enabled: false } });
    expect(v.hubble.metrics.serviceMonitor.enabled).toBe(false);
    expect(v.envoy.prometheus).toEqual({ enabled: true, serviceMonitor: { enabled: false } });
  });

  it('creates every ServiceMonitor, trusting the CRDs, when asked', () => {
    const v = values(buildCilium(seed, { serviceMonitors: true }));
    expect(v.prometheus.serviceMonitor).toEqual({ enabled: true, trustCRDsExist: true });
    expect(v.operator.prometheus.serviceMonitor.enabled).toBe(true);
    expect(v.hubble.metrics.serviceMonitor.enabled).toBe(true);
    expect(v.envoy.prometheus.serviceMonitor.enabled).toBe(true);
  });
});

describe('network policies', () => {
  it('are enforced by default, and only logged in policy audit mode when asked', () => {
    expect(values(buildCilium(seed)).policyAuditMode).toBe(false);
    expect(values(buildCilium(seed, { policyAuditMode: true })).policyAuditMode).toBe(true);
  });

  it('lets ArgoCD create the secrets namespace and the cluster-wide objects the chart renders', () => {
    const component = buildCilium(seed);
    expect(component.extraNamespaces).toEqual([CILIUM_SECRETS_NAMESPACE]);
    expect(component.clusterResources).toEqual(expect.arrayContaining(['ClusterRole', 'ClusterRoleBinding', 'GatewayClass', 'Namespace']));
  });
});

describe('objects', () => {
  const configs = { seed, 'two workers': withWorkers(2) };

  it.each(Object.entries(configs))('validate against the upstream CRD schemas (%s)', (_, config) => {
    const component = buildCilium(config, { l2: { interfaces: { bond: '^bond[0-9]+' } } });
    expect(Object.keys(component.objects ?? {})).toEqual(['loadBalancerIPPool', 'l2AnnouncementPolicy']);
    expect(validateObjects(Object.values(component.objects ?? {}))).toEqual([]);
  });

  it('use the API versions Cilium 1.19 stores (v2 pool; the L2 policy exists only as v2alpha1)', () => {
    const { loadBalancerIPPool, l2AnnouncementPolicy } = objects(buildCilium(seed));
    expect(loadBalancerIPPool.apiVersion).toBe('cilium.io/v2');
    expect(l2AnnouncementPolicy.apiVersion).toBe('cilium.io/v2alpha1');
  });

  it('are applied after the operator has registered the Cilium CRDs', () => {
    for (const object of Object.values(buildCilium(seed).objects ?? {})) {
      expect(object.metadata?.annotations).toMatchObject({
        'argocd.argoproj.io/sync-wave': '1',
        'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
      });
    }
  });

  it('announce LoadBalancer IPs, not externalIPs, on the default interfaces', () => {
    const { spec } = objects(buildCilium(seed)).l2AnnouncementPolicy;
    expect(spec).toMatchObject({ loadBalancerIPs: true, externalIPs: false, interfaces: Object.values(CILIUM_DEFAULTS.l2.interfaces) });
  });
});

describe('derived from the config (late binding)', () => {
  const poolOf = (config: ResolvedConfig) => objects(buildCilium(config)).loadBalancerIPPool.spec.blocks;

  it('pool is network.ranges.loadBalancer and follows it', () => {
    expect(poolOf(seed)).toEqual([{ start: seed.network.ranges.loadBalancer.start, stop: seed.network.ranges.loadBalancer.end }]);
    let range = { start: '', end: '' };
    const moved = configVariant((data) => {
      const start = parseIpv4(data.network.ranges.loadBalancer.start) + 4;
      const end = parseIpv4(data.network.ranges.loadBalancer.end) - 8;
      range = { start: formatIpv4(start), end: formatIpv4(end) };
      data.network.ranges.loadBalancer = range;
      data.network.internalGatewayIP = range.start;
      data.apps = {}; // fixed app addresses may fall outside the moved pool
    });
    expect(poolOf(moved)).toEqual([{ start: range.start, stop: range.end }]);
    expect(poolOf(moved)).not.toEqual(poolOf(seed));
  });

  it('API client rate limit grows with the pool and shrinks with a longer renew deadline', () => {
    const expected = (config: ResolvedConfig, renewDeadline: number) => {
      const { start, end } = config.network.ranges.loadBalancer;
      const qps = CILIUM_DEFAULTS.k8sClientRateLimit.baseQps + Math.ceil((parseIpv4(end) - parseIpv4(start) + 1) / renewDeadline);
      return { qps, burst: qps * CILIUM_DEFAULTS.k8sClientRateLimit.burstFactor };
    };
    expect(values(buildCilium(seed)).k8sClientRateLimit).toEqual(expected(seed, CILIUM_DEFAULTS.l2.lease.renewDeadlineSeconds));
    const smaller = configVariant((data) => {
      data.network.ranges.loadBalancer.end = data.network.ranges.loadBalancer.start;
      data.network.internalGatewayIP = data.network.ranges.loadBalancer.start;
      data.apps = {}; // fixed app addresses cannot fit a one-address pool
    });
    expect(values(buildCilium(smaller)).k8sClientRateLimit).toEqual(expected(smaller, CILIUM_DEFAULTS.l2.lease.renewDeadlineSeconds));
    expect(values(buildCilium(smaller)).k8sClientRateLimit.qps).toBeLessThan(values(buildCilium(seed)).k8sClientRateLimit.qps);
    const fast = buildCilium(seed, { l2: { lease: { durationSeconds: 3, renewDeadlineSeconds: 1, retryPeriodSeconds: 0.5 } } });
    expect(values(fast).k8sClientRateLimit).toEqual(expected(seed, 1));
    expect(values(fast).l2announcements).toEqual({ enabled: true, leaseDuration: '3s', leaseRenewDeadline: '1s', leaseRetryPeriod: '500ms' });
  });

  it('operator replicas: 1 on a single node, 2 from two nodes on', () => {
    expect(seed.nodes).toHaveLength(1);
    expect(values(buildCilium(seed)).operator.replicas).toBe(1);
    expect(values(buildCilium(withWorkers(1))).operator.replicas).toBe(2);
    expect(values(buildCilium(withWorkers(3))).operator.replicas).toBe(2);
  });

  it('L2 announcements come from the control plane when it runs the workloads, from workers otherwise', () => {
    const policy = (config: ResolvedConfig) => objects(buildCilium(config)).l2AnnouncementPolicy.spec!;
    expect(seed.cluster.schedulesOnControlPlanes).toBe(true);
    expect(policy(seed).nodeSelector).toBeUndefined();
    const threeControlPlanes = configVariant((data) => {
      const base = parseIpv4(data.network.ranges.nodes.start);
      data.nodes = Object.fromEntries([1, 2, 3].map((i) => [`cp-${i}`, { ip: formatIpv4(base + i), role: 'controlplane' as const }]));
      data.cluster.controlPlaneVIP = formatIpv4(base + 5);
    });
    expect(threeControlPlanes.cluster.schedulesOnControlPlanes).toBe(true);
    expect(policy(threeControlPlanes).nodeSelector).toBeUndefined();
    expect(policy(withWorkers(1)).nodeSelector).toEqual({ matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] });
  });
});

describe('settings', () => {
  it('interfaces are patched by name', () => {
    const without = objects(buildCilium(seed, { l2: { interfaces: { en: null } } })).l2AnnouncementPolicy.spec!;
    expect(without.interfaces).toEqual([CILIUM_DEFAULTS.l2.interfaces.eth]);
    const none = objects(buildCilium(seed, { l2: { interfaces: { en: null, eth: null } } })).l2AnnouncementPolicy.spec!;
    expect(none.interfaces).toBeUndefined();
  });

  it('Hubble metrics are patched by name', () => {
    const metrics = values(buildCilium(seed, { hubbleMetrics: { httpV2: null, kafka: true } })).hubble.metrics.enabled;
    expect(metrics.some((metric) => metric.startsWith('httpV2'))).toBe(false);
    expect(metrics.at(-1)).toBe('kafka');
  });

  it('reject lease timings leader election refuses, naming the setting and the fix', () => {
    expect(() => buildCilium(seed, { l2: { lease: { durationSeconds: 5 } } })).toThrow(
      "cilium: must be longer than l2.lease.renewDeadlineSeconds (5) (l2.lease.durationSeconds: '5'). Raise the lease duration or lower the renew deadline.",
    );
    expect(() => buildCilium(seed, { l2: { lease: { renewDeadlineSeconds: 2 } } })).toThrow(
      "cilium: must be longer than 1.2 × l2.lease.retryPeriodSeconds (2) (l2.lease.renewDeadlineSeconds: '2'). Raise the renew deadline or lower the retry period.",
    );
    expect(() => buildCilium(seed, { l2: { lease: { retryPeriodSeconds: 0 } } })).toThrow(
      "cilium: must be a positive number of seconds (l2.lease.retryPeriodSeconds: '0'). Use a duration such as 5 (seconds) or 0.5.",
    );
  });

  it('reject an interface pattern that is not a regular expression', () => {
    expect(() => buildCilium(seed, { l2: { interfaces: { bad: '^eth[' } } })).toThrow(
      "cilium: is not a valid regular expression (l2.interfaces.bad: '^eth['). Use a pattern such as '^eth[0-9]+'.",
    );
  });

  it('do not change the defaults they are merged onto', () => {
    const before = JSON.stringify(CILIUM_DEFAULTS);
    buildCilium(seed, { l2: { interfaces: { en: null } }, capabilities: { ciliumAgent: ['NET_ADMIN'] } });
    expect(JSON.stringify(CILIUM_DEFAULTS)).toBe(before);
  });
});

describe('rendering', () => {
  it('renders an Application with the pinned chart, its values and both manifests', () => {
    const component = buildCilium(seed);
    const files = renderComponents([component], { repoURL: seed.gitops.repoURL, revision: seed.gitops.revision });
    const paths = componentPaths(component);
    const byPath = new Map(files.map((file) => [file.path, file.content]));
    const application = load(byPath.get(paths.application)!) as {
      metadata: { annotations: Record<string, string> };
      spec: { sources: { chart?: string; targetRevision: string; repoURL: string }[] };
    };
    expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(component.syncWave));
    expect(application.spec.sources).toContainEqual(expect.objectContaining({ repoURL: CILIUM_CHART.repo, chart: CILIUM_CHART.name, targetRevision: CILIUM_CHART.version }));
    expect(load(byPath.get(paths.values)!)).toEqual(component.values);
    const manifests = [...byPath.keys()].filter((path) => path.startsWith(`${paths.manifests}/`));
    expect(manifests).toHaveLength(2);
    const pool = manifests.map((path) => byPath.get(path)!).find((content) => content.includes('kind: CiliumLoadBalancerIPPool'))!;
    expect(pool).toContain(`start: ${seed.network.ranges.loadBalancer.start}`);
    expect(pool).toContain(`stop: ${seed.network.ranges.loadBalancer.end}`);
  });
});

describe('sources', () => {
  const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}\b/;

  it('hold no literal IP address (the IP plan lives in homelab.yaml)', () => {
    expect(IPV4.test('a 10.0.0.1 b')).toBe(true);
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const offending = readdirSync(dir)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .flatMap((file) =>
        readFileSync(join(dir, file), 'utf8')
          .split('\n')
          .flatMap((line, index) => (IPV4.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
      );
    expect(offending).toEqual([]);
  });
});

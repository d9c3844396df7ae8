import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { ResolvedConfig } from '@homelab/config';
import { namespaceLevels, namespacesComponent, renderComponents, serviceMonitorsWanted, type BuildContext, type Component } from '@homelab/core';
import { LOCAL_PATH_STORAGE_CLASS, localPathModule } from '@homelab/local-path';
import { LOKI_COMPONENT, LOKI_SERVICE, buildLoki } from '@homelab/loki';
import { STORAGE_CLASSES, nfsCsiDefaults } from '@homelab/nfs-csi';
import { CONTROLLER_MANAGER_METRICS_PORT, ETCD_METRICS_PORT, METRICS_BIND_ADDRESS, SCHEDULER_METRICS_PORT } from '@homelab/talos';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig } from '@homelab/testing';
import { Alertmanager } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Alertmanager';
import { Prometheus } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Prometheus';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { CRDS_ONLY_VALUES } from './crds.js';
import { COMPONENT_NAMES, KUBE_PROMETHEUS_STACK_DEFAULTS, KUBE_PROMETHEUS_STACK_NAMESPACE, PROMETHEUS_CRDS_SYNC_WAVE } from './defaults.js';
import {
  KUBE_PROMETHEUS_STACK_UNLISTED_VALUES,
  buildKubePrometheusStack,
  buildKubePrometheusStackFromConfig,
  kubePrometheusStackSettings,
  kubePrometheusStackValues,
  operatorInstances,
  podSecurityFor,
  quantityBytes,
  retentionSizeFor,
  type KubePrometheusStackValues,
} from './kube-prometheus-stack.js';
import { KUBE_PROMETHEUS_STACK_CHART } from './versions.js';
import * as api from './index.js';
import { kubePrometheusStackModule } from './index.js';

const config = seedConfig();

/** Three control planes at .51-.53 sharing the VIP .55 (the seed has one at .50). */
const threeControlPlanes = configVariant((data) => {
  const node = data['nodes']['talos-cp01']!;
  data['nodes'] = {
    'talos-cp01': { ...node, ip: '192.168.30.51' },
    'talos-cp02': { ...node, ip: '192.168.30.52' },
    'talos-cp03': { ...node, ip: '192.168.30.53' },
  };
  data['cluster'] = { ...data['cluster'], controlPlaneVIP: '192.168.30.55' };
});

const parts = (components: Component[]) => {
  const [crds, stack] = components;
  return { crds: crds!, stack: stack! };
};
const stackOf = (c: ResolvedConfig = config, overrides?: Parameters<typeof buildKubePrometheusStack>[1]) => parts(buildKubePrometheusStack(c, overrides)).stack;
const valuesOf = (c: ResolvedConfig = config, overrides?: Parameters<typeof buildKubePrometheusStack>[1]) => stackOf(c, overrides).values as KubePrometheusStackValues;
const chartDir = chartSchemaDir('kube-prometheus-stack');
const chartDefaults = chartDir ? (load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, any>) : {};

describe('kube-prometheus-stack components', () => {
  const { crds, stack } = parts(buildKubePrometheusStack(config));

  it('are the early CRDs release and the stack, both from the pinned chart', () => {
    expect(crds).toMatchObject({ name: COMPONENT_NAMES.crds, group: 'core', namespace: KUBE_PROMETHEUS_STACK_NAMESPACE, syncWave: PROMETHEUS_CRDS_SYNC_WAVE });
    expect(stack).toMatchObject({
      name: COMPONENT_NAMES.stack,
      group: 'observability',
      namespace: KUBE_PROMETHEUS_STACK_NAMESPACE,
      syncWave: KUBE_PROMETHEUS_STACK_DEFAULTS.syncWave,
      source: '@homelab/kube-prometheus-stack',
    });
    expect(crds.chart).toEqual(KUBE_PROMETHEUS_STACK_CHART);
    expect(stack.chart).toEqual({ ...KUBE_PROMETHEUS_STACK_CHART, unlistedValues: KUBE_PROMETHEUS_STACK_UNLISTED_VALUES });
    expect(KUBE_PROMETHEUS_STACK_CHART).toEqual({ repo: 'https://prometheus-community.github.io/helm-charts', name: 'kube-prometheus-stack', version: '88.5.3' });
  });

  it('registers under the stack name, so homelab.yaml values and syncWave reach the stack, not the CRDs', () => {
    const built = [api.kubePrometheusStackModule.build(config)].flat();
    expect(api.kubePrometheusStackModule.name).toBe(COMPONENT_NAMES.stack);
    expect(built.filter((c) => c.name === api.kubePrometheusStackModule.name)).toHaveLength(1);
    expect(built.map((c) => c.name)).toEqual([COMPONENT_NAMES.crds, COMPONENT_NAMES.stack]);
  });

  it('syncs the stack after the storage its claims need', () => {
    expect(stack.syncWave).toBeGreaterThan(nfsCsiDefaults.syncWave);
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual([
      'COMPONENT_NAMES',
      'GRAFANA_DASHBOARDS',
      'GRAFANA_SERVICE',
      'KUBE_PROMETHEUS_STACK_CHART',
      'KUBE_PROMETHEUS_STACK_DEFAULTS',
      'PROMETHEUS_CRDS_SYNC_WAVE',
      'buildKubePrometheusStack',
      'kubePrometheusStackModule',
    ]);
  });

  it('render into the core and observability trees', () => {
    const paths = renderComponents([crds, stack], { repoURL: config.gitops.repoURL, revision: config.gitops.revision }).map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        `kubernetes/core/${COMPONENT_NAMES.crds}.yaml`,
        `kubernetes/core/${COMPONENT_NAMES.crds}/values.yaml`,
        `kubernetes/observability/${COMPONENT_NAMES.stack}.yaml`,
        `kubernetes/observability/${COMPONENT_NAMES.stack}/values.yaml`,
      ]),
    );
  });
});

describe('prometheus-operator CRDs', () => {
  const { crds, stack } = parts(buildKubePrometheusStack(config));

  it('exist before Cilium (-10) and storage (nfs-csi) sync, so their ServiceMonitors can apply', () => {
    expect(PROMETHEUS_CRDS_SYNC_WAVE).toBeLessThan(-10);
    expect(PROMETHEUS_CRDS_SYNC_WAVE).toBeLessThan(nfsCsiDefaults.syncWave);
    expect(crds.syncWave).toBeLessThan(stack.syncWave!);
  });

  it('have exactly one owner: the CRDs release installs them, the stack does not', () => {
    expect((crds.values as typeof CRDS_ONLY_VALUES).crds.enabled).toBe(true);
    expect((stack.values as KubePrometheusStackValues).crds.enabled).toBe(false);
  });

  it('are what the module provides to the composition: ServiceMonitors are wanted in later waves only', () => {
    const context = { components: [], ...kubePrometheusStackModule.provides };
    expect(context.prometheus).toEqual({ crdsSyncWave: crds.syncWave });
    expect(serviceMonitorsWanted(context, -10)).toBe(true);
    expect(serviceMonitorsWanted(context, PROMETHEUS_CRDS_SYNC_WAVE)).toBe(false);
  });

  it.skipIf(!chartDir)('release renders nothing but CRDs: every top-level switch the chart turns on by default is off', () => {
    const defaultOn = Object.entries(chartDefaults)
      .filter(([, value]) => value !== null && typeof value === 'object' && (value.enabled === true || value.create === true))
      .map(([key]) => key)
      .filter((key) => key !== 'crds')
      .sort();
    expect(defaultOn.length).toBeGreaterThan(10);
    const values = CRDS_ONLY_VALUES as unknown as Record<string, { enabled?: boolean; create?: boolean }>;
    const ours = Object.keys(values).filter((key) => key !== 'crds').sort();
    expect(ours).toEqual(defaultOn);
    for (const key of ours) expect(values[key]!.enabled ?? values[key]!.create).toBe(false);
  });
});

describe('Talos control plane scrapes', () => {
  it('scrape etcd, the controller manager and the scheduler on every control-plane IP', () => {
    const values = valuesOf(threeControlPlanes);
    const ips = threeControlPlanes.controlPlanes.map((node) => node.ip);
    expect(ips).toEqual(['192.168.30.51', '192.168.30.52', '192.168.30.53']);
    for (const scrape of [values.kubeEtcd, values.kubeControllerManager, values.kubeScheduler]) {
      expect(scrape).toMatchObject({ enabled: true, endpoints: ips });
    }
    expect(valuesOf().kubeEtcd).toMatchObject({ endpoints: config.controlPlanes.map((node) => node.ip) });
  });

  it('use the ports @homelab/talos exposes, plain HTTP for etcd, HTTPS with self-signed certificates for the others', () => {
    const values = valuesOf();
    expect(values.kubeEtcd).toEqual({ enabled: true, endpoints: ['192.168.30.50'], service: { port: ETCD_METRICS_PORT, targetPort: ETCD_METRICS_PORT } });
    expect(values.kubeControllerManager).toMatchObject({
      service: { port: CONTROLLER_MANAGER_METRICS_PORT, targetPort: CONTROLLER_MANAGER_METRICS_PORT },
      serviceMonitor: { https: true, insecureSkipVerify: true },
    });
    expect(values.kubeScheduler).toMatchObject({
      service: { port: SCHEDULER_METRICS_PORT, targetPort: SCHEDULER_METRICS_PORT },
      serviceMonitor: { https: true, insecureSkipVerify: true },
    });
  });

  it('are possible because Talos binds those metrics off loopback', () => {
    expect(METRICS_BIND_ADDRESS).not.toMatch(/^127\.|^localhost$|^::1$/);
  });

  it('go away with their alert and recording rules when controlPlaneMetrics is off', () => {
    const values = valuesOf(config, { controlPlaneMetrics: false });
    expect([values.kubeEtcd, values.kubeControllerManager, values.kubeScheduler]).toEqual([{ enabled: false }, { enabled: false }, { enabled: false }]);
    expect(values.defaultRules.rules).toMatchObject({ etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeSchedulerRecording: false });
    expect(valuesOf().defaultRules.rules).toMatchObject({ etcd: true, kubeControllerManager: true, kubeSchedulerAlerting: true, kubeSchedulerRecording: true });
  });

  it('leave kube-proxy out (Cilium replaces it), with its rules', () => {
    const values = valuesOf();
    expect(values.kubeProxy.enabled).toBe(false);
    expect(values.defaultRules.rules['kubeProxy']).toBe(false);
  });

  it.skipIf(!chartDir)('name only rule groups the chart has', () => {
    const known = Object.keys(chartDefaults['defaultRules'].rules);
    for (const rule of Object.keys(valuesOf().defaultRules.rules)) expect(known).toContain(rule);
  });
});

describe('Prometheus and Alertmanager', () => {
  const values = valuesOf();
  const spec = values.prometheus.prometheusSpec;

  it.skipIf(!chartDir)('select monitors and rules from every namespace: every *NilUsesHelmValues switch of the chart is off', () => {
    const switches = Object.keys(chartDefaults['prometheus'].prometheusSpec).filter((key) => key.endsWith('NilUsesHelmValues')).sort();
    expect(switches.length).toBeGreaterThanOrEqual(5);
    const ours = Object.entries(spec).filter(([key]) => key.endsWith('NilUsesHelmValues'));
    expect(ours.map(([key]) => key).sort()).toEqual(switches);
    expect(ours.every(([, value]) => value === false)).toBe(true);
  });

  it('store on the config NFS StorageClass exported by @homelab/nfs-csi unless told otherwise', () => {
    expect(spec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe(STORAGE_CLASSES.config);
    expect(values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe(STORAGE_CLASSES.config);
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe(KUBE_PROMETHEUS_STACK_DEFAULTS.prometheus.storageSize);
    const moved = valuesOf(config, { prometheus: { storageClass: 'fast' }, alertmanager: { storageClass: 'slow' }, grafana: { storageClass: 'other' } });
    expect(moved.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe('fast');
    expect(moved.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe('slow');
    expect(moved.grafana.persistence.storageClassName).toBe('other');
  });

  it('keep the default retention, and bound disk use below the claim size NFS does not enforce', () => {
    expect(spec.retention).toBe(KUBE_PROMETHEUS_STACK_DEFAULTS.prometheus.retention);
    expect(spec.retentionSize).toBe('18GiB');
    const moved = valuesOf(config, { prometheus: { retention: '30d', storageSize: '50Gi' } }).prometheus.prometheusSpec;
    expect([moved.retention, moved.retentionSize]).toEqual(['30d', '45GiB']);
  });

  it('run as the NFS export owner from workloads.puid/pgid, and follow it', () => {
    expect(spec.securityContext).toMatchObject({ runAsUser: config.workloads.puid, fsGroup: config.workloads.pgid });
    const moved = valuesOf(configVariant((data) => (data['workloads'] = { ...data['workloads'], puid: 2001, pgid: 2002 })));
    expect(moved.prometheus.prometheusSpec.securityContext).toMatchObject({ runAsUser: 2001, runAsGroup: 2002, fsGroup: 2002 });
    expect(moved.alertmanager.alertmanagerSpec.securityContext).toMatchObject({ runAsUser: 2001, runAsGroup: 2002, fsGroup: 2002 });
  });

  it('pass fields the Prometheus and Alertmanager CRD schemas accept (the chart copies them into the CRs)', () => {
    const metadata = { name: 'validation', namespace: KUBE_PROMETHEUS_STACK_NAMESPACE };
    // The models type the embedded claim as a kind of its own (apiVersion monitoring.coreos.com/v1,
    // kind EmbeddedPersistentVolumeClaim), which the real CRD does not ask for and the operator
    // ignores; so the CRs are validated without it and the claim spec as the core claim it becomes.
    expect(() => new Prometheus({ metadata, spec: { retention: spec.retention, retentionSize: spec.retentionSize, securityContext: spec.securityContext } }).validate()).not.toThrow();
    const am = values.alertmanager.alertmanagerSpec;
    expect(() => new Alertmanager({ metadata, spec: { retention: am.retention, securityContext: am.securityContext } }).validate()).not.toThrow();
    for (const storage of [spec.storageSpec, am.storage]) {
      expect(Object.keys(storage)).toEqual(['volumeClaimTemplate']);
      expect(() => new PersistentVolumeClaim({ metadata, spec: storage.volumeClaimTemplate.spec }).validate()).not.toThrow();
    }
    // The oracles are live: a retention in days is not a Go duration, a size must be a ByteSize.
    expect(() => new Alertmanager({ metadata, spec: { retention: '5d' } }).validate()).toThrow();
    expect(() => new Prometheus({ metadata, spec: { retentionSize: '18Gi' } }).validate()).toThrow();
  });
});

describe('Pod Security', () => {
  it.skipIf(!chartDir)('the chart runs node exporter by default, and we keep its host network, host PID and root mount', () => {
    expect(chartDefaults['nodeExporter'].enabled).toBe(true);
    const exporter = valuesOf()['prometheus-node-exporter'];
    expect([exporter.hostNetwork, exporter.hostPID, exporter.hostRootFsMount.enabled]).toEqual([true, true, true]);
  });

  it('makes the observability namespace privileged as a consequence of node exporter host access', () => {
    const components = buildKubePrometheusStack(config);
    const stack = parts(components).stack;
    expect(stack.podSecurity).toBe(podSecurityFor(stack.values as KubePrometheusStackValues));
    expect(namespaceLevels(components).get(KUBE_PROMETHEUS_STACK_NAMESPACE)).toBe('privileged');
    // Loki shares the namespace and asks only for baseline: the most permissive request wins.
    expect(LOKI_SERVICE.namespace).toBe(KUBE_PROMETHEUS_STACK_NAMESPACE);
    expect(namespaceLevels([buildLoki(config), ...components]).get(KUBE_PROMETHEUS_STACK_NAMESPACE)).toBe('privileged');
    const namespace = namespacesComponent(components)!.objects![KUBE_PROMETHEUS_STACK_NAMESPACE]!;
    expect(namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  it('is baseline once node exporter is off: the level follows the rendered settings, not a constant', () => {
    const components = buildKubePrometheusStack(config, { nodeExporter: false });
    expect(parts(components).stack.podSecurity).toBe('baseline');
    expect(namespaceLevels(components).get(KUBE_PROMETHEUS_STACK_NAMESPACE)).toBe('baseline');
    const values = valuesOf();
    const noHostAccess: KubePrometheusStackValues = {
      ...values,
      'prometheus-node-exporter': { hostNetwork: false, hostPID: false, hostRootFsMount: { enabled: false, mountPropagation: 'HostToContainer' } },
    };
    expect(podSecurityFor(noHostAccess)).toBe('baseline');
    expect(podSecurityFor({ ...noHostAccess, 'prometheus-node-exporter': { ...noHostAccess['prometheus-node-exporter'], hostPID: true } })).toBe('privileged');
  });
});

describe('volume placement through the composition', () => {
  const nodeLocal: BuildContext = { components: [], ...localPathModule.provides };
  const classes = (c: ResolvedConfig, context?: BuildContext) => {
    const values = parts([kubePrometheusStackModule.build(c, context)].flat()).stack.values as KubePrometheusStackValues;
    return {
      prometheus: values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName,
      alertmanager: values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName,
      grafana: values.grafana.persistence.storageClassName,
    };
  };

  it('puts Prometheus and Alertmanager on the node-local class when one is deployed (Prometheus does not support NFS); Grafana stays on NFS', () => {
    expect(classes(config, nodeLocal)).toEqual({ prometheus: LOCAL_PATH_STORAGE_CLASS, alertmanager: LOCAL_PATH_STORAGE_CLASS, grafana: STORAGE_CLASSES.config });
  });

  it('keeps everything on NFS without a node-local class', () => {
    expect(classes(config, { components: [] })).toEqual({ prometheus: STORAGE_CLASSES.config, alertmanager: STORAGE_CLASSES.config, grafana: STORAGE_CLASSES.config });
  });

  it('follows storage.volumes in homelab.yaml', () => {
    const chosen = configVariant((data) => (data['storage'] = { volumes: { prometheus: 'nfs', grafana: 'node-local' } }));
    expect(classes(chosen, nodeLocal)).toEqual({ prometheus: STORAGE_CLASSES.config, alertmanager: LOCAL_PATH_STORAGE_CLASS, grafana: LOCAL_PATH_STORAGE_CLASS });
  });

  it('rejects node-local without a node-local class, at the setting', () => {
    const chosen = configVariant((data) => (data['storage'] = { volumes: { grafana: 'node-local' } }));
    expect(() => classes(chosen, { components: [] })).toThrow(/^storage\.volumes\.grafana: asks for node-local storage/);
  });
});

describe('Loki datasource', () => {
  it('is provisioned when Loki is enabled (the default)', () => {
    const built = parts(buildKubePrometheusStackFromConfig(config)).stack.values as KubePrometheusStackValues;
    expect(built.grafana.additionalDataSources.map((source) => source.type)).toEqual(['loki']);
  });

  it('leaves nothing dangling in Grafana when Loki is disabled in homelab.yaml', () => {
    const noLoki = configVariant((data) => (data['components'] = { [LOKI_COMPONENT]: { enabled: false } }));
    const grafana = (parts(buildKubePrometheusStackFromConfig(noLoki)).stack.values as KubePrometheusStackValues).grafana;
    expect(grafana.additionalDataSources).toEqual([]);
    expect(JSON.stringify(grafana).toLowerCase()).not.toContain('loki');
  });

  it('follows the typed lokiDatasource option', () => {
    expect(valuesOf(config, { lokiDatasource: false }).grafana.additionalDataSources).toEqual([]);
    expect(valuesOf(config, { lokiDatasource: true }).grafana.additionalDataSources).toHaveLength(1);
  });
});

describe('settings', () => {
  it('derive retentionSize from quantities', () => {
    expect(quantityBytes('1Gi')).toBe(2 ** 30);
    expect(quantityBytes('500M')).toBe(5e8);
    expect(quantityBytes('twenty')).toBeUndefined();
    expect(retentionSizeFor('10Gi', 0.85)).toBe('8704MiB');
  });

  it('reject malformed values with the path and the fix', () => {
    expect(() => kubePrometheusStackSettings({ prometheus: { retention: '2 weeks' } })).toThrow(
      "kube-prometheus-stack: retention is not a Prometheus duration (prometheus.retention: '2 weeks'). Use a duration such as 15d or 4w.",
    );
    expect(() => kubePrometheusStackSettings({ alertmanager: { retention: '5d' } })).toThrow(
      "kube-prometheus-stack: retention is not a Go duration (alertmanager.retention: '5d'). Use hours, e.g. 120h (Alertmanager does not accept days).",
    );
    expect(() => kubePrometheusStackSettings({ prometheus: { diskUsageRatio: 1.5 } })).toThrow(
      "kube-prometheus-stack: the disk usage ratio must be above 0 and at most 1 (prometheus.diskUsageRatio: '1.5'). Use e.g. 0.9 to keep a tenth of the volume free.",
    );
    expect(() => kubePrometheusStackSettings({ grafana: { storageSize: '5 GB' } })).toThrow(
      "kube-prometheus-stack: storage size is not a Kubernetes quantity (grafana.storageSize: '5 GB'). Use a size such as 20Gi.",
    );
  });

  it('accept the defaults', () => {
    expect(() => kubePrometheusStackSettings()).not.toThrow();
  });
});

describe.skipIf(!chartDir)('kube-prometheus-stack chart conformance (chart 88.5.3)', () => {
  // Keys under these belong to subcharts whose values.yaml is not part of the oracle (SOURCES.md
  // note 5); grafana.test.ts checks which of our grafana keys the parent chart does not know.
  const subcharts = ['grafana', 'kube-state-metrics', 'prometheus-node-exporter'];
  const allow = [...KUBE_PROMETHEUS_STACK_UNLISTED_VALUES];

  it('the stack values use only keys of the chart', () => {
    expect(checkChartValues(chartDir!, kubePrometheusStackValues(config, KUBE_PROMETHEUS_STACK_DEFAULTS), { subcharts, allow })).toEqual([]);
    expect(checkChartValues(chartDir!, valuesOf(threeControlPlanes, { controlPlaneMetrics: false, nodeExporter: false }), { subcharts, allow })).toEqual([]);
  });

  it('the allow list hides nothing else', () => {
    const problems = checkChartValues(chartDir!, kubePrometheusStackValues(config, KUBE_PROMETHEUS_STACK_DEFAULTS), { subcharts });
    expect(problems).toEqual(allow.map((key) => `${key}: not a key of the chart's values.yaml`));
  });

  it('the CRDs-only values use only keys of the chart (no subchart exemption needed)', () => {
    expect(checkChartValues(chartDir!, CRDS_ONLY_VALUES)).toEqual([]);
  });

  it('the oracle catches a misspelt key', () => {
    const values = kubePrometheusStackValues(config, KUBE_PROMETHEUS_STACK_DEFAULTS) as unknown as Record<string, any>;
    const broken = { ...values, kubeEtcd: { ...values['kubeEtcd'], endpoint: [] } };
    expect(checkChartValues(chartDir!, broken, { subcharts, allow })).toEqual(["kubeEtcd.endpoint: not a key of the chart's values.yaml"]);
  });
});

describe('network declaration (the source of its network policies)', () => {
  it('selects the release\'s pods and the Prometheus and Alertmanager pods the operator names after the chart\'s fullname', () => {
    const network = stackOf().network!;
    expect(operatorInstances()).toEqual({ prometheus: `${COMPONENT_NAMES.stack}-prometheus`, alertmanager: `${COMPONENT_NAMES.stack}-alertmanager` });
    // A release without the chart name gets the chart name appended, and the fullname is cut at 26 characters.
    expect(operatorInstances('monitoring').prometheus).toBe(`monitoring-${KUBE_PROMETHEUS_STACK_CHART.name}`.slice(0, 26) + '-prometheus');
    expect(network.pods).toEqual({
      matchExpressions: [{ key: 'app.kubernetes.io/instance', operator: 'In', values: [COMPONENT_NAMES.stack, operatorInstances().prometheus, operatorInstances().alertmanager] }],
    });
    expect(network.metricsScraper).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': operatorInstances().prometheus } });
  });

  it('calls Loki only while it provisions the Loki datasource', () => {
    expect(stackOf().network!.connectsTo).toEqual([LOKI_COMPONENT]);
    expect(stackOf(config, { lokiDatasource: false }).network!.connectsTo).toEqual([]);
  });

  it('declares the API both ways, the internet, and what ArgoCD must let it create', () => {
    const stack = stackOf();
    expect(stack.network).toMatchObject({ kubeApi: { client: true, webhook: true }, internetEgress: true });
    expect(stack.extraNamespaces).toEqual(['kube-system']);
    const { crds } = parts(buildKubePrometheusStack(config));
    expect(crds.network).toEqual({ pods: false });
    expect(crds.clusterResources).toEqual(['CustomResourceDefinition']);
  });
});

/**
 * The prometheus-operator CRDs on their own, early: a second release of the same pinned
 * kube-prometheus-stack chart with its `crds` subchart on and every workload off. Components
 * that sync before the stack (Cilium at -10, cert-manager at -5) can then ship ServiceMonitors
 * without blocking their wave on CRDs that would otherwise only arrive with the stack.
 */
import type { Component } from '@homelab/core';
import { COMPONENT_NAMES, KUBE_PROMETHEUS_STACK_NAMESPACE, PROMETHEUS_CRDS_SYNC_WAVE } from './defaults.js';
import { KUBE_PROMETHEUS_STACK_CHART } from './versions.js';

/**
 * Values that render the chart's CRDs and nothing else: every top-level switch of the chart that is
 * on by default is turned off (a test derives that list from the chart's values.yaml).
 */
export const CRDS_ONLY_VALUES = {
  crds: { enabled: true },
  defaultRules: { create: false },
  alertmanager: { enabled: false },
  grafana: { enabled: false },
  kubernetesServiceMonitors: { enabled: false },
  kubeApiServer: { enabled: false },
  kubelet: { enabled: false },
  kubeControllerManager: { enabled: false },
  coreDns: { enabled: false },
  kubeEtcd: { enabled: false },
  kubeScheduler: { enabled: false },
  kubeProxy: { enabled: false },
  kubeStateMetrics: { enabled: false },
  nodeExporter: { enabled: false },
  prometheusOperator: { enabled: false },
  prometheus: { enabled: false },
} as const;

/** The `prometheus-operator-crds` component (group core, wave PROMETHEUS_CRDS_SYNC_WAVE). */
export function prometheusCrdsComponent(): Component {
  return {
    name: COMPONENT_NAMES.crds,
    // In core, beside the Gateway API CRDs: the core app-of-apps orders it before Cilium.
    group: 'core',
    namespace: KUBE_PROMETHEUS_STACK_NAMESPACE,
    syncWave: PROMETHEUS_CRDS_SYNC_WAVE,
    source: '@homelab/kube-prometheus-stack',
    description: 'prometheus-operator CRDs (monitoring.coreos.com) from the kube-prometheus-stack chart, before anything creates ServiceMonitors',
    chart: { ...KUBE_PROMETHEUS_STACK_CHART },
    values: structuredClone(CRDS_ONLY_VALUES) as unknown as Record<string, unknown>,
    // Every workload is off: no pods, nothing but CRDs.
    network: { pods: false },
    clusterResources: ['CustomResourceDefinition'],
  };
}

/**
 * What `homelab check` knows about the world without reading it from the tree, in one place:
 * which charts install which CRDs, which namespaces and objects every cluster has, which kinds are
 * cluster-scoped, where the @kubernetes-models schemas live. Extend these tables (or declare
 * objects external in `.homelab-check.yaml`) rather than special-casing a check.
 */

import type { StatefulVolume } from '@homelab/config';

/** API groups whose CRDs a Helm chart installs (by chart name), for the CRD ordering check. */
export const CHART_CRD_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'cert-manager': ['cert-manager.io', 'acme.cert-manager.io'],
  cilium: ['cilium.io'],
  'kube-prometheus-stack': ['monitoring.coreos.com'],
  'prometheus-operator-crds': ['monitoring.coreos.com'],
  'tailscale-operator': ['tailscale.com'],
  'argo-cd': ['argoproj.io'],
  alloy: ['monitoring.grafana.com'],
  'external-secrets': ['external-secrets.io', 'generators.external-secrets.io'],
  'trust-manager': ['trust.cert-manager.io'],
  'sealed-secrets': ['bitnami.com'],
  'cloudnative-pg': ['postgresql.cnpg.io'],
  traefik: ['traefik.io', 'traefik.containo.us'],
  'metallb': ['metallb.io'],
  longhorn: ['longhorn.io'],
  kyverno: ['kyverno.io'],
  velero: ['velero.io'],
};

/**
 * Cluster-scoped kinds a chart creates with its usual values (by chart name, `group/Kind`), for the
 * AppProject check: a project must permit them, though the chart's objects cannot be seen here.
 */
export const CHART_CLUSTER_KINDS: Readonly<Record<string, readonly string[]>> = {
  'cert-manager': ['apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration'],
  cilium: ['rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  'argo-cd': ['apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  'kube-prometheus-stack': ['apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  'tailscale-operator': ['apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  'csi-driver-nfs': ['storage.k8s.io/CSIDriver', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  alloy: ['apiextensions.k8s.io/CustomResourceDefinition', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
};

/** The kind a chart creates to install its CRD groups: switching it off switches CHART_CRD_GROUPS off too. */
export const CRD_KIND = 'apiextensions.k8s.io/CustomResourceDefinition';

/** A values switch deciding whether a chart creates some kinds (Helm's `{{ if or .Values.a .Values.b }}`). */
export interface ChartSwitch {
  /** Dotted values paths; the kinds are created when any of them is truthy (Helm's notion: not false, 0, '', null, empty). */
  values: readonly string[];
  /** The chart's own default for each path (its values.yaml). */
  default: boolean;
  /** What the switch governs: `group/Kind` as in CHART_CLUSTER_KINDS; CRD_KIND also governs the chart's CHART_CRD_GROUPS. */
  kinds: readonly string[];
}

/**
 * Values that switch off what a chart creates (by chart name), read from the Application's values
 * (files, `values`, `valuesObject`; `--set` parameters are not read). A value the tree cannot see
 * (a values file in another repository) counts as on. Checked against the pinned charts' values.yaml.
 */
export const CHART_SWITCHES: Readonly<Record<string, readonly ChartSwitch[]>> = {
  'kube-prometheus-stack': [{ values: ['crds.enabled'], default: true, kinds: [CRD_KIND] }],
  'cert-manager': [{ values: ['crds.enabled', 'installCRDs'], default: false, kinds: [CRD_KIND] }],
  'argo-cd': [{ values: ['crds.install'], default: true, kinds: [CRD_KIND] }],
  'tailscale-operator': [{ values: ['installCRDs'], default: true, kinds: [CRD_KIND] }],
  alloy: [{ values: ['crds.create'], default: true, kinds: [CRD_KIND] }],
};

/** A chart feature decided by one values path: on when the value is truthy (Helm's notion), `default` when unset. */
export interface ChartFeature {
  /** Dotted values path; absent: the chart always runs it. */
  value?: string;
  /** The chart's own default for `value` (its values.yaml). */
  default?: boolean;
  /** `value` is text (a configuration file): the feature is on when it matches. */
  matches?: RegExp;
  /** What the feature is, for messages. */
  what: string;
  /** The switch of the subchart or part that holds it (off: the feature is off too). */
  within?: { value: string; default: boolean };
  /**
   * The labels known for certain on the pods running it when they are not the release's (pods an
   * operator starts for the chart's custom resources), from the release name and the chart's values.
   */
  pods?: (release: string, value: (path: string) => unknown) => Readonly<Record<string, string>>;
}

/**
 * A chart's `fullname` as Helm's usual helper makes it: fullnameOverride, else the release name
 * when it holds the chart's name, else `<release>-<name>`, cut to `limit` characters.
 */
function helmFullname(release: string, chart: string, value: (path: string) => unknown, limit: number): string {
  const override = value('fullnameOverride');
  const name = typeof value('nameOverride') === 'string' && value('nameOverride') !== '' ? String(value('nameOverride')) : chart;
  const full = typeof override === 'string' && override !== '' ? override : release.includes(name) ? release : `${release}-${name}`;
  return full.slice(0, limit).replace(/-$/, '');
}

/**
 * Alloy components that call the Kubernetes API (discovery, log tailing, CRD watchers) as they are
 * named in its configuration: `<component> "<label>" {`.
 */
const ALLOY_API_COMPONENTS = /\b(discovery\.kubernetes|loki\.source\.kubernetes(_events)?|loki\.source\.podlogs|loki\.rules\.kubernetes|mimir\.rules\.kubernetes|prometheus\.operator\.\w+|remote\.kubernetes\.\w+)\s+"/;

/**
 * Containers a chart runs that call the Kubernetes API (watchers, operators, controllers), by
 * chart name: a network policy restricting their pods' egress must allow `kube-apiserver`. The
 * pods are the release's (label app.kubernetes.io/instance = release name) unless `pods` says
 * otherwise. csi-driver-nfs is absent on purpose: its controller and node pods use the host
 * network, which Cilium policies do not select.
 */
export const CHART_API_CLIENTS: Readonly<Record<string, readonly ChartFeature[]>> = {
  loki: [{ value: 'sidecar.rules.enabled', default: true, what: 'the rules sidecar (k8s-sidecar) watching ConfigMaps' }],
  'kube-prometheus-stack': [
    { value: 'prometheusOperator.enabled', default: true, what: 'prometheus-operator' },
    { value: 'kubeStateMetrics.enabled', default: true, what: 'kube-state-metrics' },
    {
      value: 'prometheus.enabled',
      default: true,
      what: "Prometheus's Kubernetes service discovery",
      // prometheus-operator labels the Prometheus pods with the custom resource's name.
      pods: (release, value) => ({
        'app.kubernetes.io/name': 'prometheus',
        'app.kubernetes.io/instance': `${helmFullname(release, 'kube-prometheus-stack', value, 26)}${value('cleanPrometheusOperatorObjectNames') === true ? '' : '-prometheus'}`,
      }),
    },
    { value: 'grafana.sidecar.dashboards.enabled', default: true, within: { value: 'grafana.enabled', default: true }, what: "Grafana's dashboards sidecar (k8s-sidecar) watching ConfigMaps" },
    { value: 'grafana.sidecar.datasources.enabled', default: true, within: { value: 'grafana.enabled', default: true }, what: "Grafana's datasources sidecar (k8s-sidecar) watching ConfigMaps" },
  ],
  alloy: [
    {
      value: 'alloy.configMap.content',
      default: false,
      matches: ALLOY_API_COMPONENTS,
      within: { value: 'alloy.configMap.create', default: true },
      what: "Alloy (its configuration runs Kubernetes components such as discovery.kubernetes)",
    },
  ],
  'argo-cd': [{ what: 'the application controller, server and repo-server' }],
  'cert-manager': [{ what: 'the cert-manager controller, cainjector and webhook' }],
  'tailscale-operator': [{ what: 'the operator' }],
  authentik: [{ value: 'serviceAccount.create', default: true, what: 'the worker managing outposts through the ServiceAccount the chart creates' }],
};

/** A ServiceMonitor a chart creates when `monitor` is on, for metrics it serves when `metrics` is on (unset: always). */
export interface ChartServiceMonitor {
  monitor: string;
  metrics?: string;
  /** The chart's default for `metrics` (values.yaml). */
  metricsDefault?: boolean;
  /** The switch of the part serving them (off: nothing to scrape). */
  within?: { value: string; default: boolean };
}

/**
 * Metrics and ServiceMonitor switches of charts (by name), all off by default in the chart: with a
 * Prometheus in the tree, every chart that can serve metrics must serve them and describe them in a
 * ServiceMonitor, else they are never scraped.
 */
export const CHART_SERVICE_MONITORS: Readonly<Record<string, readonly ChartServiceMonitor[]>> = {
  'argo-cd': ['controller', 'server', 'repoServer', 'applicationSet'].map((part) => ({ monitor: `${part}.metrics.serviceMonitor.enabled`, metrics: `${part}.metrics.enabled`, metricsDefault: false })),
  'cert-manager': [{ monitor: 'prometheus.servicemonitor.enabled', metrics: 'prometheus.enabled', metricsDefault: true }],
  cilium: [
    { monitor: 'prometheus.serviceMonitor.enabled', metrics: 'prometheus.enabled', metricsDefault: false },
    { monitor: 'operator.prometheus.serviceMonitor.enabled', metrics: 'operator.prometheus.enabled', metricsDefault: true },
    { monitor: 'hubble.metrics.serviceMonitor.enabled', metrics: 'hubble.metrics.enabled', metricsDefault: false },
    // envoy.enabled is null in values.yaml: the chart runs the Envoy DaemonSet on new installs.
    { monitor: 'envoy.prometheus.serviceMonitor.enabled', metrics: 'envoy.prometheus.enabled', metricsDefault: true, within: { value: 'envoy.enabled', default: true } },
  ],
  loki: [{ monitor: 'monitoring.serviceMonitor.enabled' }],
  alloy: [{ monitor: 'serviceMonitor.enabled' }],
  authentik: [{ monitor: 'server.metrics.serviceMonitor.enabled', metrics: 'server.metrics.enabled', metricsDefault: false }],
};

/**
 * Charts whose pods always serve metrics on a named container port but that create no Service
 * or monitor for them (by chart name): with a Prometheus in the tree, a PodMonitor of the tree must
 * select the release's pods (known by the usual selector labels: app and app.kubernetes.io/name
 * the chart's name or nameOverride, app.kubernetes.io/instance the release) and scrape that port.
 */
export const CHART_POD_METRICS: Readonly<Record<string, { port: string; what: string }>> = {
  // The chart's config sets `metrics: 0.0.0.0:2000`; its deployment names the port active-con-stat.
  cloudflared: { port: 'active-con-stat', what: "cloudflared's metrics server (port 2000)" },
};

/**
 * A stateful volume whose workload's documentation rules NFS out, as a chart's values place it:
 * `claim` is the dotted path of the volume claim spec (set: the workload has a volume; its
 * `storageClassName`, else the cluster's default class, is where the data lives).
 */
export interface NfsUnsupportedVolume extends NfsUnsupportedWorkload {
  claim: string;
  /** The workload's switch in the chart (off: no such volume). */
  within: { value: string; default: boolean };
}

/** A workload whose documentation rules NFS out for its data. */
export interface NfsUnsupportedWorkload {
  /** What the volume holds, for messages. */
  what: string;
  /** Why NFS does not suit it: the documentation that says so. */
  why: string;
  /** The homelab.yaml setting that places it, for a generated tree (typed by @homelab/config's volume names). */
  setting?: `storage.volumes.${StatefulVolume}`;
}

const PROMETHEUS_NFS = "Prometheus documents NFS as unsupported for its storage (a POSIX filesystem is required; NFS has corrupted TSDBs): https://prometheus.io/docs/prometheus/latest/storage/#operational-aspects";
const PROMETHEUS_TSDB: NfsUnsupportedWorkload = { what: "Prometheus' TSDB", why: PROMETHEUS_NFS };
const ALERTMANAGER_STATE: NfsUnsupportedWorkload = {
  what: "Alertmanager's silences and notification log",
  why: `${PROMETHEUS_NFS}; Alertmanager, of the same project, writes its state the same way`,
};

/**
 * Volumes of workloads that do not support NFS, by chart name. Alertmanager keeps its silences
 * and notification log in snapshot files the same project writes the same way, with the same
 * caveat; both run as StatefulSets of one operator, so both are held to it.
 */
export const CHART_NFS_UNSUPPORTED_VOLUMES: Readonly<Record<string, readonly NfsUnsupportedVolume[]>> = {
  'kube-prometheus-stack': [
    { claim: 'prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec', within: { value: 'prometheus.enabled', default: true }, ...PROMETHEUS_TSDB, setting: 'storage.volumes.prometheus' },
    { claim: 'alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec', within: { value: 'alertmanager.enabled', default: true }, ...ALERTMANAGER_STATE, setting: 'storage.volumes.alertmanager' },
  ],
};

/**
 * The same workloads as objects of the tree, by `group/Kind`: prometheus-operator's custom
 * resources, whose claim spec is `spec.storage.volumeClaimTemplate.spec`.
 */
export const RESOURCE_NFS_UNSUPPORTED_VOLUMES: Readonly<Record<string, NfsUnsupportedWorkload & { claim: string }>> = {
  'monitoring.coreos.com/Prometheus': { claim: 'spec.storage.volumeClaimTemplate.spec', ...PROMETHEUS_TSDB },
  'monitoring.coreos.com/Alertmanager': { claim: 'spec.storage.volumeClaimTemplate.spec', ...ALERTMANAGER_STATE },
};

/**
 * Provisioners whose volumes are directories or disks of the node the pod runs on. @homelab/local-path
 * declares its own (LOCAL_PATH_PROVISIONER), but check reads hand-written trees and imports no
 * component package: runtime.test's seed-tree case fails when the generated class is not listed here.
 */
export const NODE_LOCAL_PROVISIONERS: readonly string[] = ['rancher.io/local-path'];

/** Charts that run a Prometheus selecting ServiceMonitors, and the switch of that Prometheus. */
export const CHART_PROMETHEUS: Readonly<Record<string, ChartFeature>> = {
  'kube-prometheus-stack': { value: 'prometheus.enabled', default: true, what: 'Prometheus' },
};

/** A Secret a chart value names (in the release's namespace) and the key read from it. */
export interface ChartSecretRef {
  /** Values path of the Secret's name; '' or unset: the chart makes its own Secret (or reads none). */
  name: string;
  /** Values path of the key; absent: the chart reads the fixed key `defaultKey` (a file name it expects). */
  key?: string;
  /** The chart's default key (values.yaml), or the fixed key. */
  defaultKey: string;
  /** The switch of the subchart or part that reads it (off: nothing reads it). */
  within?: { value: string; default: boolean };
}

/**
 * Secret references in chart values (by chart name), besides what any chart's values hold in pod
 * spec form (`secretKeyRef: { name, key }`, secret volumes with `items`) and ArgoCD's
 * `$secret:key` references. Paths into a subchart (CHART_SUBCHARTS) carry that chart's defaults:
 * Grafana's `admin.*Key`, bitnami PostgreSQL's `auth.secretKeys.userPasswordKey`.
 */
export const CHART_SECRET_REFS: Readonly<Record<string, readonly ChartSecretRef[]>> = {
  cloudflared: [
    { name: 'tunnelSecrets.existingConfigJsonFileSecret.name', key: 'tunnelSecrets.existingConfigJsonFileSecret.key', defaultKey: 'credentials.json' },
    { name: 'tunnelSecrets.existingPemFileSecret.name', key: 'tunnelSecrets.existingPemFileSecret.key', defaultKey: 'cert.pem' },
  ],
  'kube-prometheus-stack': [
    { name: 'grafana.admin.existingSecret', key: 'grafana.admin.userKey', defaultKey: 'admin-user', within: { value: 'grafana.enabled', default: true } },
    { name: 'grafana.admin.existingSecret', key: 'grafana.admin.passwordKey', defaultKey: 'admin-password', within: { value: 'grafana.enabled', default: true } },
  ],
  authentik: [
    { name: 'postgresql.auth.existingSecret', key: 'postgresql.auth.secretKeys.userPasswordKey', defaultKey: 'password', within: { value: 'postgresql.enabled', default: false } },
    { name: 'geoip.existingSecret.secretName', key: 'geoip.existingSecret.accountId', defaultKey: 'account_id', within: { value: 'geoip.enabled', default: false } },
    { name: 'geoip.existingSecret.secretName', key: 'geoip.existingSecret.licenseKey', defaultKey: 'license_key', within: { value: 'geoip.enabled', default: false } },
  ],
  // The operator reads the files client_id and client_secret of the volume (values.yaml says so).
  'tailscale-operator': [
    { name: 'oauthSecretVolume.secret.secretName', defaultKey: 'client_id' },
    { name: 'oauthSecretVolume.secret.secretName', defaultKey: 'client_secret' },
  ],
};

/**
 * Values subtrees of charts whose strings may name Secret keys as `$<secret>:<key>` (ArgoCD reads
 * them from that Secret, in its namespace, when it carries app.kubernetes.io/part-of: argocd).
 */
export const CHART_DOLLAR_SECRET_REFS: Readonly<Record<string, readonly string[]>> = {
  'argo-cd': ['configs.cm', 'configs.rbac'],
};

/** The talhelper config a tree may hold: its nodes' addresses and system extensions are facts other files must agree with. */
export const TALCONFIG_FILE = /(^|\/)talconfig\.ya?ml$/;

/** The Talos system extension that runs the QEMU guest agent (Proxmox shutdown, IP reporting). */
export const QEMU_GUEST_AGENT_EXTENSION = 'siderolabs/qemu-guest-agent';

/** Git sources known to hold CRDs: repository (normalised URL) and path prefix. */
export const GIT_CRD_SOURCES: readonly { repo: string; pathPrefix: string; groups: readonly string[] }[] = [
  { repo: 'github.com/kubernetes-sigs/gateway-api', pathPrefix: 'config/crd', groups: ['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io'] },
];

/**
 * CRDs that exist before any Application syncs: ArgoCD's own (an Application cannot be processed
 * unless ArgoCD, with its CRDs, already runs).
 */
export const PREINSTALLED_CRD_GROUPS: readonly string[] = ['argoproj.io'];

/** Top-level values keys that belong to a chart's subcharts (checked by them, not the parent). */
export const CHART_SUBCHARTS: Readonly<Record<string, readonly string[]>> = {
  'kube-prometheus-stack': ['grafana', 'kube-state-metrics', 'prometheus-node-exporter', 'prometheus-windows-exporter', 'crds'],
  'argo-cd': ['redis-ha'],
  authentik: ['postgresql', 'redis'],
};

/**
 * Wrapper charts whose values are those of a library chart (by directory name under --chart-schemas):
 * bjw-s app-template ships an empty values.yaml and a schema that only `$ref`s the common library's.
 */
export const CHART_LIBRARIES: Readonly<Record<string, string>> = {
  'app-template': 'bjw-s-common',
};

/** Namespaces every cluster has. */
export const BUILTIN_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Objects Kubernetes creates in every namespace. */
export const PER_NAMESPACE_OBJECTS: readonly { kind: string; name: string }[] = [
  { kind: 'ServiceAccount', name: 'default' },
  { kind: 'ConfigMap', name: 'kube-root-ca.crt' },
];

/** API groups served by Kubernetes itself (no CRD needed). */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** Cluster-scoped kinds (by `group/Kind`; core group as `/Kind`). CRDs found in the tree add theirs. */
export const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'certificates.k8s.io/CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'snapshot.storage.k8s.io/VolumeSnapshotClass',
  'snapshot.storage.k8s.io/VolumeSnapshotContent',
  'cert-manager.io/ClusterIssuer',
  'gateway.networking.k8s.io/GatewayClass',
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'cilium.io/CiliumLoadBalancerIPPool',
  'cilium.io/CiliumL2AnnouncementPolicy',
  'cilium.io/CiliumBGPClusterConfig',
  'cilium.io/CiliumBGPPeerConfig',
  'cilium.io/CiliumBGPAdvertisement',
  'cilium.io/CiliumNode',
  'cilium.io/CiliumIdentity',
  'cilium.io/CiliumCIDRGroup',
  'tailscale.com/Connector',
  'tailscale.com/ProxyClass',
  'tailscale.com/ProxyGroup',
  'tailscale.com/DNSConfig',
  'external-secrets.io/ClusterSecretStore',
  'external-secrets.io/ClusterExternalSecret',
  'trust.cert-manager.io/Bundle',
  'metallb.io/IPAddressPool',
]);

/** Where @kubernetes-models keeps the classes of an API group (core groups: `kubernetes-models`). */
export const MODEL_PACKAGES: Readonly<Record<string, string>> = {
  'argoproj.io': '@kubernetes-models/argo-cd',
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'acme.cert-manager.io': '@kubernetes-models/cert-manager',
  'trust.cert-manager.io': '@kubernetes-models/cert-manager',
  'cilium.io': '@kubernetes-models/cilium',
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
  'gateway.networking.x-k8s.io': '@kubernetes-models/gateway-api',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

/** Annotations and labels ArgoCD and Kubernetes use. */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
export const ARGOCD_HOOK = 'argocd.argoproj.io/hook';
export const HELM_HOOK = 'helm.sh/hook';
export const SKIP_FILE_RENDERING = '+argocd:skip-file-rendering';
export const PSA_ENFORCE = 'pod-security.kubernetes.io/enforce';
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/** File name of the allowlist read from the checked directory. */
export const CONFIG_FILE = '.homelab-check.yaml';

/**
 * Directories check never reads, at any depth, whatever lists the files (git or a walk): version
 * control, dependencies and build output (ArgoCD never syncs them, and a build leaves hundreds).
 */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', 'dist', '.nx']);

/**
 * What an NFS export must allow for csi-driver-nfs volumes (StorageClasses provisioned by the
 * driver and static PVs on it): the driver creates each claim's directory as root, and PostgreSQL,
 * Grafana and pods with an `fsGroup` chown their files, which root squashing turns into EPERM.
 * `homelab check`'s NFS findings and the generated docs/homelab.md both read it from here.
 */
export const NFS_EXPORT_REQUIREMENTS = {
  driver: 'nfs.csi.k8s.io',
  /** TrueNAS share and service settings (Shares → NFS → Advanced Options; Services → NFS). */
  truenas: ['Maproot User: root', 'Maproot Group: root', 'NFSv4 enabled in the NFS service'],
  /** The same for a Linux server's exports(5). */
  exports: 'rw,no_root_squash',
  why: 'the driver creates each volume directory as root, and PostgreSQL, Grafana and fsGroup pods chown their files: with root squashed, provisioning or the first start fails with permission denied',
} as const;

/** The export requirements as one sentence, for findings and docs. */
export function nfsExportRequirementsText(): string {
  const { truenas, exports, why } = NFS_EXPORT_REQUIREMENTS;
  return `The export needs, on TrueNAS, ${truenas.join(', ')} (Linux exports(5): ${exports}, served over NFSv4), because ${why}`;
}

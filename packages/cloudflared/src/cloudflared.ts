/**
 * Cloudflare Tunnel connector (community-charts `cloudflared`): a locally managed tunnel whose
 * ingress rules are derived from every component's public exposures and written to the chart's
 * values, so they live in git. Credentials come from a Secret by reference.
 */
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { GENERATOR, componentPaths, merge, podSelector, serviceMonitorsWanted, type BuildContext, type Component, type ComponentModule, type GeneratedFile, type Patch, type SecretDeclaration, generatedMarkdownHeader } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { CLOUDFLARED_DEFAULTS, type CloudflaredLogLevel, type CloudflaredSettings } from './defaults.js';
import { COMPONENT_NAME, checkTunnelId, publicExposures, tunnelDnsRecords, tunnelIngress, type TunnelDnsRecord, type TunnelIngressRule } from './tunnel.js';
import { CLOUDFLARED_CHART, CLOUDFLARED_IMAGE } from './versions.js';

const SOURCE = '@homelab/cloudflared';
const GROUP = 'core';

/** The Helm values this package sets (checked against the chart's values.yaml and schema in tests). */
export type CloudflaredValues = {
  replica: { allNodes: false; count: number };
  image: { repository: string; tag: string; pullPolicy: 'IfNotPresent' };
  podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } };
  resources: CloudflaredSettings['resources'];
  tolerations: [];
  affinity: Record<string, unknown>;
  tunnelSecrets: {
    existingConfigJsonFileSecret: { name: string; key: string };
    existingPemFileSecret: { name: string; key: string };
  };
  tunnelConfig: { name: string; logLevel: CloudflaredLogLevel };
  ingress: TunnelIngressRule[];
};

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${COMPONENT_NAME}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** Rejects settings the cluster would only reject later. */
export function checkSettings(settings: CloudflaredSettings): void {
  if (!Number.isInteger(settings.maxReplicas) || settings.maxReplicas < 1) {
    fail('maxReplicas must be a whole number of at least 1', 'maxReplicas', settings.maxReplicas, 'Use 1 or 2 (more connectors only help with more nodes).');
  }
}

/** Connector replicas: `maxReplicas`, but no more than the nodes that run workloads. */
export function connectorReplicas(config: ResolvedConfig, settings: Pick<CloudflaredSettings, 'maxReplicas'>): number {
  const workloadNodes = config.cluster.schedulesOnControlPlanes ? config.nodes.length : config.workers.length;
  return Math.max(1, Math.min(settings.maxReplicas, workloadNodes));
}

/** The chart's pod selector labels (release name = component name), for the anti-affinity. */
const podLabels = { 'app.kubernetes.io/name': CLOUDFLARED_CHART.name, 'app.kubernetes.io/instance': COMPONENT_NAME };

/** Several replicas prefer distinct nodes, so one node going down leaves a connector up. */
function spreadAcrossNodes(replicas: number): Record<string, unknown> {
  if (replicas < 2) return {};
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: podLabels } } },
      ],
    },
  };
}

/**
 * Values the chart reads although its values.yaml does not list them: the deployment template
 * renders `podSecurityContext` whole (`toYaml .Values.podSecurityContext`) as the pod's
 * securityContext, and values.schema.json leaves it open (additionalProperties: true); values.yaml
 * just does not list seccompProfile among its defaults.
 */
export const CLOUDFLARED_UNLISTED_VALUES = ['podSecurityContext.seccompProfile'] as const;

/**
 * Chart values. A Deployment sized by `connectorReplicas` (the chart's default is a DaemonSet on
 * every node, tolerating every NoSchedule taint); the tunnel is the tunnel ID (so cloudflared needs
 * no account certificate to look a name up); credentials by Secret reference; the derived rules.
 */
export function cloudflaredValues(config: ResolvedConfig, components: readonly Component[], settings: CloudflaredSettings): CloudflaredValues {
  const replicas = connectorReplicas(config, settings);
  const secretName = settings.credentials.secretName;
  return {
    replica: { allNodes: false, count: replicas },
    image: { repository: CLOUDFLARED_IMAGE.repository, tag: CLOUDFLARED_IMAGE.tag, pullPolicy: 'IfNotPresent' },
    // With the chart's non-root user, no privilege escalation and all capabilities dropped, this
    // is what the 'restricted' Pod Security level still asks for.
    podSecurityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    resources: structuredClone(settings.resources),
    tolerations: [],
    affinity: spreadAcrossNodes(replicas),
    tunnelSecrets: {
      existingConfigJsonFileSecret: { name: secretName, key: settings.credentials.key },
      // The chart creates its own Secret (base64 values: plain text in git) unless BOTH references
      // are set, and points TUNNEL_ORIGIN_CERT at the PEM reference's key. The account-wide
      // cert.pem (it can create and delete tunnels and DNS records) stays off the cluster, and
      // `tunnel run` by UUID with a credentials file never reads it: so the PEM reference names
      // the one declared key too, and every key the values reference exists.
      existingPemFileSecret: { name: secretName, key: settings.credentials.key },
    },
    tunnelConfig: { name: settings.tunnelId, logLevel: settings.logLevel },
    ingress: tunnelIngress(components, config, settings),
  };
}

/** The Secret the connector reads its tunnel credentials from. */
export function credentialsSecret(settings: CloudflaredSettings): SecretDeclaration {
  return {
    name: settings.credentials.secretName,
    namespace: settings.namespace,
    keys: [settings.credentials.key],
    description: `Credentials of Cloudflare tunnel ${settings.tunnelId || '<cloudflare.tunnelId>'}, external.`,
    values: {
      [settings.credentials.key]: {
        id: `${settings.namespace}/tunnel-credentials`,
        description:
          `Credentials of Cloudflare tunnel ${settings.tunnelId || '<cloudflare.tunnelId>'}: the JSON file \`cloudflared tunnel create <name>\``
          + ' wrote to ~/.cloudflared/<tunnel-id>.json. Not cert.pem: running a tunnel does not need the account certificate.',
        format: 'json',
      },
    },
  };
}

/** Markdown listing the DNS records to create in the zone (nothing to list, no file). */
export function dnsRecordsFile(records: readonly TunnelDnsRecord[], config: ResolvedConfig, tunnelId: string): GeneratedFile | undefined {
  if (records.length === 0) return undefined;
  const path = componentPaths({ group: GROUP, name: COMPONENT_NAME }).values.replace(/values\.yaml$/, 'DNS-RECORDS.md');
  const lines = [
    generatedMarkdownHeader(SOURCE).trimEnd(),
    '',
    '# DNS records for the Cloudflare tunnel',
    '',
    `Every public host reaches the cluster through tunnel \`${tunnelId}\`. Create these records in the`,
    `Cloudflare zone \`${config.domains.public}\` (proxied: a tunnel's CNAME target only works behind Cloudflare's proxy):`,
    '',
    '| name | type | target | proxied |',
    '|---|---|---|---|',
    ...records.map((record) => `| ${record.name} | ${record.type} | ${record.content} | ${record.proxied ? 'yes' : 'no'} |`),
    '',
    'Or, logged in to the zone with `cloudflared tunnel login`:',
    '',
    '```sh',
    ...records.map((record) => `cloudflared tunnel route dns ${tunnelId} ${record.name}`),
    '```',
    '',
    'Remove the record of a host once it is no longer public: the tunnel answers it with a 404.',
    '',
  ];
  return { path, source: SOURCE, content: lines.join('\n') };
}

/**
 * The container port the chart gives cloudflared's metrics server (`metrics: 0.0.0.0:2000` in the
 * config it renders): the chart's deployment template names it, and the PodMonitor scrapes it by name.
 */
const METRICS_PORT_NAME = 'active-con-stat';

/** The PodMonitor of the connector's metrics (the chart has no Service to hang a ServiceMonitor on). */
function podMonitor(settings: CloudflaredSettings, component: Pick<Component, 'name' | 'chart' | 'network'>): PodMonitor {
  return new PodMonitor({
    metadata: { name: COMPONENT_NAME, namespace: settings.namespace },
    spec: { selector: podSelector(component)!, podMetricsEndpoints: [{ port: METRICS_PORT_NAME, path: '/metrics' }] },
  });
}

/**
 * The cloudflared component for `components` (every composed component; their public exposures
 * become the tunnel's rules), with `overrides` merged onto `CLOUDFLARED_DEFAULTS`. Returns no
 * component while there is neither a tunnel ID nor a public exposure; throws when there are
 * public exposures but no tunnel ID.
 */
export function cloudflared(config: ResolvedConfig, components: readonly Component[] = [], overrides?: Patch<CloudflaredSettings>): Component[] {
  const settings = merge<CloudflaredSettings>(CLOUDFLARED_DEFAULTS, overrides);
  checkSettings(settings);
  const publicHosts = publicExposures(components, config).map(({ exposure }) => exposure.host);
  const exposed = publicHosts.length > 0;
  checkTunnelId(settings.tunnelId, publicHosts);
  if (!exposed && settings.tunnelId === '') return [];
  const records = tunnelDnsRecords(components, config, settings.tunnelId);
  const file = dnsRecordsFile(records, config, settings.tunnelId);
  const chart = { ...CLOUDFLARED_CHART, unlistedValues: CLOUDFLARED_UNLISTED_VALUES };
  return [
    {
      name: COMPONENT_NAME,
      group: GROUP,
      namespace: settings.namespace,
      syncWave: settings.syncWave,
      source: SOURCE,
      description: 'Cloudflare Tunnel connector: public hosts reach their services without an open port',
      chart,
      values: cloudflaredValues(config, components, settings),
      ...(settings.podMonitor ? { objects: { podMonitor: podMonitor(settings, { name: COMPONENT_NAME, chart }) } } : {}),
      podSecurity: 'restricted',
      // The connector dials Cloudflare's edge and carries public hosts to their Services.
      network: { proxies: ['public'], internetEgress: true },
      secrets: [credentialsSecret(settings)],
      ...(file ? { files: [file] } : {}),
    },
  ];
}

/**
 * Registers cloudflared under `components.cloudflared`. It derives from the other components, so
 * the aggregator builds it after them and passes them as `context.components` (`derives: true`,
 * core's contract); called without a context it sees no exposures. The tunnel ID comes from
 * homelab.yaml (cloudflare.tunnelId).
 */
export const cloudflaredModule: ComponentModule<ResolvedConfig> = {
  name: COMPONENT_NAME,
  kind: 'component',
  derives: true,
  build: (config: ResolvedConfig, context?: BuildContext) =>
    cloudflared(config, context?.components ?? [], {
      ...(config.cloudflare?.tunnelId ? { tunnelId: config.cloudflare.tunnelId } : {}),
      podMonitor: serviceMonitorsWanted(context, config.components[COMPONENT_NAME]?.syncWave ?? CLOUDFLARED_DEFAULTS.syncWave),
    }),
};

/**
 * What syncs but does not work once it runs: the objects apply, the workload fails. Read from what
 * the charts are known to run (tables in defaults.ts, their defaults checked against the pinned
 * charts) and from what the tree holds:
 *
 * - a chart's Kubernetes API client, or a workload of the tree mounting the token of a
 *   ServiceAccount RBAC grants rights to, whose egress a CiliumNetworkPolicy restricts without
 *   `kube-apiserver`;
 * - a tailnet subnet router (Connector) advertising a route that holds a node address, whose
 *   egress is restricted without the `host` and `remote-node` entities (node IPs are not `world`);
 * - a chart's metrics or ServiceMonitor switched off while the tree runs a Prometheus, or metrics a
 *   chart always serves without a monitor that no PodMonitor of the tree scrapes;
 * - a volume of a workload whose documentation rules NFS out (Prometheus' TSDB, Alertmanager's
 *   state) on a StorageClass csi-driver-nfs provisions;
 * - a Secret key a chart value reads (an "existing Secret" value the chart is known for, a
 *   `secretKeyRef` or secret volume with `items` anywhere in the values, ArgoCD's `$secret:key`)
 *   that the Secret does not hold (its keys known from the tree, or from `secretKeys:` in
 *   .homelab-check.yaml);
 * - Proxmox VMs (terraform/*.tf.json) whose guest agent disagrees with the Talos system extensions
 *   (talconfig.yaml), or whose boot ISO's Image Factory schematic is not the node's.
 *
 * A pod is known by its namespace and the labels the chart is known to set (the release's
 * instance label); a selector on any other label is undecided, and undecided selectors select
 * nothing here: the check reports what it can prove, never a guess.
 */
import { imageFactorySchematicId, isOfficialExtensionName } from '@homelab/core';
import type { Placed, PlacedChart, Resolution } from './argocd.js';
import { describePlaced } from './argocd.js';
import { externalMatcher, type CheckSettings } from './config.js';
import { globMatch } from './glob.js';
import {
  CHART_API_CLIENTS,
  CHART_DOLLAR_SECRET_REFS,
  CHART_POD_METRICS,
  CHART_NFS_UNSUPPORTED_VOLUMES,
  RESOURCE_NFS_UNSUPPORTED_VOLUMES,
  CHART_PROMETHEUS,
  CHART_SECRET_REFS,
  CHART_SERVICE_MONITORS,
  CONFIG_FILE,
  NFS_EXPORT_REQUIREMENTS,
  NODE_LOCAL_PROVISIONERS,
  QEMU_GUEST_AGENT_EXTENSION,
  TALCONFIG_FILE,
  type ChartFeature,
  type NfsUnsupportedWorkload,
} from './defaults.js';
import type { Finding } from './finding.js';
import { clusterResourceNamespace } from './references.js';
import { podSpecOf, sharedRefsOf } from './refs.js';
import { helmTruthy, valueAt } from './switches.js';
import { isMap, type Tree } from './tree.js';

const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';

/** Pods as the check knows them: their namespace and the labels known for certain. */
interface KnownPods {
  namespace: string;
  labels: Record<string, string>;
}

/** A Cilium selector key without its source prefix (`k8s:`, `any:`). */
const bareKey = (key: string) => key.replace(/^(k8s|any):/, '');

/** true: the selector selects the pods; false: it does not, or it cannot be decided. */
function selects(selector: unknown, pods: KnownPods): boolean {
  if (!isMap(selector)) return false;
  const labelOf = (key: string): string | undefined => (bareKey(key) === NAMESPACE_LABEL ? pods.namespace : pods.labels[bareKey(key)]);
  for (const [key, value] of Object.entries(isMap(selector['matchLabels']) ? selector['matchLabels'] : {})) {
    if (labelOf(key) !== String(value)) return false;
  }
  for (const expression of Array.isArray(selector['matchExpressions']) ? selector['matchExpressions'] : []) {
    if (!isMap(expression) || typeof expression['key'] !== 'string') return false;
    const label = labelOf(expression['key']);
    const values = Array.isArray(expression['values']) ? expression['values'].map(String) : [];
    const operator = expression['operator'];
    // An unknown label may or may not be on the pods: undecided.
    if (label === undefined) return false;
    if (operator === 'In' && !values.includes(label)) return false;
    if (operator === 'NotIn' && values.includes(label)) return false;
    if (operator === 'DoesNotExist') return false;
  }
  return true;
}

/** The rule bodies of a Cilium policy (`spec` and `specs`). */
const ruleBodies = (doc: Placed): Record<string, unknown>[] => {
  const raw = doc.doc.raw;
  return [raw['spec'], ...(Array.isArray(raw['specs']) ? raw['specs'] : [])].filter(isMap);
};

const PEER_FIELDS = ['toEndpoints', 'toEntities', 'toCIDR', 'toCIDRSet', 'toServices', 'toFQDNs', 'toGroups', 'toNodes', 'toRequires'];

/** Entities that include `entity` (Cilium: `all` is everything, `cluster` everything inside the cluster). */
const covering = (entity: string) => [entity, 'all', 'cluster'];

interface EgressVerdict {
  /** The policies that select the pods and restrict their egress. */
  restricting: Placed[];
  /** Whether those policies allow `entity`. */
  allows(entity: string): boolean;
}

/** The tree's Cilium policies: namespaced ones by namespace (looked up per workload), clusterwide ones. */
interface Policies {
  byNamespace: Map<string, Placed[]>;
  clusterwide: Placed[];
}

function egressOf(policies: Policies, pods: KnownPods): EgressVerdict {
  const restricting: Placed[] = [];
  const egressRules: Record<string, unknown>[] = [];
  for (const policy of [...(policies.byNamespace.get(pods.namespace) ?? []), ...policies.clusterwide]) {
    for (const body of ruleBodies(policy)) {
      if (!selects(body['endpointSelector'], pods)) continue;
      const egress = Array.isArray(body['egress']) ? body['egress'].filter(isMap) : [];
      if (egress.length === 0 && !Array.isArray(body['egressDeny'])) continue;
      if (!restricting.includes(policy)) restricting.push(policy);
      egressRules.push(...egress);
    }
  }
  return {
    restricting,
    allows: (entity) =>
      egressRules.some((rule) => {
        // A rule naming no peer allows every destination on its ports (L4 only); one without ports either (`{}`) allows nothing.
        if (!PEER_FIELDS.some((field) => field in rule)) return Array.isArray(rule['toPorts']) && rule['toPorts'].length > 0;
        const entities = Array.isArray(rule['toEntities']) ? rule['toEntities'].map(String) : [];
        if (covering(entity).some((name) => entities.includes(name))) return true;
        return (entity === 'host' || entity === 'remote-node') && Array.isArray(rule['toNodes']) && rule['toNodes'].some((selector) => isMap(selector) && Object.keys(selector).length === 0);
      }),
  };
}

/** An error at the first policy restricting the pods' egress: the one an operator edits. */
function egressFinding(verdict: EgressVerdict, problem: string, hint: string): Finding {
  const policy = verdict.restricting[0]!;
  return { check: 'runtime', severity: 'error', file: policy.doc.file, object: describePlaced(policy), problem, hint };
}

/** Whether a chart feature is on with these values (unset: its default; an always-on feature has no value). */
function featureOn(feature: Pick<ChartFeature, 'value' | 'default' | 'within' | 'matches'>, placed: PlacedChart): boolean {
  if (feature.within && !featureOn(feature.within, placed)) return false;
  if (feature.value === undefined) return true;
  const { found, value } = valueAt(chartInputs(placed), feature.value);
  if (!found) return feature.default ?? false;
  return feature.matches ? typeof value === 'string' && feature.matches.test(value) : helmTruthy(value);
}

const chartInputs = (placed: PlacedChart) => placed.chart.values.map((input) => input.data);

/** The `namespace/name` of the Application placing a chart (its label is `Application/namespace/name`). */
const applicationOf = (placed: PlacedChart) => placed.app.label.slice('Application/'.length);

function ciliumPolicies(resolution: Resolution): Policies {
  const policies: Policies = { byNamespace: new Map(), clusterwide: [] };
  for (const entry of resolution.placed) {
    if (entry.doc.group !== 'cilium.io') continue;
    if (entry.doc.kind === 'CiliumClusterwideNetworkPolicy') policies.clusterwide.push(entry);
    else if (entry.doc.kind === 'CiliumNetworkPolicy' && entry.namespace) {
      const inNamespace = policies.byNamespace.get(entry.namespace) ?? [];
      inNamespace.push(entry);
      policies.byNamespace.set(entry.namespace, inNamespace);
    }
  }
  return policies;
}

function apiClientFindings(resolution: Resolution, policies: Policies): Finding[] {
  const findings: Finding[] = [];
  for (const placed of resolution.charts) {
    const namespace = placed.app.destinationNamespace;
    if (!namespace) continue;
    const release = placed.chart.releaseName;
    const value = (path: string) => valueAt(chartInputs(placed), path).value;
    // The clients by the pods running them (the release's, or pods an operator starts for it).
    const byPods = new Map<string, { labels: Record<string, string>; clients: ChartFeature[] }>();
    for (const feature of (CHART_API_CLIENTS[placed.chart.name] ?? []).filter((client) => featureOn(client, placed))) {
      const labels = { ...(feature.pods ? feature.pods(release, value) : { [INSTANCE_LABEL]: release }) };
      const key = JSON.stringify(labels);
      byPods.set(key, { labels, clients: [...(byPods.get(key)?.clients ?? []), feature] });
    }
    for (const { labels, clients } of byPods.values()) {
      const verdict = egressOf(policies, { namespace, labels });
      if (verdict.restricting.length === 0 || verdict.allows('kube-apiserver')) continue;
      const own = Object.keys(labels).length === 1 && labels[INSTANCE_LABEL] === release;
      const pods = own ? `release ${release}` : `${Object.entries(labels).map(([key, label]) => `${key}=${label}`).join(', ')}, of release ${release}`;
      findings.push(
        egressFinding(
          verdict,
          `restricts the egress of chart ${placed.chart.name}'s pods (${pods}, ${placed.app.label}) but allows no kube-apiserver, and ${clients.map((feature) => feature.what).join(', ')} call${clients.length === 1 ? 's' : ''} the Kubernetes API`,
          'Allow it (an egress rule with toEntities: [kube-apiserver]; for a generated tree, the component declares network.kubeApi.client), or switch the API client off in the values',
        ),
      );
    }
  }
  return findings;
}

/** `namespace/name` of every ServiceAccount a RoleBinding or ClusterRoleBinding of the tree grants rights to. */
function boundServiceAccounts(resolution: Resolution): Set<string> {
  const bound = new Set<string>();
  for (const entry of resolution.placed) {
    if (entry.doc.group !== 'rbac.authorization.k8s.io' || (entry.doc.kind !== 'RoleBinding' && entry.doc.kind !== 'ClusterRoleBinding')) continue;
    for (const subject of Array.isArray(entry.doc.raw['subjects']) ? entry.doc.raw['subjects'].filter(isMap) : []) {
      const namespace = typeof subject['namespace'] === 'string' ? subject['namespace'] : entry.namespace;
      if (subject['kind'] === 'ServiceAccount' && typeof subject['name'] === 'string' && namespace) bound.add(`${namespace}/${subject['name']}`);
    }
  }
  return bound;
}

/**
 * Workloads of the tree whose pods mount a ServiceAccount token with RBAC bound to it: they hold
 * rights only the Kubernetes API serves, so their egress must allow kube-apiserver.
 */
function serviceAccountFindings(resolution: Resolution, policies: Policies): Finding[] {
  const bound = boundServiceAccounts(resolution);
  const tokenOff = new Set(
    resolution.placed.filter((entry) => entry.doc.group === '' && entry.doc.kind === 'ServiceAccount' && entry.doc.raw['automountServiceAccountToken'] === false).map((entry) => `${entry.namespace}/${entry.doc.name}`),
  );
  const findings: Finding[] = [];
  for (const entry of resolution.placed) {
    const pod = podSpecOf(entry.doc);
    if (!pod || !entry.namespace) continue;
    const account = `${entry.namespace}/${typeof pod.spec['serviceAccountName'] === 'string' ? pod.spec['serviceAccountName'] : 'default'}`;
    const automount = pod.spec['automountServiceAccountToken'];
    if (!bound.has(account) || automount === false || (automount !== true && tokenOff.has(account))) continue;
    const template = podTemplateLabels(entry);
    const verdict = egressOf(policies, { namespace: entry.namespace, labels: template });
    if (verdict.restricting.length === 0 || verdict.allows('kube-apiserver')) continue;
    findings.push(
      egressFinding(
        verdict,
        `restricts the egress of ${describePlaced(entry)}'s pods, which mount the token of ServiceAccount ${account} that RBAC in the tree grants rights to, but allows no kube-apiserver: every API call times out`,
        'Allow it (an egress rule with toEntities: [kube-apiserver]; for a generated tree, the component declares network.kubeApi.client), or set automountServiceAccountToken: false if the pods never call the API',
      ),
    );
  }
  return findings;
}

/** The labels of a workload's pods (its pod template's, a Pod's own). */
function podTemplateLabels(entry: Placed): Record<string, string> {
  const raw = entry.doc.raw;
  const spec = isMap(raw['spec']) ? raw['spec'] : {};
  const template = entry.doc.kind === 'Pod' ? raw : entry.doc.kind === 'CronJob' ? (isMap(spec['jobTemplate']) && isMap(spec['jobTemplate']['spec']) ? spec['jobTemplate']['spec']['template'] : undefined) : spec['template'];
  const metadata = isMap(template) ? template['metadata'] : undefined;
  const labels = isMap(metadata) ? metadata['labels'] : undefined;
  return Object.fromEntries(Object.entries(isMap(labels) ? labels : {}).map(([key, value]) => [key, String(value)]));
}

/** IPv4 address or CIDR → [first, last] as numbers; undefined for anything else (IPv6). */
function ipv4Range(text: string): [number, number] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = match[5] === undefined ? 32 : Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const start = Math.floor(address / size) * size;
  return [start, start + size - 1];
}

interface TalosNode {
  hostname: string;
  address: string;
  /** The system extensions its image installs (its own schematic, else its group's: talhelper's precedence). */
  extensions: Set<string>;
  /** The Image Factory ID of its schematic, when the schematic customises nothing but official extensions. */
  schematicId: string | undefined;
}

interface Talconfig {
  file: string;
  nodes: TalosNode[];
}

/** The tree's talhelper config: its nodes' addresses and the system extensions each installs. */
function readTalconfig(tree: Tree): Talconfig | undefined {
  const file = tree.files.find((path) => TALCONFIG_FILE.test(path));
  if (!file) return undefined;
  const doc = tree.parse(file).docs[0];
  if (!isMap(doc)) return undefined;
  const extensionsOf = (holder: unknown): string[] | undefined => {
    if (!isMap(holder) || !isMap(holder['schematic'])) return undefined;
    const customization = holder['schematic']['customization'];
    const system = isMap(customization) ? customization['systemExtensions'] : undefined;
    const official = isMap(system) ? system['officialExtensions'] : undefined;
    return Array.isArray(official) ? official.map(String) : [];
  };
  /** The schematic's ID, when it is one imageFactorySchematicId can compute (official extensions only). */
  const schematicIdOf = (holder: unknown): string | undefined => {
    const schematic = isMap(holder) ? holder['schematic'] : undefined;
    if (schematic === undefined) return imageFactorySchematicId([]);
    const customization = isMap(schematic) ? schematic['customization'] : undefined;
    const system = isMap(customization) ? customization['systemExtensions'] : undefined;
    const onlyExtensions = isMap(schematic) && Object.keys(schematic).every((key) => key === 'customization') && isMap(customization)
      && Object.keys(customization).every((key) => key === 'systemExtensions') && (system === undefined || (isMap(system) && Object.keys(system).every((key) => key === 'officialExtensions')));
    const extensions = extensionsOf(holder) ?? [];
    return onlyExtensions && extensions.every(isOfficialExtensionName) ? imageFactorySchematicId(extensions) : undefined;
  };
  const nodes = (Array.isArray(doc['nodes']) ? doc['nodes'] : []).filter(isMap);
  return {
    file,
    nodes: nodes.flatMap((node) => {
      if (typeof node['ipAddress'] !== 'string') return [];
      const group = node['controlPlane'] === true ? doc['controlPlane'] : doc['worker'];
      const holder = extensionsOf(node) !== undefined ? node : group;
      return [{ hostname: String(node['hostname'] ?? node['ipAddress']), address: node['ipAddress'], extensions: new Set(extensionsOf(holder) ?? []), schematicId: schematicIdOf(holder) }];
    }),
  };
}

function subnetRouterFindings(resolution: Resolution, policies: Policies, talconfig: Talconfig | undefined): Finding[] {
  if (!talconfig || talconfig.nodes.length === 0) return [];
  const operatorNamespaces = resolution.charts.filter((placed) => placed.chart.name === 'tailscale-operator').flatMap((placed) => placed.app.destinationNamespace ?? []);
  const findings: Finding[] = [];
  for (const connector of resolution.placed.filter((entry) => entry.doc.group === 'tailscale.com' && entry.doc.kind === 'Connector')) {
    const spec = connector.doc.raw['spec'];
    const router = isMap(spec) ? spec['subnetRouter'] : undefined;
    const routes = isMap(router) && Array.isArray(router['advertiseRoutes']) ? router['advertiseRoutes'].map(String) : [];
    const reached = talconfig.nodes.filter((node) => {
      const address = ipv4Range(node.address);
      return address !== undefined && routes.some((route) => {
        const range = ipv4Range(route);
        return range !== undefined && range[0] <= address[0] && address[0] <= range[1];
      });
    });
    if (reached.length === 0) continue;
    // The operator starts the Connector's proxy in its own namespace, with labels only it knows.
    for (const namespace of operatorNamespaces) {
      const verdict = egressOf(policies, { namespace, labels: {} });
      const missing = ['host', 'remote-node'].filter((entity) => !verdict.allows(entity));
      if (verdict.restricting.length === 0 || missing.length === 0) continue;
      findings.push(
        egressFinding(
          verdict,
          `restricts the egress of ${describePlaced(connector)}'s subnet router, whose routes (${routes.join(', ')}) hold node ${reached.map((node) => `${node.hostname} (${node.address})`).join(', ')}, but allows no ${missing.join(' or ')}: node addresses are not 'world', so talosctl and kubectl over the tailnet cannot reach them`,
          'Allow toEntities: [host, remote-node] (for a generated tree, the component declares network.nodes)',
        ),
      );
    }
  }
  return findings;
}

function serviceMonitorFindings(resolution: Resolution, settings: CheckSettings): Finding[] {
  const prometheus = resolution.charts.some((placed) => CHART_PROMETHEUS[placed.chart.name] !== undefined && featureOn(CHART_PROMETHEUS[placed.chart.name]!, placed))
    || resolution.placed.some((entry) => entry.doc.group === 'monitoring.coreos.com' && entry.doc.kind === 'Prometheus');
  if (!prometheus) return [];
  const findings: Finding[] = [];
  // Applications whose metrics are left unscraped on purpose (`unscraped:`): a hand-written tree may switch a chart's metrics off deliberately.
  const unscraped = (placed: PlacedChart) => settings.unscraped.some((pattern) => globMatch(pattern, applicationOf(placed)));
  const optOut = (placed: PlacedChart) => `, or list ${applicationOf(placed)} under unscraped: in ${CONFIG_FILE} to leave its metrics unscraped on purpose`;
  for (const placed of resolution.charts) {
    if (unscraped(placed)) continue;
    for (const rule of CHART_SERVICE_MONITORS[placed.chart.name] ?? []) {
      if (rule.within && !featureOn(rule.within, placed)) continue;
      // A chart that can serve metrics must, once there is a Prometheus: metrics off are as unscraped as a missing ServiceMonitor.
      const off = [
        ...(rule.metrics !== undefined && !featureOn({ value: rule.metrics, default: rule.metricsDefault ?? false }, placed) ? [rule.metrics] : []),
        ...(featureOn({ value: rule.monitor, default: false }, placed) ? [] : [rule.monitor]),
      ];
      if (off.length === 0) continue;
      findings.push({
        check: 'runtime',
        severity: 'error',
        file: placed.chart.values.at(-1)?.file ?? placed.app.doc.file,
        object: placed.app.label,
        problem: `the tree runs a Prometheus, but chart ${placed.chart.name} has ${off.join(' and ')} off, so its metrics are never scraped`,
        hint: `Set ${off.map((path) => `${path}: true`).join(' and ')} (for a generated tree, the module reads core's serviceMonitorsWanted from the composition)${optOut(placed)}`,
      });
    }
  }
  for (const placed of resolution.charts) {
    const metrics = CHART_POD_METRICS[placed.chart.name];
    const namespace = placed.app.destinationNamespace;
    if (!metrics || !namespace || unscraped(placed)) continue;
    // The chart's selector labels: app and app.kubernetes.io/name are its name (nameOverride), instance the release.
    const nameOverride = valueAt(chartInputs(placed), 'nameOverride').value;
    const name = typeof nameOverride === 'string' && nameOverride !== '' ? nameOverride : placed.chart.name;
    const pods = { namespace, labels: { [INSTANCE_LABEL]: placed.chart.releaseName, 'app.kubernetes.io/name': name, app: name } };
    if (resolution.placed.some((entry) => podMonitorScrapes(entry, pods, metrics.port))) continue;
    findings.push({
      check: 'runtime',
      severity: 'error',
      file: placed.chart.values.at(-1)?.file ?? placed.app.doc.file,
      object: placed.app.label,
      problem: `the tree runs a Prometheus, but no PodMonitor scrapes port ${metrics.port} of chart ${placed.chart.name}'s pods (release ${placed.chart.releaseName}): ${metrics.what} is never scraped, and the chart creates no monitor for it`,
      hint: `Add a PodMonitor in ${namespace} selecting ${INSTANCE_LABEL}: ${placed.chart.releaseName} with podMetricsEndpoints [{ port: ${metrics.port} }] (for a generated tree, the component's monitor follows core's serviceMonitorsWanted)${optOut(placed)}`,
    });
  }
  return findings;
}

/** `unscraped:` entries matching no Application that deploys a chart: a typo, or one left behind, would silently opt nothing out. */
function staleUnscrapedFindings(resolution: Resolution, settings: CheckSettings): Finding[] {
  const applications = new Set(resolution.charts.map(applicationOf));
  return settings.unscraped.flatMap((pattern, index): Finding[] =>
    [...applications].some((application) => globMatch(pattern, application))
      ? []
      : [
          {
            check: 'runtime',
            severity: 'warning',
            file: CONFIG_FILE,
            object: `unscraped[${index}]`,
            problem: `'${pattern}' names no Application of the tree that deploys a chart`,
            hint: `Correct it to the namespace/name of such an Application (${[...applications].sort().join(', ') || 'the tree has none'}), or remove the entry`,
          },
        ],
  );
}

/** The file of the last values input that sets `path` (Helm's winner), else the chart's last values file. */
function valuesFileSetting(placed: PlacedChart, path: string): string {
  const setting = [...placed.chart.values].reverse().find((input) => valueAt([input.data], path).found);
  return setting?.file ?? placed.chart.values.at(-1)?.file ?? placed.app.doc.file;
}

/**
 * Volumes of workloads whose documentation rules NFS out (CHART_NFS_UNSUPPORTED_VOLUMES in chart
 * values, RESOURCE_NFS_UNSUPPORTED_VOLUMES as objects) on a StorageClass that csi-driver-nfs
 * provisions, named or as the cluster's default class. A warning: it syncs and runs, but is not a
 * setup the workload supports (corruption shows up later).
 */
function nfsUnsupportedVolumeFindings(resolution: Resolution): Finding[] {
  const classes = resolution.placed.filter((entry) => entry.doc.group === 'storage.k8s.io' && entry.doc.kind === 'StorageClass');
  const nfsClasses = new Set(classes.filter((entry) => entry.doc.raw['provisioner'] === NFS_EXPORT_REQUIREMENTS.driver).map((entry) => entry.doc.name));
  if (nfsClasses.size === 0) return [];
  const defaultClass = classes.find((entry) => isMap(entry.doc.raw['metadata']) && isMap(entry.doc.raw['metadata']['annotations']) && entry.doc.raw['metadata']['annotations']['storageclass.kubernetes.io/is-default-class'] === 'true')?.doc.name;
  const nodeLocal = classes.filter((entry) => NODE_LOCAL_PROVISIONERS.includes(String(entry.doc.raw['provisioner']))).map((entry) => entry.doc.name).sort();
  /** The finding for a claim spec at `claim` of `inputs` (Helm's order), or undefined when it is not on NFS. */
  const onNfs = (inputs: readonly unknown[], volume: NfsUnsupportedWorkload & { claim: string }, where: { file: (path: string) => string; object: string; holder: string }): Finding | undefined => {
    if (!valueAt(inputs, volume.claim).found) return undefined;
    const path = `${volume.claim}.storageClassName`;
    const named = valueAt(inputs, path);
    const storageClass = named.found ? named.value : defaultClass;
    if (typeof storageClass !== 'string' || !nfsClasses.has(storageClass)) return undefined;
    const use = nodeLocal.length > 0 ? `Set ${path} to ${nodeLocal.join(' or ')}, the node-local StorageClass the tree creates` : `Create a node-local StorageClass (such as rancher local-path-provisioner's) and set ${path} to it`;
    return {
      check: 'runtime',
      severity: 'warning',
      file: where.file(named.found ? path : volume.claim),
      object: where.object,
      problem: `${where.holder} keeps ${volume.what} on StorageClass ${storageClass}${named.found ? ` (${path})` : ', the default class'}, which ${NFS_EXPORT_REQUIREMENTS.driver} provisions on NFS: ${volume.why}`,
      hint: volume.setting ? `${use} (for a generated tree, ${volume.setting}: node-local in homelab.yaml, with components.local-path enabled)` : use,
    };
  };
  const findings: Finding[] = [];
  for (const placed of resolution.charts) {
    for (const volume of CHART_NFS_UNSUPPORTED_VOLUMES[placed.chart.name] ?? []) {
      if (!featureOn({ ...volume.within }, placed)) continue;
      const finding = onNfs(placed.chart.values.map((input) => input.data), volume, { file: (path) => valuesFileSetting(placed, path), object: placed.app.label, holder: `chart ${placed.chart.name}` });
      if (finding) findings.push(finding);
    }
  }
  for (const entry of resolution.placed) {
    const volume = RESOURCE_NFS_UNSUPPORTED_VOLUMES[`${entry.doc.group}/${entry.doc.kind}`];
    const finding = volume && onNfs([entry.doc.raw], volume, { file: () => entry.doc.file, object: describePlaced(entry), holder: `${entry.app.label} applies it, and it` });
    if (finding) findings.push(finding);
  }
  return findings;
}

/** Whether a PodMonitor of the tree selects the pods and scrapes the named port. */
function podMonitorScrapes(entry: Placed, pods: KnownPods, port: string): boolean {
  if (entry.doc.group !== 'monitoring.coreos.com' || entry.doc.kind !== 'PodMonitor') return false;
  const spec = isMap(entry.doc.raw['spec']) ? entry.doc.raw['spec'] : {};
  const namespaces = isMap(spec['namespaceSelector']) ? spec['namespaceSelector'] : {};
  const inNamespace = namespaces['any'] === true
    || (Array.isArray(namespaces['matchNames']) ? namespaces['matchNames'].map(String).includes(pods.namespace) : entry.namespace === pods.namespace);
  const endpoints = Array.isArray(spec['podMetricsEndpoints']) ? spec['podMetricsEndpoints'].filter(isMap) : [];
  return inNamespace && selects(spec['selector'], pods) && endpoints.some((endpoint) => endpoint['port'] === port);
}

/** A Secret key chart values read: the dotted values path saying so, the Secret's name and the key. */
interface ValuesSecretRef {
  path: string;
  name: string;
  key: string;
  /** The values path of an "existing Secret" name: the chart never makes that Secret. */
  existing?: string;
}

/**
 * Every Secret key a values tree reads in pod spec form, with its dotted path: `secretKeyRef:
 * { name, key }` (env valueFrom) and secret volume sources with `items` (`secret: { secretName |
 * name, items: [{ key }] }`, the latter in projected volumes).
 */
function podSpecSecretRefs(value: unknown, path: string[] = []): ValuesSecretRef[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => podSpecSecretRefs(item, [...path, String(index)]));
  if (!isMap(value)) return [];
  const own: ValuesSecretRef[] = [];
  const keyRef = value['secretKeyRef'];
  if (isMap(keyRef) && typeof keyRef['name'] === 'string' && typeof keyRef['key'] === 'string') own.push({ path: [...path, 'secretKeyRef'].join('.'), name: keyRef['name'], key: keyRef['key'] });
  const volume = value['secret'];
  const volumeName = isMap(volume) ? (volume['secretName'] ?? volume['name']) : undefined;
  if (isMap(volume) && typeof volumeName === 'string' && Array.isArray(volume['items'])) {
    volume['items'].forEach((item, index) => {
      if (isMap(item) && typeof item['key'] === 'string') own.push({ path: [...path, 'secret', 'items', String(index), 'key'].join('.'), name: volumeName, key: item['key'] });
    });
  }
  return [...own, ...Object.entries(value).flatMap(([key, child]) => (key === 'secretKeyRef' || key === 'secret' ? [] : podSpecSecretRefs(child, [...path, key])))];
}

/** ArgoCD's `$<secret>:<key>` references in the strings under `path` (embedded YAML included). */
function dollarSecretRefs(value: unknown, path: string): ValuesSecretRef[] {
  if (typeof value === 'string') {
    return [...value.matchAll(/(?:^|[\s"'])\$([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?):([-._a-zA-Z0-9]+)/g)].map((match) => ({ path, name: match[1]!, key: match[2]! }));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => dollarSecretRefs(item, `${path}.${index}`));
  return isMap(value) ? Object.entries(value).flatMap(([key, child]) => dollarSecretRefs(child, `${path}.${key}`)) : [];
}

/** The Secret keys a chart's values read: its known references, pod spec fragments, `$secret:key` strings. */
function chartSecretRefs(placed: PlacedChart): ValuesSecretRef[] {
  const inputs = chartInputs(placed);
  return [
    ...(CHART_SECRET_REFS[placed.chart.name] ?? []).flatMap((ref): ValuesSecretRef[] => {
      if (ref.within && !featureOn(ref.within, placed)) return [];
      const name = valueAt(inputs, ref.name).value;
      if (typeof name !== 'string' || name === '') return [];
      const key = ref.key === undefined ? { found: false } : valueAt(inputs, ref.key);
      return [{ path: ref.key ?? ref.name, name, key: key.found ? String(key.value) : ref.defaultKey, existing: ref.name }];
    }),
    ...inputs.flatMap((input) => podSpecSecretRefs(input)),
    ...(CHART_DOLLAR_SECRET_REFS[placed.chart.name] ?? []).flatMap((path) => inputs.flatMap((input) => dollarSecretRefs(valueAt([input], path).value, path))),
  ];
}

/** The keys of every Secret whose keys are known: applied Secret objects (SOPS keeps key names plain) and `secretKeys:`. */
function knownSecretKeys(resolution: Resolution, settings: CheckSettings): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const [ref, list] of Object.entries(settings.secretKeys)) keys.set(ref, new Set(list));
  for (const entry of [...resolution.placed, ...resolution.handApplied]) {
    if (entry.doc.group !== '' || entry.doc.kind !== 'Secret' || !entry.namespace) continue;
    const names = ['data', 'stringData'].flatMap((field) => (isMap(entry.doc.raw[field]) ? Object.keys(entry.doc.raw[field] as object) : []));
    const ref = `${entry.namespace}/${entry.doc.name}`;
    keys.set(ref, new Set([...(keys.get(ref) ?? []), ...names]));
  }
  return keys;
}

function secretKeyFindings(resolution: Resolution, settings: CheckSettings): Finding[] {
  const known = knownSecretKeys(resolution, settings);
  const isExternal = externalMatcher(settings);
  const findings: Finding[] = [];
  for (const placed of resolution.charts) {
    const namespace = placed.app.destinationNamespace;
    if (!namespace) continue;
    for (const ref of chartSecretRefs(placed)) {
      const keys = known.get(`${namespace}/${ref.name}`);
      // A chart's "existing secret" value never makes the Secret: it must be declared somewhere.
      if (!keys && ref.existing !== undefined && !isExternal('Secret', namespace, ref.name)) {
        findings.push({
          check: 'runtime',
          severity: 'error',
          file: placed.chart.values.at(-1)?.file ?? placed.app.doc.file,
          object: `Secret/${namespace}/${ref.name}`,
          problem: `chart ${placed.chart.name} (${placed.app.label}) reads key '${ref.key}' of it (${ref.existing}), but neither the tree nor ${CONFIG_FILE} declares it, and the chart does not create it`,
          hint: `Fix the name, add the Secret (a *.sops.yaml file), or declare it with its keys (external: and secretKeys: in ${CONFIG_FILE})`,
        });
        continue;
      }
      if (!keys || keys.has(ref.key)) continue;
      findings.push({
        check: 'runtime',
        severity: 'error',
        file: placed.chart.values.at(-1)?.file ?? placed.app.doc.file,
        object: `Secret/${namespace}/${ref.name}`,
        problem: `chart ${placed.chart.name} (${placed.app.label}) reads key '${ref.key}' of it (${ref.path}), but it holds only ${holds(keys)}`,
        hint: `Reference one of its keys, or add '${ref.key}' to the Secret (for a generated tree, to its declaration)`,
      });
    }
  }
  // Objects of the tree (pods, issuers): keys of Secrets in the tree are the references check's; here those of Secrets known only from secretKeys:.
  const inTree = new Set([...resolution.placed, ...resolution.handApplied].filter((entry) => entry.doc.group === '' && entry.doc.kind === 'Secret').map((entry) => `${entry.namespace}/${entry.doc.name}`));
  const crNamespace = clusterResourceNamespace(resolution);
  for (const entry of resolution.placed) {
    for (const ref of sharedRefsOf(entry.doc, entry.namespace, crNamespace)) {
      const secret = `${ref.namespace}/${ref.name}`;
      const keys = settings.secretKeys[secret];
      if (ref.kind !== 'Secret' || !keys || inTree.has(secret)) continue;
      const missing = (ref.keys ?? []).filter((key) => !keys.includes(key));
      if (missing.length === 0) continue;
      findings.push({
        check: 'runtime',
        severity: 'error',
        file: entry.doc.file,
        object: describePlaced(entry),
        problem: `${entry.app.label} applies it, and it reads key${missing.length === 1 ? '' : 's'} ${missing.map((key) => `'${key}'`).join(', ')} of Secret/${secret} (${ref.field}), but secretKeys: in ${CONFIG_FILE} declares only ${holds(new Set(keys))}`,
        hint: `${podSpecOf(entry.doc) ? 'The pod does not start (CreateContainerConfigError)' : 'It fails when it reads the key'}: reference one of its keys, or add the key to the Secret and to its secretKeys: entry`,
      });
    }
  }
  return findings;
}

const holds = (keys: ReadonlySet<string>) => [...keys].sort().map((key) => `'${key}'`).join(', ') || 'no key';

interface ProxmoxVm {
  file: string;
  resource: string;
  name: string | undefined;
  agent: boolean;
  /** The Image Factory schematic of the ISO its CD-ROM boots, when a download of the tree names it. */
  isoSchematicId: string | undefined;
}

/** Proxmox VMs of the tree's Terraform JSON: their resource name, VM name, guest agent setting and boot ISO's schematic. */
function proxmoxVms(tree: Tree): ProxmoxVm[] {
  const vms: ProxmoxVm[] = [];
  for (const file of tree.files.filter((path) => path.endsWith('.tf.json'))) {
    let body: unknown;
    try {
      body = JSON.parse(tree.text(file));
    } catch {
      continue;
    }
    const resource = isMap(body) && isMap(body['resource']) ? body['resource'] : {};
    const resources = resource['proxmox_virtual_environment_vm'];
    if (!isMap(resources)) continue;
    const downloads = isMap(resource['proxmox_download_file']) ? resource['proxmox_download_file'] : {};
    for (const [name, vm] of Object.entries(resources)) {
      if (!isMap(vm)) continue;
      const agent = vm['agent'];
      const fileId = isMap(vm['cdrom']) ? vm['cdrom']['file_id'] : undefined;
      const download = typeof fileId === 'string' ? /^\$\{proxmox_download_file\.([\w-]+)\.id\}$/.exec(fileId)?.[1] : undefined;
      const url = download !== undefined && isMap(downloads[download]) ? downloads[download]['url'] : undefined;
      const isoSchematicId = typeof url === 'string' ? /\/image\/([0-9a-f]{64})\//.exec(url)?.[1] : undefined;
      // The bpg/proxmox provider's default: no agent.
      vms.push({ file, resource: name, name: typeof vm['name'] === 'string' ? vm['name'] : undefined, agent: isMap(agent) && agent['enabled'] === true, isoSchematicId });
    }
  }
  return vms;
}

/**
 * The Talos node a VM runs: the one whose hostname is the VM's name; failing that, any node when
 * all install the same extensions (the answer is then the same whichever it is).
 */
function talosNodeOf(vm: Pick<ProxmoxVm, 'name'>, talconfig: Talconfig): TalosNode | undefined {
  const named = talconfig.nodes.find((node) => node.hostname === vm.name);
  if (named) return named;
  const [first, ...others] = talconfig.nodes;
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((item) => b.has(item));
  return first && others.every((node) => same(node.extensions, first.extensions)) ? first : undefined;
}

function guestAgentFindings(tree: Tree, talconfig: Talconfig | undefined): Finding[] {
  if (!talconfig) return [];
  return proxmoxVms(tree).flatMap((vm): Finding[] => {
    const node = talosNodeOf(vm, talconfig);
    if (!node) return [];
    const installed = node.extensions.has(QEMU_GUEST_AGENT_EXTENSION);
    if (vm.agent === installed) {
      if (!vm.agent || vm.isoSchematicId === undefined || node.schematicId === undefined || vm.isoSchematicId === node.schematicId) return [];
      return [
        {
          check: 'runtime',
          severity: 'warning',
          file: vm.file,
          object: `proxmox_virtual_environment_vm/${vm.resource}`,
          problem: `enables the QEMU guest agent, which node ${node.hostname} installs, but boots an ISO of Image Factory schematic ${vm.isoSchematicId.slice(0, 12)}…, not the node's ${node.schematicId.slice(0, 12)}… (${[...node.extensions].join(', ')}): unless that ISO holds ${QEMU_GUEST_AGENT_EXTENSION} too, nothing answers before Talos is installed, and the first apply waits agent.timeout (15 minutes by default) for the VM`,
          hint: `Download the ISO of schematic ${node.schematicId} (in a generated tree both come from one declaration: the Talos system extensions)`,
        },
      ];
    }
    return [
      {
        check: 'runtime',
        severity: 'error',
        file: vm.file,
        object: `proxmox_virtual_environment_vm/${vm.resource}`,
        problem: vm.agent
          ? `enables the QEMU guest agent, but ${talconfig.file} installs no ${QEMU_GUEST_AGENT_EXTENSION} on node ${node.hostname}: nothing answers, and the provider waits for it`
          : `has the QEMU guest agent off, while ${talconfig.file} installs ${QEMU_GUEST_AGENT_EXTENSION} on node ${node.hostname}: Proxmox cannot shut the node down through it nor show its addresses`,
        hint: vm.agent
          ? `Add ${QEMU_GUEST_AGENT_EXTENSION} to the node's schematic officialExtensions, or set agent.enabled: false`
          : 'Set agent.enabled: true (in a generated tree both facts come from one declaration: the Talos system extensions)',
      },
    ];
  });
}

/** Every runtime finding of the tree. */
export function checkRuntime(resolution: Resolution, settings: CheckSettings, tree: Tree): Finding[] {
  const policies = ciliumPolicies(resolution);
  const talconfig = readTalconfig(tree);
  return [
    ...apiClientFindings(resolution, policies),
    ...serviceAccountFindings(resolution, policies),
    ...subnetRouterFindings(resolution, policies, talconfig),
    ...serviceMonitorFindings(resolution, settings),
    ...staleUnscrapedFindings(resolution, settings),
    ...nfsUnsupportedVolumeFindings(resolution),
    ...secretKeyFindings(resolution, settings),
    ...guestAgentFindings(tree, talconfig),
  ];
}

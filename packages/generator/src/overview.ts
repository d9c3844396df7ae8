/**
 * docs/homelab.md: an overview of the homelab for people, generated with the tree so it never goes
 * stale. What runs where, sync waves, how each host is reached, the IP plan, the declared secrets
 * and a Mermaid diagram, all derived from the config and the composed components.
 */
import { COMPONENT_GROUPS, type Access, type ArtifactModule, type Component, type ComponentGroup, type Exposure, generatedMarkdownHeader } from '@homelab/core';
import { parseIpv4, STATEFUL_VOLUME_NAMES, type ResolvedConfig } from '@homelab/config';
import { NFS_EXPORT_REQUIREMENTS } from '@homelab/check';

export const OVERVIEW_PATH = 'docs/homelab.md';
const SOURCE = '@homelab/generator';

const ACCESS_ORDER: readonly Access[] = ['public', 'internal', 'tailnet'];

/** What each range of the IP plan is for (the keys of network.ranges). */
const RANGE_PURPOSES: Record<string, string> = {
  infrastructure: 'Infrastructure devices (hypervisor, NAS, DNS)',
  nodes: 'Kubernetes nodes',
  loadBalancer: 'LoadBalancer pool (Cilium L2 announcements)',
  dhcp: 'DHCP leases: nothing static',
};

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const groupIndex = (group: ComponentGroup) => COMPONENT_GROUPS.indexOf(group);
const waveOf = (component: Component) => component.syncWave ?? 0;

/** A character `cell` rewrites: code-span backticks, markup, pipes, line breaks. */
const CELL_MARKUP = /[`\\*<>|\r\n]/;

/**
 * A Markdown table cell: pipes escaped (GFM needs it even in code spans), markup characters
 * escaped outside code spans (a description's `<name>` would otherwise vanish as an HTML tag),
 * line breaks as <br>.
 */
function cell(text: string): string {
  if (!CELL_MARKUP.test(text)) return text; // most cells (names, namespaces, waves): nothing to escape
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/[\\*<>]/g, (character) => `\\${character}`)))
    .join('')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

const code = (text: string) => `\`${text}\``;

/** How a component is deployed: its chart, its git sources, its own manifests. */
function deploys(component: Component): string {
  const parts: string[] = [];
  if (component.chart) parts.push(`${component.chart.name}@${component.chart.version} (${component.chart.repo})`);
  for (const source of component.gitSources ?? []) parts.push(`${source.repoURL} ${source.path}@${source.targetRevision}`);
  const objects = Object.keys(component.objects ?? {}).length;
  if (objects > 0) parts.push(`${objects} manifest${objects === 1 ? '' : 's'}`);
  return parts.join('\n');
}

const byDeployment = (a: Component, b: Component) => groupIndex(a.group) - groupIndex(b.group) || waveOf(a) - waveOf(b) || compare(a.name, b.name);

function exposures(components: readonly Component[]): (Exposure & { component: string })[] {
  return components
    .flatMap((component) => (component.exposes ?? []).map((exposure) => ({ ...exposure, component: component.name })))
    .sort((a, b) => ACCESS_ORDER.indexOf(a.access) - ACCESS_ORDER.indexOf(b.access) || compare(a.host, b.host) || compare(a.component, b.component));
}

function accessPath(access: Access, config: ResolvedConfig): string {
  switch (access) {
    case 'public':
      return 'public: Cloudflare tunnel';
    case 'internal':
      return `internal: gateway ${config.network.internalGatewayIP}`;
    case 'tailnet':
      return 'tailnet: Tailscale';
  }
}

/** Name of the host (from `hosts`) at an address, if any. */
function hostAt(config: ResolvedConfig, ip: string): string | undefined {
  return Object.keys(config.hosts)
    .sort()
    .find((name) => config.hosts[name]!.ip === ip);
}

function ipPlan(config: ResolvedConfig): string {
  const { network } = config;
  const facts = [
    `- Subnet ${code(network.subnet)}${network.vlan !== undefined ? ` on VLAN ${network.vlan}` : ''}, gateway ${code(network.gateway)}`,
    `- DNS ${network.nameservers.map((ip) => code(ip) + (hostAt(config, ip) ? ` (${hostAt(config, ip)})` : '')).join(', ')}; NTP ${network.ntpServers.map(code).join(', ')}`,
    `- Kubernetes API ${code(config.cluster.endpoint)}${config.cluster.controlPlaneVIP ? ' (shared VIP of the control planes)' : ''}`,
    `- Internal gateway ${code(network.internalGatewayIP)}: every ${code(`*.${config.domains.internal}`)} host (the LAN DNS must resolve them to it)`,
  ];
  const ranges = Object.entries(network.ranges)
    .filter((entry): entry is [string, { start: string; end: string }] => entry[1] !== undefined)
    .sort(([, a], [, b]) => parseIpv4(a.start) - parseIpv4(b.start))
    .map(([name, range]) => [name, range.start, range.end, RANGE_PURPOSES[name] ?? '']);
  const addresses: [string, string, string][] = [[network.gateway, 'gateway', 'Default route of the subnet']];
  for (const [name, host] of Object.entries(config.hosts)) addresses.push([host.ip, name, host.description ?? 'Infrastructure device']);
  for (const node of config.nodes) {
    addresses.push([node.ip, node.name, `Talos ${node.role}, ${node.vm.cores} cores, ${node.vm.memoryMiB} MiB, ${node.vm.diskGiB} GiB`]);
  }
  if (config.cluster.controlPlaneVIP) addresses.push([config.cluster.controlPlaneVIP, 'api', 'Kubernetes API VIP']);
  addresses.push([network.internalGatewayIP, 'internal-gateway', 'LoadBalancer IP of the internal Gateway']);
  for (const [name, app] of Object.entries(config.apps)) {
    if (app.loadBalancerIP) addresses.push([app.loadBalancerIP, name, `Fixed LoadBalancer IP of the app ${name}`]);
  }
  addresses.sort((a, b) => parseIpv4(a[0]) - parseIpv4(b[0]) || compare(a[1], b[1]));
  return [
    facts.join('\n'),
    '### Ranges',
    table(['Range', 'From', 'To', 'For'], ranges),
    '### Fixed addresses',
    table(['Address', 'Name', 'What'], addresses.map(([ip, name, what]) => [code(ip), name, what])),
  ].join('\n\n');
}

/** Valid, unique Mermaid node ids: letters, digits and `_`, behind a prefix so no id is a keyword. */
class MermaidIds {
  private readonly byKey = new Map<string, string>();
  private readonly taken = new Set<string>();

  id(prefix: string, name: string): string {
    const key = `${prefix}\u0000${name}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const base = `${prefix}_${name.replace(/[^A-Za-z0-9]+/g, '_')}`.replace(/_+$/, '');
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}_${n}`;
    this.taken.add(id);
    this.byKey.set(key, id);
    return id;
  }
}

/** A label in double quotes, with what would end it or open markup escaped as entities. */
function label(...lines: string[]): string {
  return `"${lines.map((line) => line.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;')).join('<br/>')}"`;
}

/**
 * The diagram, ranked left to right — entry, DNS or tunnel, gateway, host, Service, Application —
 * so its many hosts and Applications stack downward and it grows tall, not wide. Each host is a
 * node (a host as an edge label overlapped its neighbours), joined to its Service and the Service to
 * the Application that deploys it; the Applications sit in one box per group inside ArgoCD's.
 */
function mermaid(config: ResolvedConfig, components: readonly Component[]): string {
  const ids = new MermaidIds();
  const lines = ['flowchart LR'];
  const exposed = exposures(components);
  const serviceNode = ({ service }: Exposure) =>
    `${ids.id('svc', `${service.namespace}_${service.name}_${service.port}`)}[${label(
      `${service.name}:${service.port}`,
      ...(service.namespace === service.name ? [] : [service.namespace]),
    )}]`;
  const idOf = (node: string) => node.replace(/[[(].*$/, '');
  const flow = (access: Access, entry: string[]) => {
    const list = exposed.filter((exposure) => exposure.access === access);
    if (list.length === 0) return;
    lines.push(`  %% ${access} access`);
    for (let index = 0; index + 1 < entry.length; index++) lines.push(`  ${index === 0 ? entry[0] : idOf(entry[index]!)} --> ${entry[index + 1]}`);
    const last = idOf(entry.at(-1)!);
    for (const exposure of list) lines.push(`  ${last} --> ${ids.id('host', exposure.host)}[${label(exposure.host)}] --> ${serviceNode(exposure)}`);
  };
  flow('public', [`internet([${label('Internet')}])`, `cloudflare[${label('Cloudflare tunnel')}]`]);
  const dns = config.network.nameservers.map((ip) => hostAt(config, ip) ?? ip);
  flow('internal', [
    `lan([${label('LAN')}])`,
    `dns[${label(`DNS ${dns.join(', ')}`, `*.${config.domains.internal}`)}]`,
    `gateway[${label('Internal gateway', config.network.internalGatewayIP)}]`,
  ]);
  flow('tailnet', [`tailnet([${label('Tailnet')}])`, `tailscale[${label('Tailscale')}]`]);

  lines.push('  %% GitOps: the root app-of-apps, one app-of-apps per group, its Applications', `  subgraph argocd[${label('ArgoCD root app-of-apps')}]`);
  for (const group of COMPONENT_GROUPS) {
    const members = components.filter((component) => component.group === group).sort(byDeployment);
    if (members.length === 0) continue;
    lines.push(`    subgraph ${ids.id('group', group)}[${label(group)}]`);
    for (const component of members) lines.push(`      ${ids.id('app', component.name)}[${label(component.name, `wave ${waveOf(component)}`)}]`);
    lines.push('    end');
  }
  lines.push('  end');

  const joins = new Set(exposed.map((exposure) => `  ${idOf(serviceNode(exposure))} --> ${ids.id('app', exposure.component)}`));
  if (joins.size > 0) lines.push('  %% each Service to the Application that deploys it', ...joins);
  return ['```mermaid', ...lines, '```'].join('\n');
}

/** Where each StorageClass is named: a chart value (`storageClass`, `storageClassName`) or a claim object, per class, sorted. */
function storageClassUsers(components: readonly Component[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  const add = (name: unknown, user: string) => {
    if (typeof name === 'string' && name !== '') users.set(name, [...(users.get(name) ?? []), user]);
  };
  const walk = (value: unknown, path: string[], component: string): void => {
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, String(index)], component));
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if ((key === 'storageClass' || key === 'storageClassName') && typeof child === 'string') add(child, `${component} (${code([...path, key].join('.'))})`);
        else walk(child, [...path, key], component);
      }
    }
  };
  for (const component of components) {
    walk(component.values, [], component.name);
    for (const object of Object.values(component.objects ?? {}) as Record<string, any>[]) {
      if (object['kind'] === 'PersistentVolumeClaim') add(object['spec']?.storageClassName, `${component.name} (${object['kind']} ${code(`${object['metadata']?.namespace}/${object['metadata']?.name}`)})`);
    }
  }
  for (const [name, list] of users) users.set(name, [...new Set(list)].sort(compare));
  return users;
}

/**
 * The StorageClasses the components create, where each keeps its data, and what the NFS exports
 * behind them must allow (the same requirements `homelab check` reports).
 */
function storage(components: readonly Component[]): string {
  const classes = components
    .flatMap((component) => Object.values(component.objects ?? {}).map((object) => ({ object: object as Record<string, any>, component: component.name, hostDirectories: component.hostDirectories ?? [] })))
    .filter(({ object }) => object['kind'] === 'StorageClass')
    .sort((a, b) => compare(a.object['metadata']?.name ?? '', b.object['metadata']?.name ?? ''));
  if (classes.length === 0) return 'No component creates a StorageClass.';
  const isDefault = (object: Record<string, any>) => object['metadata']?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
  const nfs = classes.filter(({ object }) => object['provisioner'] === NFS_EXPORT_REQUIREMENTS.driver);
  // A provisioner component's host directories are where its classes' volumes live, on each node.
  const nodeLocal = classes.filter(({ object, hostDirectories }) => object['provisioner'] !== NFS_EXPORT_REQUIREMENTS.driver && hostDirectories.length > 0);
  const rows = classes.map(({ object, component, hostDirectories }) => {
    const parameters = object['parameters'] as Record<string, string> | undefined;
    const where =
      object['provisioner'] === NFS_EXPORT_REQUIREMENTS.driver
        ? `NFS ${code(`${parameters?.['server']}:${parameters?.['share']}`)}`
        : nodeLocal.some((entry) => entry.object === object)
          ? `the pod's node, ${hostDirectories.map(code).join(', ')}`
          : '';
    return [object['metadata']?.name ?? '', object['provisioner'] ?? '', object['volumeBindingMode'] ?? 'Immediate', isDefault(object) ? 'yes' : '', where, component];
  });
  const parts = [table(['StorageClass', 'Provisioner', 'Binding', 'Default', 'Data on', 'Component'], rows)];
  if (nodeLocal.length > 0) {
    const names = nodeLocal.map(({ object }) => code(object['metadata']?.name ?? '')).join(', ');
    parts.push(
      `Volumes on ${names} are directories of one node's disk: a pod using one stays on that node, and the data is neither replicated nor on the NAS's snapshots. ` +
        `Prometheus and Alertmanager go there by default (Prometheus documents NFS as unsupported); ${code('storage.volumes')} in homelab.yaml places each stateful volume (${STATEFUL_VOLUME_NAMES.join(', ')}) on ${code('node-local')} or ${code('nfs')}, ` +
        `and ${code('homelab check')} warns when Prometheus or Alertmanager is on an NFS class.`,
    );
  }
  const users = storageClassUsers(components);
  const used = classes.map(({ object }) => object['metadata']?.name ?? '').filter((name) => users.has(name));
  if (used.length > 0) parts.push(['Which volumes use which class:', '', ...used.map((name) => `- ${code(name)}: ${users.get(name)!.join(', ')}`)].join('\n'));
  if (nfs.length > 0) {
    parts.push(
      `Every NFS export behind these classes (and the static NFS volumes) must allow root from the nodes: ${NFS_EXPORT_REQUIREMENTS.why}. On TrueNAS, in the share's settings:`,
      NFS_EXPORT_REQUIREMENTS.truenas.map((option) => `- ${option}`).join('\n'),
      `On a Linux server: ${code(NFS_EXPORT_REQUIREMENTS.exports)}, served over NFSv4. ${code('homelab check')} repeats this for every NFS StorageClass and PersistentVolume it finds.`,
    );
  }
  return parts.join('\n\n');
}

/** The overview document, deterministic for a given config and component set. */
export function overviewMarkdown(config: ResolvedConfig, components: readonly Component[]): string {
  const sorted = [...components].sort(byDeployment);
  const exposed = exposures(components);
  const secrets = components
    .flatMap((component) => (component.secrets ?? []).map((secret) => ({ ...secret, component: component.name })))
    .sort((a, b) => compare(a.namespace, b.namespace) || compare(a.name, b.name));
  const waves = [...new Set(sorted.map(waveOf))].sort((a, b) => a - b);
  const groups = COMPONENT_GROUPS.filter((group) => sorted.some((component) => component.group === group));
  const groupWave = (group: ComponentGroup) => Math.min(...sorted.filter((component) => component.group === group).map(waveOf));

  const sections = [
    generatedMarkdownHeader(SOURCE).trimEnd(),
    `# Homelab ${code(config.cluster.name)}`,
    `${sorted.length} components in ${groups.length} group${groups.length === 1 ? '' : 's'} on ${config.nodes.length} node${config.nodes.length === 1 ? '' : 's'}, ` +
      `${exposed.length} exposed host${exposed.length === 1 ? '' : 's'} under ${code(config.domains.public)} (public) and ${code(config.domains.internal)} (internal). ` +
      `ArgoCD syncs them from ${code(config.gitops.repoURL)} at ${code(config.gitops.revision)}.`,
    '## Diagram',
    mermaid(config, components),
    '## What runs where',
    table(
      ['Component', 'Group', 'Namespace', 'Sync wave', 'Deploys', 'Package'],
      sorted.map((component) => [component.name, component.group, component.namespace, String(waveOf(component)), deploys(component), component.source]),
    ),
    '## Sync waves',
    'ArgoCD applies the waves in ascending order, each once the earlier ones are healthy. ' +
      `Each group's app-of-apps starts in the wave of its earliest component: ${groups.map((group) => `${group} (${groupWave(group)})`).join(', ')}.`,
    table(
      ['Wave', 'Components'],
      waves.map((wave) => [String(wave), sorted.filter((component) => waveOf(component) === wave).map((component) => component.name).join(', ')]),
    ),
    '## Exposure',
    exposed.length === 0
      ? 'No component exposes a host.'
      : table(
          ['Host', 'Access', 'Service', 'SSO', 'Component'],
          exposed.map((exposure) => [
            exposure.host,
            accessPath(exposure.access, config),
            `${exposure.service.name}.${exposure.service.namespace}:${exposure.service.port}`,
            exposure.sso,
            exposure.component,
          ]),
        ),
    '## Storage',
    storage(components),
    '## IP plan',
    ipPlan(config),
    '## Secrets',
    secrets.length === 0
      ? 'No component declares a secret.'
      : 'Declared by the components; their values never enter the repository in plain text.\n\n' +
        table(
          ['Secret', 'Namespace', 'Keys', 'Description', 'Component'],
          secrets.map((secret) => [secret.name, secret.namespace, secret.keys.join(', '), secret.description, secret.component]),
        ),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** Renders docs/homelab.md; register it with the generator's artifacts. */
export const overviewArtifact: ArtifactModule<ResolvedConfig> = {
  name: 'overview',
  build: (config, components) => [{ path: OVERVIEW_PATH, content: overviewMarkdown(config, components), source: SOURCE }],
};

/**
 * The homelab.yaml schema: the single source of both the JSON Schema (editors, ajv) and the
 * TypeScript types (`Static<>`). Defaults and descriptions live here and nowhere else.
 * `hint` is an annotation keyword: the fix an error message suggests when a value fails here.
 */
// The symbol imports let declaration emit name TypeBox's symbol-keyed members.
import { Type, Hint, Kind, OptionalKind, ReadonlyKind, type Static, type TSchema, type TProperties, type ObjectOptions } from '@sinclair/typebox';
export type { Hint, Kind, OptionalKind, ReadonlyKind };

const strict = <T extends TProperties>(properties: T, options: ObjectOptions = {}) =>
  Type.Object(properties, { additionalProperties: false, ...options });

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `^(${OCTET}\\.){3}${OCTET}$`;
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
const DOMAIN = '^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$';

export const DnsLabel = (description: string) =>
  Type.String({
    pattern: DNS_LABEL,
    description,
    hint: "Use 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit.",
  });

export const Domain = (description: string) =>
  Type.String({
    pattern: DOMAIN,
    description,
    hint: 'Use a lowercase fully qualified domain such as example.com or int.example.com.',
  });

export const Ipv4 = (description: string) =>
  Type.String({ pattern: IPV4, title: 'IPv4 address', description, hint: 'Use a dotted IPv4 address such as 10.0.0.10.' });

/** An IPv4 address, or the name of an entry in `hosts` (declare each address once). */
const HostRef = (description: string) =>
  Type.String({
    pattern: `^((\\d{1,3}\\.){3}\\d{1,3}|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$`,
    description: `${description} An IPv4 address or the name of an entry in \`hosts\`.`,
    hint: 'Use an IPv4 address or the name of an entry under hosts.',
  });

const Cidr = Type.String({
  pattern: '^(\\d{1,3}\\.){3}\\d{1,3}/(\\d|[12]\\d|3[0-2])$',
  description: 'IPv4 network in CIDR notation.',
  hint: 'Use CIDR notation such as 192.0.2.0/24.',
});

const AbsolutePath = (description: string) =>
  Type.String({ pattern: '^/[^\\0]*$', description, hint: 'Use an absolute path starting with /.' });

const IpRange = (description: string) =>
  strict(
    { start: Ipv4('First address of the range.'), end: Ipv4('Last address of the range (inclusive).') },
    { description },
  );

/** Values patched onto a component's rendered output with `merge()` semantics (null deletes). */
const ValuesPatch = Type.Record(Type.String(), Type.Unknown(), {
  description: "Overrides merged onto the component's Helm values: objects merge, lists and scalars replace, null deletes a key.",
});

const componentSettingsProperties = {
  enabled: Type.Optional(Type.Boolean({ description: 'Deploy this component.', default: true })),
  syncWave: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000, description: "ArgoCD sync wave of the component's Application (-1000 to 1000). Defaults to the package's wave." })),
  values: Type.Optional(ValuesPatch),
};

export const ComponentSettings = strict(componentSettingsProperties, {
  description: 'Settings for one platform component (core or observability).',
});

const unanchored = (pattern: string) => pattern.slice(1, -1);

const HostName = Type.Union([Type.String({ pattern: `^(?:${unanchored(DNS_LABEL)}|${unanchored(DOMAIN)})$` }), Type.Literal(false)], {
  description: "Host name: a label under the matching domain ('sonarr'), a fully qualified name, or false to turn this exposure off.",
  hint: 'Use a DNS label (it is prefixed to the domain), a fully qualified host name, or false.',
});

const TailscaleTag = Type.String({
  pattern: '^tag:[a-zA-Z][a-zA-Z0-9-]*$',
  description: 'A tailnet ACL tag.',
  hint: "Use 'tag:' followed by a name, such as tag:k8s-operator.",
});

/** A closed set of strings as a plain JSON Schema `enum` (clearer errors than a union of literals). */
const StringEnum = <const T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description, hint: `Use one of: ${values.join(', ')}.` });

/** Where a stateful volume lives: a directory on the pod's node, or the NFS config export. */
export const VOLUME_PLACEMENTS = ['node-local', 'nfs'] as const;
export type VolumePlacement = (typeof VOLUME_PLACEMENTS)[number];

/** The stateful volumes whose placement homelab.yaml chooses (`storage.volumes.<name>`), each with what it holds. */
export const STATEFUL_VOLUMES = {
  prometheus: "Prometheus' TSDB",
  alertmanager: "Alertmanager's silences and notification log",
  loki: "Loki's chunks and index",
  grafana: "Grafana's SQLite database",
  authentikPostgres: "Authentik's PostgreSQL database",
} as const;
export type StatefulVolume = keyof typeof STATEFUL_VOLUMES;

const Placement = (volume: StatefulVolume) =>
  StringEnum(VOLUME_PLACEMENTS, `${STATEFUL_VOLUMES[volume]}: node-local (the node-local StorageClass, when a component provides one) or nfs (the NFS config export).`);


export const AppSettings = strict(
  {
    ...componentSettingsProperties,
    expose: Type.Optional(
      strict(
        {
          internal: Type.Optional(HostName),
          public: Type.Optional(HostName),
          tailnet: Type.Optional(HostName),
        },
        { description: "How the app is reached. Omitted keys keep the app package's defaults." },
      ),
    ),
    sso: Type.Optional(
      StringEnum(['proxy', 'oidc', 'none'], 'Authentik protection of the internal route: forward-auth proxy, native OIDC, or none.'),
    ),
    loadBalancerIP: Type.Optional(Ipv4('Fixed LoadBalancer IP for the app; must lie in network.ranges.loadBalancer.')),
  },
  { description: 'Settings for one app.' },
);

/**
 * A Proxmox name (CPU type, bridge, datastore). It is written into Terraform JSON, where every string
 * is a template: `${…}` or `%{…}` in it would be evaluated by Terraform, so only name characters pass.
 */
const ProxmoxName = (defaultValue: string, description: string) =>
  Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', default: defaultValue, description, hint: "Use the name as Proxmox shows it: letters, digits, '.', '_' and '-'." });

export const NodeSettings = strict(
  {
    ip: Ipv4('Static address of the node; must lie in network.ranges.nodes.'),
    role: StringEnum(['controlplane', 'worker'], 'Talos machine type.'),
    installDisk: Type.Optional({ ...AbsolutePath('Disk Talos installs to.'), default: '/dev/sda' }),
    vm: Type.Optional(
      strict(
        {
          host: Type.Optional(DnsLabel('Proxmox node that runs this VM.')),
          cores: Type.Optional(Type.Integer({ minimum: 2, maximum: 512, default: 4, description: 'vCPU cores (Talos needs at least 2).' })),
          cpuType: Type.Optional(ProxmoxName('x86-64-v2-AES', 'Proxmox CPU type.')),
          memoryMiB: Type.Optional(
            Type.Integer({ minimum: 2048, maximum: 1_048_576, default: 8192, description: 'Memory in MiB (Talos needs at least 2048; at most 1 TiB).' }),
          ),
          diskGiB: Type.Optional(Type.Integer({ minimum: 10, maximum: 65_536, default: 100, description: 'Boot disk size in GiB (at most 64 TiB).' })),
        },
        { default: {}, description: 'Proxmox VM sizing for this node.' },
      ),
    ),
  },
  { description: 'One Talos node, keyed by its host name.' },
);

export const HomelabConfigSchema = strict(
  {
    cluster: strict(
      {
        name: DnsLabel('Cluster name, used by Talos and in object names.'),
        controlPlaneVIP: Type.Optional(
          Ipv4('Shared API address for several control planes; required when there is more than one.'),
        ),
      },
      { description: 'Kubernetes cluster identity.' },
    ),
    domains: strict(
      {
        public: Domain('Domain served publicly through the Cloudflare tunnel.'),
        internal: Domain('Domain of internal services, resolved by the LAN DNS to the internal gateway.'),
      },
      { description: 'DNS domains. Every host name is derived from these.' },
    ),
    network: strict(
      {
        subnet: Cidr,
        gateway: Ipv4('Default route of the subnet.'),
        vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094, description: 'VLAN tag of the subnet on the hypervisor bridge.' })),
        nameservers: Type.Array(HostRef('DNS server.'), { minItems: 1, maxItems: 3, description: 'DNS servers for nodes and clients (resolv.conf uses at most 3).' }),
        ntpServers: Type.Optional(
          Type.Array(Type.String({ minLength: 1 }), { minItems: 1, default: ['time.cloudflare.com'], description: 'NTP servers for the nodes.' }),
        ),
        ranges: strict(
          {
            infrastructure: IpRange('Addresses of infrastructure devices (hypervisor, NAS, DNS).'),
            nodes: IpRange('Addresses of Kubernetes nodes.'),
            loadBalancer: IpRange('Pool Cilium hands out to LoadBalancer services.'),
            dhcp: Type.Optional(IpRange('Range your DHCP server leases; nothing static may live here.')),
          },
          { description: 'The IP plan. Ranges must lie in the subnet and must not overlap.' },
        ),
        internalGatewayIP: Ipv4('LoadBalancer IP of the internal Gateway; must lie in network.ranges.loadBalancer.'),
      },
      { description: 'The home network.' },
    ),
    hosts: Type.Record(
      Type.String({ pattern: DNS_LABEL }),
      strict(
        { ip: Ipv4('Address of the device.'), description: Type.Optional(Type.String({ description: 'Free-text note about the device.' })) },
        { description: 'An infrastructure device.' },
      ),
      { additionalProperties: false, description: 'Infrastructure devices keyed by name (proxmox, truenas, pihole…); other settings refer to them by name.' },
    ),
    nodes: Type.Record(Type.String({ pattern: DNS_LABEL }), NodeSettings, {
      minProperties: 1,
      maxProperties: 100,
      additionalProperties: false,
      description: 'Talos nodes keyed by host name (at most 100: one VM each on the Proxmox hosts).',
    }),
    proxmox: Type.Optional(
      strict(
        {
          host: HostRef('Proxmox VE API host (https://<address>:8006).'),
          defaultNode: Type.Optional({
            ...DnsLabel('Proxmox node that runs VMs whose nodes.<name>.vm.host is not set.'),
            default: 'pve',
          }),
          bridge: Type.Optional(ProxmoxName('vmbr0', 'Linux bridge the VMs attach to (tagged with network.vlan).')),
          datastore: Type.Optional(ProxmoxName('local-lvm', 'Datastore for VM disks.')),
          isoDatastore: Type.Optional(ProxmoxName('local', 'Datastore the Talos ISO is uploaded to.')),
        },
        { description: 'Proxmox VE hosting the Talos VMs; terraform/proxmox is generated from it.' },
      ),
    ),
    cloudflare: Type.Optional(
      strict(
        {
          tunnelId: Type.Optional(
            Type.String({
              pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
              title: 'tunnel ID',
              description: 'UUID of the locally managed Cloudflare tunnel (cloudflared tunnel create <name>); required once an app is public.',
              hint: 'Use the lowercase UUID printed by `cloudflared tunnel create` or `cloudflared tunnel list`.',
            }),
          ),
        },
        { description: 'Cloudflare Tunnel serving the public apps.' },
      ),
    ),
    tailscale: Type.Optional(
      strict(
        {
          hostname: Type.Optional(DnsLabel("The operator's tailnet device name. Defaults to '<cluster.name>-operator'.")),
          tags: Type.Array(TailscaleTag, {
            minItems: 1,
            description: "Tags of the operator itself; its OAuth client must carry them and the tailnet policy must own them.",
          }),
          proxyTags: Type.Array(TailscaleTag, {
            minItems: 1,
            description: 'Tags of the proxies and the subnet router; owned by the operator tags in the tailnet policy.',
          }),
        },
        { description: 'Tailscale operator: private access over the tailnet.' },
      ),
    ),
    nfs: strict(
      {
        server: HostRef('NFS server.'),
        exports: strict(
          {
            media: AbsolutePath('Export holding the shared media library and downloads (one filesystem, so hardlinks work).'),
            config: AbsolutePath('Export under which application config volumes are provisioned.'),
          },
          { description: 'NFS export paths on the server.' },
        ),
      },
      { description: 'NFS storage (TrueNAS).' },
    ),
    storage: Type.Optional(
      strict(
        {
          volumes: Type.Optional(
            strict(
              {
                prometheus: Type.Optional(Placement('prometheus')),
                alertmanager: Type.Optional(Placement('alertmanager')),
                loki: Type.Optional(Placement('loki')),
                grafana: Type.Optional(Placement('grafana')),
                authentikPostgres: Type.Optional(Placement('authentikPostgres')),
              } satisfies Record<StatefulVolume, unknown>,
              {
                default: {},
                description:
                  "Where each stateful workload keeps its data. Unset: the package's default, node-local for Prometheus and Alertmanager (Prometheus documents NFS as unsupported) when the node-local class is deployed, else nfs.",
              },
            ),
          ),
        },
        { default: {}, description: 'Storage placement of stateful workloads.' },
      ),
    ),
    gitops: strict(
      {
        repoURL: Type.String({
          pattern: '^(https://|ssh://|git@)\\S+$',
          description: 'Git repository ArgoCD reads this tree from.',
          hint: 'Use an https://, ssh:// or git@ URL of your repository.',
        }),
        revision: Type.Optional(Type.String({ minLength: 1, default: 'main', description: 'Branch, tag or commit ArgoCD tracks.' })),
      },
      { description: 'Where ArgoCD finds this repository.' },
    ),
    secrets: strict(
      {
        ageRecipients: Type.Array(
          Type.String({
            pattern: '^age1[02-9ac-hj-np-z]{58}$',
            description: 'age public key.',
            hint: 'Use an age public key (age1…, 62 characters) as printed by age-keygen.',
          }),
          { minItems: 1, description: 'age recipients every SOPS file is encrypted to.' },
        ),
      },
      { description: 'SOPS encryption.' },
    ),
    acme: strict(
      {
        email: Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', title: 'email address', description: "Let's Encrypt account email.", hint: 'Use an email address you read.' }),
      },
      { description: "Let's Encrypt (cert-manager)." },
    ),
    workloads: Type.Optional(
      strict(
        {
          timezone: Type.Optional(Type.String({ default: 'UTC', description: 'IANA time zone for app containers (TZ).' })),
          puid: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_294, default: 1000, description: 'User ID app containers run as (PUID).' })),
          pgid: Type.Optional(Type.Integer({ minimum: 0, maximum: 4_294_967_294, default: 1000, description: 'Group ID app containers run as (PGID).' })),
        },
        { default: {}, description: 'Defaults shared by app containers.' },
      ),
    ),
    security: Type.Optional(
      strict(
        {
          networkPolicies: Type.Optional({
            ...StringEnum(
              ['enforce', 'audit', 'off'],
              'enforce: Cilium drops every flow the components do not declare; audit: the policies are rendered and Cilium only logs what they would drop (policy audit mode); off: no policies, for debugging only.',
            ),
            default: 'enforce',
          }),
        },
        { default: {}, description: 'In-cluster security layers derived from the component declarations.' },
      ),
    ),
    components: Type.Optional(
      Type.Record(Type.String({ pattern: DNS_LABEL }), ComponentSettings, {
        default: {},
        additionalProperties: false,
        description: 'Per-component settings keyed by component name.',
      }),
    ),
    apps: Type.Optional(
      Type.Record(Type.String({ pattern: DNS_LABEL }), AppSettings, {
        default: {},
        additionalProperties: false,
        description: 'Per-app settings keyed by app name.',
      }),
    ),
  },
  {
    title: 'homelab.yaml',
    description: 'Single source of truth of a homelab: network, nodes, storage, domains and the components deployed on it.',
  },
);

/** homelab.yaml as written by the user (defaults not yet applied). */
export type HomelabConfigInput = Static<typeof HomelabConfigSchema>;
export type NodeConfig = Static<typeof NodeSettings>;
export type AppConfig = Static<typeof AppSettings>;
export type ComponentConfig = Static<typeof ComponentSettings>;
export type IpRangeConfig = { start: string; end: string };

/** The JSON Schema document written to homelab.schema.json (plain JSON, TypeBox symbols dropped). */
export function configJsonSchema(): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...HomelabConfigSchema }));
}

export type { TSchema };

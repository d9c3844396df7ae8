/**
 * Tailscale operator (chart tailscale-operator): private access to the cluster over the tailnet.
 * The operator authenticates with an OAuth client from a Secret by reference, tags itself and its
 * proxies from the settings, and runs a Connector that routes the home subnet into the tailnet.
 * The tailnet policy the tags need is rendered as TAILNET-POLICY.md for the user to apply.
 */
import { GENERATOR, componentPaths, merge, mergeAll, type Component, type ComponentModule, type GeneratedFile, type Patch, type SecretDeclaration, generatedMarkdownHeader } from '@homelab/core';
import { contains, parseCidr, parseIpv4, type ResolvedConfig, type ResolvedNode } from '@homelab/config';
import { Connector } from './connector.js';
import { tailnetObjects } from './tailnet.js';
import { OPERATOR_OAUTH_SECRET, TAILSCALE_DEFAULTS, type ResolvedTailscaleSettings, type TailscaleSettings } from './defaults.js';
import { TAILSCALE_OPERATOR_CHART } from './versions.js';

/** The component's name: its ArgoCD Application and its key under `components:` in homelab.yaml. */
export const COMPONENT_NAME = 'tailscale';
const GROUP = 'core';
const SOURCE = '@homelab/tailscale';

/** Where homelab.yaml keeps the settings (once wired); error messages name these paths. */
const CONFIG_PATH = 'tailscale';

const TAG = /^tag:[a-zA-Z][a-zA-Z0-9-]*$/;
/** A tailnet device name, as the Connector CRD's `hostname` pattern has it. */
const DEVICE_NAME = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;

/**
 * The Connector is applied by the same Application as the chart that installs its CRD: one wave
 * after the chart's resources, and without a dry run that would fail while the CRD is unknown.
 */
const AFTER_CRDS = {
  'argocd.argoproj.io/sync-wave': '1',
  'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
};

/** The Helm values this package sets (checked against the chart's values.yaml in tests). */
export type TailscaleValues = {
  operatorConfig: { hostname: string; defaultTags: string[] };
  /** The chart takes proxy tags as one comma-separated string. */
  proxyConfig: { defaultTags: string };
  ingressClass: { name: string; enabled: true };
  /** The Secret the operator reads its OAuth client from, named explicitly (the chart's default name). */
  oauthSecretVolume: { secret: { secretName: string } };
};

/** The raw objects, keyed by the name callers patch or drop them by. */
export type TailscaleObjects = { subnetRouter?: Connector };

/** The policy fragment the tailnet needs for the operator's tags and routes. */
export interface TailnetPolicySnippet {
  tagOwners: Record<string, string[]>;
  autoApprovers?: { routes: Record<string, string[]> };
}

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${COMPONENT_NAME}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

function checkTags(tags: readonly string[], path: string, example: string): void {
  if (tags.length === 0) fail('needs at least one tag', path, '', `Use a tag such as '${example}'.`);
  tags.forEach((tag, index) => {
    if (!TAG.test(tag)) fail('is not a tailnet tag', `${path}[${index}]`, tag, `Use 'tag:<name>', a letter first, such as '${example}'.`);
  });
}

function checkDeviceName(name: string, path: string): void {
  if (!DEVICE_NAME.test(name)) {
    fail('is not a tailnet device name', path, name, 'Use 2-63 lowercase letters, digits and dashes, starting and ending with a letter or digit.');
  }
}

/** Rejects settings the tailnet or the cluster would only reject later. */
export function checkSettings(settings: ResolvedTailscaleSettings): void {
  checkDeviceName(settings.hostname, `${CONFIG_PATH}.hostname`);
  checkTags(settings.tags, `${CONFIG_PATH}.tags`, TAILSCALE_DEFAULTS.tags[0]!);
  checkTags(settings.proxyTags, `${CONFIG_PATH}.proxyTags`, TAILSCALE_DEFAULTS.proxyTags[0]!);
  if (settings.subnetRouter.enabled) {
    checkDeviceName(settings.subnetRouter.hostname, `${CONFIG_PATH}.subnetRouter.hostname`);
    if (settings.subnetRouter.routes.length === 0) {
      fail('advertises no route', `${CONFIG_PATH}.subnetRouter.routes`, '', 'Leave routes unset to advertise network.subnet, or disable the subnet router.');
    }
  }
}

/**
 * `overrides` merged onto `TAILSCALE_DEFAULTS`, then the derived defaults filled in from the
 * config: device names from `cluster.name`, the advertised route from `network.subnet`.
 */
export function tailscaleSettings(config: ResolvedConfig, overrides?: Patch<TailscaleSettings>): ResolvedTailscaleSettings {
  // homelab.yaml's tailscale section overrides the package defaults; code overrides come last.
  const fromConfig: Patch<TailscaleSettings> = config.tailscale
    ? { hostname: config.tailscale.hostname, tags: config.tailscale.tags, proxyTags: config.tailscale.proxyTags }
    : {};
  const merged = mergeAll<TailscaleSettings>(TAILSCALE_DEFAULTS, fromConfig, overrides);
  const settings: ResolvedTailscaleSettings = {
    ...merged,
    hostname: merged.hostname ?? `${config.cluster.name}-operator`,
    subnetRouter: {
      ...merged.subnetRouter,
      hostname: merged.subnetRouter.hostname ?? `${config.cluster.name}-subnet-router`,
      routes: merged.subnetRouter.routes ?? [config.network.subnet],
    },
  };
  checkSettings(settings);
  return settings;
}

/**
 * Chart values: the operator's device name and tags, the proxies' tags, the IngressClass, and the
 * pre-created OAuth Secret (client_id, client_secret) named explicitly, so the declaration and the
 * mount share one name.
 */
export function tailscaleValues(settings: ResolvedTailscaleSettings): TailscaleValues {
  return {
    operatorConfig: { hostname: settings.hostname, defaultTags: [...settings.tags] },
    proxyConfig: { defaultTags: settings.proxyTags.join(',') },
    ingressClass: { name: settings.ingressClassName, enabled: true },
    oauthSecretVolume: { secret: { secretName: OPERATOR_OAUTH_SECRET.name } },
  };
}

/** The subnet router Connector (none when disabled), tagged like every other proxy. */
export function tailscaleObjects(settings: ResolvedTailscaleSettings): TailscaleObjects {
  if (!settings.subnetRouter.enabled) return {};
  return {
    subnetRouter: new Connector({
      metadata: { name: settings.subnetRouter.name, annotations: { ...AFTER_CRDS } },
      spec: {
        hostname: settings.subnetRouter.hostname,
        tags: [...settings.proxyTags],
        subnetRouter: { advertiseRoutes: [...settings.subnetRouter.routes] },
      },
    }),
  };
}

/** The Secret the operator authenticates with. */
export function oauthSecret(settings: ResolvedTailscaleSettings): SecretDeclaration {
  return {
    name: OPERATOR_OAUTH_SECRET.name,
    namespace: settings.namespace,
    keys: [...OPERATOR_OAUTH_SECRET.keys],
    description: 'OAuth client of the Tailscale operator, external. The chart mounts this Secret by this name.',
    values: Object.fromEntries(
      OPERATOR_OAUTH_SECRET.keys.map((key) => [
        key,
        {
          id: `${settings.namespace}/oauth-${key.replace(/_/g, '-')}`,
          description:
            `The ${key.replace('_', ' ')} of the Tailscale operator's OAuth client (admin console → Settings → OAuth clients):`
            + ` scopes Devices Core, Auth Keys and Services (write), tag ${settings.tags.join(', ')}.`,
        },
      ]),
    ),
  };
}

/** `tagOwners`: only admins may apply the operator's tags; the operator owns the proxies' tags. */
function tagOwners(settings: Pick<TailscaleSettings, 'tags' | 'proxyTags'>): Record<string, string[]> {
  const owners: Record<string, string[]> = {};
  for (const tag of settings.tags) owners[tag] = [];
  for (const tag of settings.proxyTags) if (!(tag in owners)) owners[tag] = [...settings.tags];
  return owners;
}

/**
 * The tailnet policy snippet the user merges into the policy file, as JSON:
 * `{ "tagOwners": { "tag:k8s-operator": [], "tag:k8s": ["tag:k8s-operator"] } }` with the defaults.
 */
export function tagOwnersSnippet(settings: Pick<TailscaleSettings, 'tags' | 'proxyTags'> = TAILSCALE_DEFAULTS): string {
  return JSON.stringify({ tagOwners: tagOwners(settings) } satisfies TailnetPolicySnippet, null, 2);
}

/** The whole policy fragment: tag owners and, with a subnet router, auto-approval of its routes. */
export function tailnetPolicy(settings: ResolvedTailscaleSettings): TailnetPolicySnippet {
  const policy: TailnetPolicySnippet = { tagOwners: tagOwners(settings) };
  if (settings.subnetRouter.enabled) {
    policy.autoApprovers = { routes: Object.fromEntries(settings.subnetRouter.routes.map((route) => [route, [...settings.proxyTags]])) };
  }
  return policy;
}

/** TAILNET-POLICY.md: what to paste into the tailnet policy, and the OAuth client to create. */
export function tailnetPolicyFile(settings: ResolvedTailscaleSettings): GeneratedFile {
  const path = componentPaths({ group: GROUP, name: COMPONENT_NAME }).values.replace(/values\.yaml$/, 'TAILNET-POLICY.md');
  const list = (tags: readonly string[]) => tags.map((tag) => `\`${tag}\``).join(', ');
  const router = settings.subnetRouter;
  const lines = [
    generatedMarkdownHeader(SOURCE).trimEnd(),
    '',
    '# Tailnet policy for the Tailscale operator',
    '',
    `The operator joins the tailnet as \`${settings.hostname}\` tagged ${list(settings.tags)}, and tags every proxy it`,
    `creates (tailnet Ingresses${router.enabled ? `, the subnet router \`${router.hostname}\`` : ''}) with ${list(settings.proxyTags)}.`,
    'Tailscale accepts these tags only once the tailnet policy names their owners.',
    '',
    '1. Merge this into the tailnet policy file (admin console → Access controls):',
    '',
    '```json',
    JSON.stringify(tailnetPolicy(settings), null, 2),
    '```',
    '',
    ...(router.enabled
      ? [
          `   \`autoApprovers\` approves the subnet router's route${router.routes.length > 1 ? 's' : ''} (${router.routes.join(', ')}); without it, approve`,
          `   ${router.routes.length > 1 ? 'them' : 'it'} on the \`${router.hostname}\` machine page (Edit route settings).`,
          '',
        ]
      : []),
    `2. Create an OAuth client (admin console → Settings → OAuth clients, called Trust credentials in newer consoles) with the scopes Devices Core, Auth Keys and Services (write) and the tag${settings.tags.length > 1 ? 's' : ''} ${list(settings.tags)}.`,
    `   Store its ID and secret as keys \`${OPERATOR_OAUTH_SECRET.keys[0]}\` and \`${OPERATOR_OAUTH_SECRET.keys[1]}\` of Secret \`${OPERATOR_OAUTH_SECRET.name}\` in namespace \`${settings.namespace}\` (\`homelab secrets\`).`,
    '',
    '3. For tailnet Ingresses, enable MagicDNS and HTTPS certificates (admin console → DNS): each one is served as',
    `   \`https://<name>.<tailnet>.ts.net\`.`,
    '',
  ];
  return { path, source: SOURCE, content: lines.join('\n') };
}

/** The Tailscale operator component, with `overrides` merged onto the defaults (merge() semantics). */
/** Whether some advertised route contains a node's address (nodes have IPv4 addresses: an IPv6 route holds none). */
export function routesReachNodes(routes: readonly string[], nodes: readonly Pick<ResolvedNode, 'ip'>[]): boolean {
  return routes.some((route) => {
    const range = parseCidr(route);
    return range !== undefined && nodes.some((node) => contains(range, parseIpv4(node.ip)));
  });
}

export function tailscale(config: ResolvedConfig, overrides?: Patch<TailscaleSettings>): Component {
  const settings = tailscaleSettings(config, overrides);
  return {
    name: COMPONENT_NAME,
    group: GROUP,
    namespace: settings.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: 'Tailscale operator: tailnet Ingresses and a subnet router into the home network',
    chart: { ...TAILSCALE_OPERATOR_CHART },
    values: tailscaleValues(settings),
    // The proxies the operator starts in this namespace (Ingress proxies, the subnet router) run a
    // privileged init container that enables IP forwarding.
    podSecurity: 'privileged',
    // Every pod of the namespace: the operator and the proxies it starts (they carry no release
    // label). They reach the tailnet (internet), keep their state in Secrets (API), carry tailnet
    // hosts to their Services and, as subnet router, the home network into the cluster.
    // A route containing a node address (talosctl over the tailnet) needs the node entities too.
    network: {
      pods: {},
      proxies: ['tailnet'],
      lanRouter: settings.subnetRouter.enabled,
      nodes: settings.subnetRouter.enabled && routesReachNodes(settings.subnetRouter.routes, config.nodes),
      internetEgress: true,
      kubeApi: { client: true },
    },
    // The chart's CRDs (installCRDs), RBAC and IngressClass; the Connector is an object.
    clusterResources: ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'IngressClass'],
    objects: tailscaleObjects(settings),
    secrets: [oauthSecret(settings)],
    files: [tailnetPolicyFile(settings)],
  };
}

/** Registers the operator under `components.tailscale`. */
export const tailscaleModule: ComponentModule<ResolvedConfig> = {
  name: COMPONENT_NAME,
  kind: 'component',
  // Deployed when homelab.yaml has a tailscale section: its tags must be owned in the tailnet policy first.
  build: (config) => (config.tailscale ? tailscale(config) : []),
  // Tailnet exposures become Ingresses of the operator (when it is deployed).
  derivations: [{ stage: 'objects', derive: (components, config) => (components.some((component) => component.name === COMPONENT_NAME) ? tailnetObjects(components, config) : {}) }],
};

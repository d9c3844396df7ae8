/**
 * Every flow the homelab allows, derived from what components declare (`network`) and expose
 * (`exposes`). Pure data: the policies (policies.ts) are rendered from it, and so are the tests'
 * expectations about who may talk to whom.
 */
import { podSelector, type Component, type LabelSelector, type PortDeclaration, type SsoMode } from '@homelab/core';

/** Cilium entities the derived flows use. */
export type FlowEntity = 'world' | 'ingress' | 'kube-apiserver' | 'cluster' | 'host' | 'remote-node';

/** The pods of a component (or, with `role`, the part of them that has one). */
export interface PodsPeer {
  kind: 'pods';
  component: string;
  namespace: string;
  selector: LabelSelector;
  /** 'metrics-scraper': only the component's `network.metricsScraper` pods. */
  role?: 'metrics-scraper';
}

/** One end of a flow: a component's pods, a Cilium entity, or the cluster DNS. */
export type Peer = PodsPeer | { kind: 'entity'; entity: FlowEntity } | { kind: 'dns' };

/** A connection `from` may open to `to` (replies are always allowed). */
export interface Flow {
  from: Peer;
  to: Peer;
  /** Destination ports; every port when absent. */
  ports?: PortDeclaration[];
  /** The declaration the flow comes from, for reviews and error messages. */
  reason: string;
}

const entity = (name: FlowEntity): Peer => ({ kind: 'entity', entity: name });
const DNS: Peer = { kind: 'dns' };

/** A stable key for a peer (for de-duplication and lookups). */
export function peerKey(peer: Peer): string {
  switch (peer.kind) {
    case 'pods':
      return `pods:${peer.namespace}/${peer.component}${peer.role ? `#${peer.role}` : ''}`;
    case 'entity':
      return `entity:${peer.entity}`;
    case 'dns':
      return 'dns';
  }
}

function portsKey(ports: readonly PortDeclaration[] | undefined): string {
  return ports ? ports.map((port) => `${port.port}/${port.protocol ?? 'TCP'}`).join(',') : '*';
}

/** The components that run pods, with their selector. */
function podsOf(components: readonly Component[]): Map<string, PodsPeer> {
  const pods = new Map<string, PodsPeer>();
  for (const component of components) {
    const selector = podSelector(component);
    if (selector) pods.set(component.name, { kind: 'pods', component: component.name, namespace: component.namespace, selector });
  }
  return pods;
}

/** Components with at least one exposure that `match` accepts. */
function exposing(components: readonly Component[], match: (exposure: NonNullable<Component['exposes']>[number]) => boolean): Component[] {
  return components.filter((component) => (component.exposes ?? []).some(match));
}

/**
 * Every allowed flow, in component order, without duplicates:
 * - within a component (its pods talk to each other), and to the cluster DNS from every pod;
 * - `connectsTo` and `connectsToSso` (to deployed components that run pods);
 * - from the gateway (entity `ingress`) to components with an internal exposure; from the
 *   `proxies` of an access path (cloudflared, Tailscale) to components exposed that way;
 * - to the gateway from components with an `sso: 'oidc'` exposure (they call the identity
 *   provider's host, which the gateway serves);
 * - `internetEgress` (entity `world`), `nodes` (entities `host`, `remote-node`), `kubeApi.client` / `kubeApi.webhook` (entity `kube-apiserver`);
 * - `lanPorts` from `world` and from `lanRouter` components, which may also reach `world` and the gateway;
 * - from a `metricsScraper` to every component (on its `metricsPorts`) and to the whole cluster.
 */
export function networkFlows(components: readonly Component[]): Flow[] {
  const pods = podsOf(components);
  const flows = new Map<string, Flow>();
  const add = (from: Peer, to: Peer, reason: string, ports?: PortDeclaration[]) => {
    const key = `${peerKey(from)}>${peerKey(to)}@${portsKey(ports)}`;
    if (!flows.has(key)) flows.set(key, { from, to, ...(ports ? { ports: ports.map((port) => ({ ...port })) } : {}), reason });
  };
  // Each list once, not once per component that needs it: a large homelab has thousands of those.
  const proxying = (access: 'public' | 'tailnet') => components.filter((component) => component.network?.proxies?.includes(access));
  const proxiesOf = { public: proxying('public'), tailnet: proxying('tailnet') };
  const ssoTargets = new Map<SsoMode, Component[]>();
  const exposingSso = (mode: SsoMode) => {
    let targets = ssoTargets.get(mode);
    if (!targets) ssoTargets.set(mode, (targets = exposing(components, (exposure) => exposure.sso === mode)));
    return targets;
  };
  const lanRouters = components.filter((component) => component.network?.lanRouter);

  for (const component of components) {
    const self = pods.get(component.name);
    if (!self) continue;
    const network = component.network ?? {};
    const name = component.name;
    add(self, self, `${name}: its own pods`);
    add(self, DNS, `${name}: every pod resolves names`);
    if (network.internetEgress) add(self, entity('world'), `${name}.network.internetEgress`);
    if (network.nodes) {
      add(self, entity('host'), `${name}.network.nodes: the node it runs on`);
      add(self, entity('remote-node'), `${name}.network.nodes: the other nodes`);
    }
    if (network.kubeApi?.client) add(self, entity('kube-apiserver'), `${name}.network.kubeApi.client`);
    if (network.kubeApi?.webhook) add(entity('kube-apiserver'), self, `${name}.network.kubeApi.webhook`);
    for (const target of network.connectsTo ?? []) {
      const to = pods.get(target);
      if (to && target !== name) add(self, to, `${name}.network.connectsTo: ${target}`);
    }
    for (const mode of network.connectsToSso ?? []) {
      for (const target of exposingSso(mode)) {
        const to = pods.get(target.name);
        if (to && target.name !== name) add(self, to, `${name}.network.connectsToSso: ${target.name} (sso '${mode}')`);
      }
    }
    const exposures = component.exposes ?? [];
    if (exposures.some((exposure) => exposure.access === 'internal')) add(entity('ingress'), self, `${name}: internal exposure, routed by the gateway`);
    for (const access of ['public', 'tailnet'] as const) {
      if (!exposures.some((exposure) => exposure.access === access)) continue;
      for (const proxy of proxiesOf[access]) {
        const from = pods.get(proxy.name);
        if (from && proxy.name !== name) add(from, self, `${name}: ${access} exposure, carried by ${proxy.name}`);
      }
    }
    if (exposures.some((exposure) => exposure.sso === 'oidc')) add(self, entity('ingress'), `${name}: OIDC client, calls the identity provider through the gateway`);
    const lanPorts = network.lanPorts ?? [];
    if (lanPorts.length > 0) {
      add(entity('world'), self, `${name}.network.lanPorts`, lanPorts);
      for (const router of lanRouters) {
        const from = pods.get(router.name);
        if (from && router.name !== name) add(from, self, `${name}.network.lanPorts, routed by ${router.name}`, lanPorts);
      }
    }
    if (network.lanRouter) {
      add(self, entity('world'), `${name}.network.lanRouter`);
      add(self, entity('ingress'), `${name}.network.lanRouter: LAN clients reach the gateway`);
    }
  }

  // The scraper last, so every other flow of a pair reads first in reviews.
  for (const component of components) {
    const scraperSelector = component.network?.metricsScraper;
    if (!scraperSelector || !pods.has(component.name)) continue;
    const scraper: PodsPeer = { kind: 'pods', component: component.name, namespace: component.namespace, selector: scraperSelector, role: 'metrics-scraper' };
    add(scraper, entity('cluster'), `${component.name}.network.metricsScraper: scrapes nodes, the API server and every pod`);
    for (const target of components) {
      const to = pods.get(target.name);
      if (!to || target.name === component.name) continue;
      const ports = target.network?.metricsPorts;
      if (ports && ports.length === 0) continue;
      add(scraper, to, `${component.name}.network.metricsScraper: ${target.name}'s metrics`, ports?.map((port) => ({ port })));
    }
  }
  return [...flows.values()];
}

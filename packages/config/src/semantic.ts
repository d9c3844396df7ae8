/**
 * Checks no JSON Schema can express: the IP plan, uniqueness, references between settings.
 * Runs on shape-valid input with schema defaults applied; reports every problem it finds.
 */
import { joinPath, type ConfigProblem } from './errors.js';
import type { HomelabConfigInput, IpRangeConfig } from './schema.js';
import {
  contains,
  containsRange,
  formatIpv4,
  formatRange,
  hasHostBits,
  isIpv4,
  overlaps,
  parseCidr,
  parseIpv4,
  type Ipv4Range,
} from './ip.js';

const RANGE_NAMES = ['infrastructure', 'nodes', 'loadBalancer', 'dhcp'] as const;
type RangeName = (typeof RANGE_NAMES)[number];

interface Context {
  config: HomelabConfigInput;
  problems: ConfigProblem[];
  subnet: (Ipv4Range & { prefix: number }) | undefined;
  ranges: Partial<Record<RangeName, Ipv4Range>>;
}

const rangePath = (name: RangeName) => `network.ranges.${name}`;

function toRange(range: IpRangeConfig): Ipv4Range {
  return { start: parseIpv4(range.start), end: parseIpv4(range.end) };
}

function checkSubnet(ctx: Context): void {
  const { subnet } = ctx.config.network;
  ctx.subnet = parseCidr(subnet);
  if (!ctx.subnet) {
    ctx.problems.push({ path: 'network.subnet', problem: 'is not a valid CIDR block', got: subnet, fix: 'Use CIDR notation such as 192.0.2.0/24.' });
  } else if (hasHostBits(subnet)) {
    const network = `${formatIpv4(ctx.subnet.start)}/${ctx.subnet.prefix}`;
    ctx.problems.push({ path: 'network.subnet', problem: 'has host bits set', got: subnet, fix: `Use the network address: ${network}.` });
  }
}

/** False (and a problem) when the address lies outside the subnet. */
function checkInSubnet(ctx: Context, path: string, address: string): boolean {
  if (ctx.subnet && !contains(ctx.subnet, parseIpv4(address))) {
    ctx.problems.push({ path, problem: 'is outside the subnet', got: address, fix: `Use an address inside network.subnet (${ctx.config.network.subnet}).` });
    return false;
  }
  return true;
}

function checkRanges(ctx: Context): void {
  for (const name of RANGE_NAMES) {
    const config = ctx.config.network.ranges[name];
    if (!config) continue;
    const range = toRange(config);
    const path = rangePath(name);
    if (range.start > range.end) {
      ctx.problems.push({ path, problem: 'starts after it ends', got: `${config.start}-${config.end}`, fix: `Swap start and end.` });
      continue;
    }
    if (ctx.subnet && !containsRange(ctx.subnet, range)) {
      ctx.problems.push({ path, problem: 'is not inside the subnet', got: `${config.start}-${config.end}`, fix: `Keep the whole range inside network.subnet (${ctx.config.network.subnet}).` });
      continue;
    }
    ctx.ranges[name] = range;
  }
  for (let i = 0; i < RANGE_NAMES.length; i++) {
    for (let j = i + 1; j < RANGE_NAMES.length; j++) {
      const [a, b] = [RANGE_NAMES[i]!, RANGE_NAMES[j]!];
      const [ra, rb] = [ctx.ranges[a], ctx.ranges[b]];
      if (ra && rb && overlaps(ra, rb)) {
        const later = b === 'loadBalancer' ? b : a === 'loadBalancer' ? a : b;
        const other = later === a ? b : a;
        ctx.problems.push({
          path: rangePath(later),
          problem: `overlaps ${rangePath(other)} (${formatRange(later === a ? rb : ra)})`,
          got: formatRange(later === a ? ra : rb),
          fix: `Make the ranges disjoint: shrink or move one of them.`,
        });
      }
    }
  }
}

function checkInRange(ctx: Context, path: string, address: string, name: RangeName, what: string): void {
  const range = ctx.ranges[name];
  if (range && !contains(range, parseIpv4(address))) {
    ctx.problems.push({ path, problem: `is outside ${rangePath(name)} (${formatRange(range)})`, got: address, fix: `Use ${what} inside that range, or widen the range.` });
  }
}

/** Every statically assigned address, so duplicates are reported once with both places. */
function checkUniqueAddresses(ctx: Context, assigned: [path: string, address: string][]): void {
  const first = new Map<string, string>();
  for (const [path, address] of assigned) {
    const earlier = first.get(address);
    if (earlier) {
      ctx.problems.push({ path, problem: `uses the same address as ${earlier}`, got: address, fix: 'Give every host, node and LoadBalancer its own address.' });
    } else {
      first.set(address, path);
    }
  }
}

function resolveHostRef(ctx: Context, path: string, ref: string): string | undefined {
  if (isIpv4(ref)) return ref;
  // Host names are DNS labels (no dots), so a dotted reference was meant as an address.
  if (ref.includes('.')) {
    ctx.problems.push({ path, problem: 'is not a valid IPv4 address', got: ref, fix: 'Use a dotted IPv4 address such as 10.0.0.10 (each part 0-255), or the name of an entry under hosts.' });
    return undefined;
  }
  // Own keys only: 'constructor' is a valid host name but also inherited by every object.
  const host = Object.hasOwn(ctx.config.hosts, ref) ? ctx.config.hosts[ref] : undefined;
  if (!host) {
    const names = Object.keys(ctx.config.hosts);
    ctx.problems.push({
      path,
      problem: 'names no entry in hosts',
      got: ref,
      fix: names.length ? `Use an IPv4 address or one of: ${names.join(', ')}.` : `Declare it under hosts (hosts.${ref}.ip) or use an IPv4 address.`,
    });
    return undefined;
  }
  return host.ip;
}

function checkNodes(ctx: Context): void {
  const nodes = Object.entries(ctx.config.nodes);
  const controlPlanes = nodes.filter(([, node]) => node.role === 'controlplane');
  if (controlPlanes.length === 0) {
    ctx.problems.push({ path: 'nodes', problem: 'has no control plane', got: nodes.map(([name]) => name).join(', '), fix: "Set role: controlplane on at least one node." });
  }
  for (const [name, node] of nodes) {
    const path = joinPath('nodes', name, 'ip');
    if (checkInSubnet(ctx, path, node.ip)) checkInRange(ctx, path, node.ip, 'nodes', 'an address');
  }
  const vip = ctx.config.cluster.controlPlaneVIP;
  if (controlPlanes.length > 1 && !vip) {
    ctx.problems.push({
      path: 'cluster.controlPlaneVIP',
      problem: `is required with ${controlPlanes.length} control planes`,
      fix: 'Add cluster.controlPlaneVIP: a free address in network.ranges.nodes that the control planes share.',
    });
  }
  if (vip) checkInRange(ctx, 'cluster.controlPlaneVIP', vip, 'nodes', 'an address');
}

function checkHosts(ctx: Context): void {
  for (const name of Object.keys(ctx.config.hosts)) {
    if (Object.hasOwn(ctx.config.nodes, name)) {
      ctx.problems.push({ path: joinPath('hosts', name), problem: 'has the same name as a node', got: name, fix: 'Host names must be unique across hosts and nodes: rename one.' });
    }
  }
  for (const [name, host] of Object.entries(ctx.config.hosts)) {
    const path = joinPath('hosts', name, 'ip');
    if (checkInSubnet(ctx, path, host.ip)) checkInRange(ctx, path, host.ip, 'infrastructure', 'an address');
  }
  ctx.config.network.nameservers.forEach((ref, index) => resolveHostRef(ctx, joinPath('network', 'nameservers', index), ref));
  resolveHostRef(ctx, 'nfs.server', ctx.config.nfs.server);
  if (ctx.config.proxmox) resolveHostRef(ctx, 'proxmox.host', ctx.config.proxmox.host);
}

function checkLoadBalancers(ctx: Context): void {
  const { internalGatewayIP } = ctx.config.network;
  checkInRange(ctx, 'network.internalGatewayIP', internalGatewayIP, 'loadBalancer', 'an address');
  for (const [name, app] of Object.entries(ctx.config.apps ?? {})) {
    if (app.loadBalancerIP) checkInRange(ctx, joinPath('apps', name, 'loadBalancerIP'), app.loadBalancerIP, 'loadBalancer', 'an address');
  }
}

function checkAppHosts(ctx: Context): void {
  const seen = new Map<string, string>();
  for (const [name, app] of Object.entries(ctx.config.apps ?? {})) {
    for (const access of ['internal', 'public', 'tailnet'] as const) {
      const host = app.expose?.[access];
      if (!host) continue;
      const fqdn = qualifyHost(host, access, ctx.config);
      const path = joinPath('apps', name, 'expose', access);
      const earlier = seen.get(fqdn);
      if (earlier) {
        ctx.problems.push({ path, problem: `resolves to ${fqdn}, already used by ${earlier}`, got: host, fix: 'Give each exposure its own host name.' });
      } else {
        seen.set(fqdn, path);
      }
    }
  }
}

/**
 * The two domains must differ: an app reached both ways would then have one name for two routes —
 * the LAN DNS answers it with the internal gateway (shadowing the tunnel's CNAME for LAN clients)
 * while the tunnel serves it publicly, and the internal wildcard certificate would cover public
 * hosts too. A subdomain of the public domain (int.example.com) is the usual choice.
 */
function checkDomains(ctx: Context): void {
  const { public: publicDomain, internal } = ctx.config.domains;
  if (internal.toLowerCase() !== publicDomain.toLowerCase()) return;
  ctx.problems.push({
    path: 'domains.internal',
    problem: 'is the same as domains.public: an app exposed both ways would get one host name for the LAN gateway and the tunnel',
    got: internal,
    fix: `Use a subdomain of the public domain, such as int.${publicDomain}.`,
  });
}

function checkTimezone(ctx: Context): void {
  const timezone = ctx.config.workloads?.timezone;
  // The canonical zone list costs 1 ms; a DateTimeFormat (needed for aliases and case) costs 10.
  if (timezone === undefined || Intl.supportedValuesOf('timeZone').includes(timezone)) return;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    ctx.problems.push({ path: 'workloads.timezone', problem: 'is not a known IANA time zone', got: timezone, fix: 'Use a zone such as Europe/Brussels or UTC.' });
    return;
  }
  // Intl ignores case, but TZ in a container names a file under /usr/share/zoneinfo: case matters.
  if (resolved !== timezone && resolved.toLowerCase() === timezone.toLowerCase()) {
    ctx.problems.push({ path: 'workloads.timezone', problem: 'has the wrong letter case', got: timezone, fix: `Use ${resolved}.` });
  }
}

/**
 * A host name as written (label or FQDN) made fully qualified. Labels take the internal domain
 * for internal exposure, the public domain for public, and stay bare for the tailnet (MagicDNS).
 */
export function qualifyHost(host: string, access: 'internal' | 'public' | 'tailnet', config: Pick<HomelabConfigInput, 'domains'>): string {
  if (host.includes('.') || access === 'tailnet') return host;
  return `${host}.${access === 'public' ? config.domains.public : config.domains.internal}`;
}

/** All semantic problems of a shape-valid config. */
export function checkSemantics(config: HomelabConfigInput): ConfigProblem[] {
  const ctx: Context = { config, problems: [], subnet: undefined, ranges: {} };
  checkSubnet(ctx);
  checkInSubnet(ctx, 'network.gateway', config.network.gateway);
  checkRanges(ctx);
  for (const name of ['nodes', 'loadBalancer'] as const) {
    const range = ctx.ranges[name];
    if (range && contains(range, parseIpv4(config.network.gateway))) {
      ctx.problems.push({
        path: 'network.gateway',
        problem: `lies inside ${rangePath(name)} (${formatRange(range)})`,
        got: config.network.gateway,
        fix: 'Move the range so it does not include the router.',
      });
    }
  }
  checkHosts(ctx);
  checkNodes(ctx);
  checkLoadBalancers(ctx);
  checkUniqueAddresses(ctx, [
    ['network.gateway', config.network.gateway],
    ...Object.entries(config.hosts).map(([name, host]): [string, string] => [joinPath('hosts', name, 'ip'), host.ip]),
    ...Object.entries(config.nodes).map(([name, node]): [string, string] => [joinPath('nodes', name, 'ip'), node.ip]),
    ...(config.cluster.controlPlaneVIP ? [['cluster.controlPlaneVIP', config.cluster.controlPlaneVIP] as [string, string]] : []),
    ['network.internalGatewayIP', config.network.internalGatewayIP],
    ...Object.entries(config.apps ?? {}).flatMap(([name, app]): [string, string][] =>
      app.loadBalancerIP ? [[joinPath('apps', name, 'loadBalancerIP'), app.loadBalancerIP]] : [],
    ),
  ]);
  checkDomains(ctx);
  checkAppHosts(ctx);
  checkTimezone(ctx);
  return ctx.problems;
}

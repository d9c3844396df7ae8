/**
 * What the tunnel derives from the components: one ingress rule and one DNS record per public
 * exposure. Pure functions of the composed components and the config; they never modify either.
 */
import { ConfigMistake, type Component, type Exposure } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { CLOUDFLARED_DEFAULTS, type CloudflaredSettings } from './defaults.js';

/** The component's name: its ArgoCD Application and its key under `components:` in homelab.yaml. */
export const COMPONENT_NAME = 'cloudflared';

/** Where homelab.yaml keeps the tunnel ID; error messages name it. */
export const TUNNEL_ID_PATH = 'cloudflare.tunnelId';

/**
 * The last rule of every tunnel: cloudflared requires a rule without hostname at the end and
 * answers requests for hosts no rule names with a 404 instead of reaching any service.
 * @see https://developers.cloudflare.com/cloudflare-one/connections/connect-networks/configure-tunnels/local-management/configuration-file/#how-traffic-is-matched
 */
export const CATCH_ALL_RULE = { service: 'http_status:404' } as const;

/** A tunnel's DNS target is `<tunnel-id>.cfargotunnel.com`. */
export const TUNNEL_DNS_SUFFIX = 'cfargotunnel.com';

/** One rule of cloudflared's `ingress:` list (the fields this package writes). */
export interface TunnelIngressRule {
  /** Absent only on the final catch-all rule. */
  hostname?: string;
  /** Origin URL, or `http_status:<code>` for the catch-all. */
  service: string;
}

/** A DNS record the user creates in the Cloudflare zone, shaped like Cloudflare's API and Terraform record. */
export interface TunnelDnsRecord {
  name: string;
  type: 'CNAME';
  /** `<tunnel-id>.cfargotunnel.com`. */
  content: string;
  /** Tunnel hostnames only work proxied (orange cloud): the CNAME target is not publicly routable. */
  proxied: true;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${COMPONENT_NAME}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/**
 * Throws a ConfigMistake (a homelab.yaml problem, at cloudflare.tunnelId) unless `tunnelId` is a
 * tunnel UUID, or empty while no host is public.
 */
export function checkTunnelId(tunnelId: string, publicHosts: readonly string[]): void {
  if (tunnelId === '') {
    if (publicHosts.length === 0) return;
    throw new ConfigMistake([
      {
        path: TUNNEL_ID_PATH,
        problem: `is required: ${publicHosts.join(', ')} ${publicHosts.length === 1 ? 'is' : 'are'} public, served through a Cloudflare Tunnel`,
        fix: 'Create a tunnel (cloudflared tunnel create <name>) and put its UUID under cloudflare.tunnelId in homelab.yaml, or stop exposing those apps publicly (apps.<name>.expose.public: false).',
      },
    ]);
  }
  if (!UUID.test(tunnelId)) {
    throw new ConfigMistake([
      {
        path: TUNNEL_ID_PATH,
        problem: 'is not a tunnel UUID',
        got: tunnelId,
        fix: 'Use the lowercase UUID printed by cloudflared tunnel create <name> (cloudflared tunnel list shows it again).',
      },
    ]);
  }
}

/** A public exposure with the path of its declaration (for error messages). */
interface PublicExposure {
  path: string;
  exposure: Exposure;
}

/**
 * Every `access: 'public'` exposure of `components`, sorted by host. Throws when a host lies outside
 * the Cloudflare zone (`domains.public`: no CNAME can be created for it there) or is exposed twice
 * (cloudflared would silently send it to the first service only).
 */
export function publicExposures(components: readonly Component[], config: ResolvedConfig): PublicExposure[] {
  const zone = config.domains.public;
  const seen = new Map<string, string>();
  const found: PublicExposure[] = [];
  for (const component of components) {
    (component.exposes ?? []).forEach((exposure, index) => {
      if (exposure.access !== 'public') return;
      const path = `${component.name}.exposes[${index}].host`;
      const { host } = exposure;
      if (host !== zone && !host.endsWith(`.${zone}`)) {
        fail(`public host is outside the Cloudflare zone '${zone}'`, path, host, `Use a host under domains.public, such as 'app.${zone}'.`);
      }
      const other = seen.get(host);
      if (other) fail(`public host is exposed twice, also by ${other}`, path, host, 'Expose each public host once: the tunnel sends a host to one service.');
      seen.set(host, path);
      found.push({ path, exposure });
    });
  }
  return found.sort((a, b) => (a.exposure.host < b.exposure.host ? -1 : a.exposure.host > b.exposure.host ? 1 : 0));
}

/** In-cluster origin URL of an exposure's service. */
export function originUrl(service: Exposure['service'], clusterDomain: string = CLOUDFLARED_DEFAULTS.clusterDomain): string {
  return `http://${service.name}.${service.namespace}.svc.${clusterDomain}:${service.port}`;
}

/**
 * The tunnel's ingress rules: one per public exposure (`hostname` → the service's in-cluster
 * URL), sorted by hostname, then the catch-all. Derivation-shaped: `(components, config)`.
 * It does not act on `exposure.sso` (see the README).
 */
export function tunnelIngress(
  components: readonly Component[],
  config: ResolvedConfig,
  settings: Pick<CloudflaredSettings, 'clusterDomain'> = CLOUDFLARED_DEFAULTS,
): TunnelIngressRule[] {
  const rules = publicExposures(components, config).map(({ exposure }) => ({ hostname: exposure.host, service: originUrl(exposure.service, settings.clusterDomain) }));
  return [...rules, { ...CATCH_ALL_RULE }];
}

/**
 * The DNS records that send each public host to the tunnel: `<host> CNAME <tunnelId>.cfargotunnel.com`,
 * proxied, sorted by host. Throws a ConfigMistake when public exposures exist but the tunnel ID is not configured.
 */
export function tunnelDnsRecords(components: readonly Component[], config: ResolvedConfig, tunnelId: string): TunnelDnsRecord[] {
  const exposures = publicExposures(components, config);
  checkTunnelId(tunnelId, exposures.map(({ exposure }) => exposure.host));
  return exposures.map(({ exposure }) => ({ name: exposure.host, type: 'CNAME', content: `${tunnelId}.${TUNNEL_DNS_SUFFIX}`, proxied: true }));
}

/**
 * How an app is reached, from its package defaults and the user's `apps.<name>` settings in
 * homelab.yaml: every app package calls this instead of reading the config itself, so host
 * naming, SSO and LoadBalancer IPs behave the same in every app.
 */
import { qualifyHost, type ResolvedConfig } from '@homelab/config';
import type { Access, SsoMode } from '@homelab/core';
import { APP_TEMPLATE_DEFAULTS } from './defaults.js';
import type { AppDescription, AppExposure, AppService } from './description.js';

/** An app package's default reachability. Host labels are prefixed to the matching domain. */
export interface ReachDefaults {
  /** Name of the `ports` entry the exposures serve. */
  port: string;
  /** Host label or FQDN per access path; false or absent: not reached that way. */
  internal?: string | false;
  public?: string | false;
  tailnet?: string | false;
  /** SSO of the internal route. @default 'proxy' (behind Authentik) */
  sso?: SsoMode;
}

export interface AppReach {
  /** Exposures keyed by access path, ready for `AppDescription.exposes`. */
  exposes: Record<string, AppExposure>;
  /** `apps.<name>.loadBalancerIP` when the user fixed one. */
  loadBalancerIP?: string;
}

const ACCESS: Access[] = ['internal', 'public', 'tailnet'];

/**
 * Merges `apps.<name>.expose`, `.sso` and `.loadBalancerIP` onto the package defaults. SSO applies
 * to the internal route; public apps are reached through the Cloudflare tunnel and tailnet apps
 * through Tailscale, both of which authenticate on their own side, so they get `sso: 'none'`.
 */
export function appReach(config: ResolvedConfig, name: string, defaults: ReachDefaults): AppReach {
  const settings = config.apps[name] ?? {};
  const exposes: Record<string, AppExposure> = {};
  for (const access of ACCESS) {
    const host = settings.expose?.[access] ?? defaults[access];
    if (!host) continue;
    exposes[access] = {
      access,
      host: qualifyHost(host, access, config),
      port: defaults.port,
      sso: access === 'internal' ? (settings.sso ?? defaults.sso ?? 'proxy') : 'none',
    };
  }
  return { exposes, ...(settings.loadBalancerIP ? { loadBalancerIP: settings.loadBalancerIP } : {}) };
}

/**
 * A LoadBalancer Service for `ports`, at `apps.<name>.loadBalancerIP` when the user fixed one (else
 * Cilium LB-IPAM picks an address from the pool). For a Service that is always on the LAN.
 */
export function loadBalancerService(reach: Pick<AppReach, 'loadBalancerIP'>, ports: string[]): AppService {
  return { type: 'LoadBalancer', ports: [...ports], ...(reach.loadBalancerIP !== undefined ? { loadBalancerIP: reach.loadBalancerIP } : {}) };
}

/**
 * The `services` of an app that is on the LAN only when the user asks for it: with
 * `apps.<name>.loadBalancerIP` set, the main Service is a LoadBalancer for `ports` at that address;
 * without, `{}` (the default ClusterIP Service). Spread it into the description.
 */
export function lanServiceWhenAddressed(reach: Pick<AppReach, 'loadBalancerIP'>, ports: string[]): Pick<AppDescription, 'services'> {
  return reach.loadBalancerIP !== undefined ? { services: { [APP_TEMPLATE_DEFAULTS.mainService]: loadBalancerService(reach, ports) } } : {};
}

/**
 * Which module serves each kind of exposure, and which one signs users in, as plain data (module
 * and package names, no import): a composition without them needs no component package installed
 * to be told which one to add. The CLI's tests hold these facts against the modules themselves.
 */
import { ConfigMistake, type Access, type Component, type ConfigMistakeProblem } from '@homelab/core';

/**
 * A component other components rely on: the module that builds it, the package export a library
 * user adds to the module list, and the homelab.yaml setting that deploys it.
 */
export interface Provider {
  component: string;
  module: { name: string; export: string; package: string };
  path: string;
  enable: string;
}

/** The component that serves each kind of exposure: without it, such an exposure would dangle. */
export const EXPOSURE_PROVIDERS: Record<Access, Provider> = {
  internal: {
    component: 'internal-gateway',
    module: { name: 'gateway-api', export: 'gatewayApiModule', package: '@homelab/gateway-api' },
    path: 'components.gateway-api.enabled',
    enable: 'components.gateway-api.enabled: true',
  },
  public: {
    component: 'cloudflared',
    module: { name: 'cloudflared', export: 'cloudflaredModule', package: '@homelab/cloudflared' },
    path: 'components.cloudflared.enabled',
    enable: 'cloudflare.tunnelId and components.cloudflared.enabled: true',
  },
  tailnet: {
    component: 'tailscale',
    module: { name: 'tailscale', export: 'tailscaleModule', package: '@homelab/tailscale' },
    path: 'components.tailscale.enabled',
    enable: 'a tailscale section and components.tailscale.enabled: true',
  },
};

/** The identity provider every `sso: proxy | oidc` exposure needs. */
export const SSO_PROVIDER_MODULE: Provider = {
  component: 'authentik',
  module: { name: 'authentik', export: 'authentikModule', package: '@homelab/authentik' },
  path: 'components.authentik.enabled',
  enable: 'components.authentik.enabled: true',
};

const addModule = (provider: Provider): string => `Add ${provider.module.export} (from ${provider.module.package}) to the module list`;

/**
 * Every exposure whose provider (or SSO) is not deployed, as problems whose fix follows how the
 * homelab is composed: a provider module that is in the list but disabled is enabled in
 * homelab.yaml; one the module list lacks is added to it (a library composition). Reported at the
 * app's own setting when an app asks for it, else at the setting that deploys the provider (or at
 * the asking component, when there is no such setting).
 */
export function checkExposureProviders(components: readonly Component[], moduleNames: ReadonlySet<string>): void {
  const deployed = new Set(components.map((component) => component.name));
  const problems: ConfigMistakeProblem[] = [];
  for (const component of components) {
    const app = component.group === 'apps';
    const own = app ? `apps.${component.name}` : `components.${component.name}`;
    for (const exposure of component.exposes ?? []) {
      if (exposure.sso !== 'none' && !deployed.has(SSO_PROVIDER_MODULE.component)) {
        const composed = moduleNames.has(SSO_PROVIDER_MODULE.module.name);
        const ssoOff = app ? `set apps.${component.name}.sso: none` : `turn SSO off for ${component.name} (sso: 'none' on its exposure of ${exposure.host})`;
        problems.push({
          path: app ? `${own}.sso` : composed ? SSO_PROVIDER_MODULE.path : own,
          problem: `${component.name} asks for SSO on ${exposure.host}, but authentik is not ${composed ? 'deployed' : 'in the module list'}, so it would be served unprotected`,
          got: app ? exposure.sso : composed ? false : exposure.sso,
          fix: composed
            ? `Enable authentik (${SSO_PROVIDER_MODULE.enable})${app ? ` or ${ssoOff}` : ''}.`
            : `${addModule(SSO_PROVIDER_MODULE)}, or ${ssoOff}.`,
        });
      }
      const provider = EXPOSURE_PROVIDERS[exposure.access];
      if (!deployed.has(provider.component)) {
        const composed = moduleNames.has(provider.module.name);
        const stop = `stop exposing ${component.name} that way${app ? ` (apps.${component.name}.expose.${exposure.access}: false)` : ''}`;
        problems.push({
          path: app ? `${own}.expose.${exposure.access}` : composed ? provider.path : own,
          problem: `${component.name} exposes ${exposure.host} (${exposure.access}), but ${provider.component} is not ${composed ? 'deployed' : `in the module list (${provider.module.name} builds it)`}`,
          got: app || !composed ? exposure.host : false,
          fix: composed ? `Set ${provider.enable} in homelab.yaml, or ${stop}.` : `${addModule(provider)}, or ${stop}.`,
        });
      }
    }
  }
  if (problems.length > 0) throw new ConfigMistake(problems);
}

/**
 * Test fixtures: fake components with SSO declarations, and the real Argo CD and monitoring
 * components (their OIDC exposures and client secrets). A *.test.ts file so the dependency rules
 * treat it as test code and the build leaves it out; it holds one sanity test.
 */
import { expect, it } from 'vitest';
import type { ResolvedConfig } from '@homelab/config';
import type { Access, Component, Exposure, SsoMode } from '@homelab/core';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { argocdModule } from '@homelab/argocd';
import { kubePrometheusStackModule } from '@homelab/kube-prometheus-stack';
import { plexModule } from '@homelab/plex';
import { sonarrModule } from '@homelab/sonarr';
import { configVariant, seedConfig } from '@homelab/testing';

export const config = seedConfig();
export { configVariant };

export const exposure = (cfg: Pick<ResolvedConfig, 'domains'>, label: string, namespace: string, port: number, sso: SsoMode, access: Access = 'internal'): Exposure => ({
  host: `${label}.${access === 'public' ? cfg.domains.public : cfg.domains.internal}`,
  access,
  service: { name: label, namespace, port },
  sso,
});

export const app = (name: string, namespace: string, exposes: Exposure[]): Component => ({ name, group: 'apps', namespace, source: 'test', exposes });

/** Sonarr and Radarr (media) and Homepage (tools) behind the outpost; Plex without SSO, also public. */
export function fakeApps(cfg: Pick<ResolvedConfig, 'domains'> = config, sso: Partial<Record<string, SsoMode>> = {}): Component[] {
  return [
    app('sonarr', 'media', [exposure(cfg, 'sonarr', 'media', 8989, sso['sonarr'] ?? 'proxy')]),
    app('radarr', 'media', [exposure(cfg, 'radarr', 'media', 7878, sso['radarr'] ?? 'proxy')]),
    app('homepage', 'tools', [exposure(cfg, 'homepage', 'tools', 3000, sso['homepage'] ?? 'proxy')]),
    app('plex', 'media', [exposure(cfg, 'plex', 'media', 32400, sso['plex'] ?? 'none'), exposure(cfg, 'plex', 'media', 32400, 'none', 'public')]),
  ];
}

/** The blueprint ConfigMap of an Authentik component (throws when it is not a ConfigMap). */
export function blueprintMap(component: Component): ConfigMap {
  const map = component.objects?.['blueprints'];
  if (!(map instanceof ConfigMap)) throw new Error('the blueprints object is not a ConfigMap');
  return map;
}

/** The real Argo CD and monitoring components, as the aggregator builds them. */
export function platform(cfg: ResolvedConfig = config): Component[] {
  return [argocdModule.build(cfg), kubePrometheusStackModule.build(cfg)].flat();
}

/** Two real media apps of the seed: Sonarr (behind the outpost by default) and Plex (no SSO). */
export function media(cfg: ResolvedConfig = config): Component[] {
  return [sonarrModule.build(cfg), plexModule.build(cfg)].flat();
}

/** The fake apps and the real platform: what the aggregator hands the Authentik module. */
export const everything = (cfg: ResolvedConfig = config, sso: Partial<Record<string, SsoMode>> = {}) => [...platform(cfg), ...fakeApps(cfg, sso)];

it('fixtures: the platform declares the OIDC exposures the blueprint is tested against', () => {
  const oidc = platform().flatMap((component) => (component.exposes ?? []).filter((entry) => entry.sso === 'oidc').map(() => component.name));
  expect(oidc.sort()).toEqual(['argocd', 'kube-prometheus-stack']);
});

/**
 * Names the chart and Authentik derive from the release, in one place: the server Service the
 * exposure names, the outpost the protected routes reach, the blueprint ConfigMap.
 */
import type { Exposure } from '@homelab/core';
import { AUTHENTIK_DEFAULTS, type AuthentikSettings } from './defaults.js';
import { AUTHENTIK_CHART } from './versions.js';

/** The component's name: its ArgoCD Application, Helm release and key under `components:`. */
export const COMPONENT_NAME = 'authentik';

/** npm package named in every generated file's header. */
export const SOURCE = '@homelab/authentik';

/** The chart's default `server.name`; the server Deployment and Service are `<fullname>-server`. */
const SERVER_NAME = 'server';

/**
 * The Service Authentik's Kubernetes integration creates for the embedded outpost (named after the
 * outpost, "authentik Embedded Outpost"), selecting the server pods, HTTP on 9000.
 */
export const EMBEDDED_OUTPOST_SERVICE = { name: 'ak-outpost-authentik-embedded-outpost', port: 9000 } as const;

/** Helm's usual fullname: the release name when it already contains the chart name. */
export function fullname(release: string = COMPONENT_NAME): string {
  return release.includes(AUTHENTIK_CHART.name) ? release : `${release}-${AUTHENTIK_CHART.name}`;
}

/** The server Service: UI, API, flows, and the embedded outpost. */
export function serverService(settings: Pick<AuthentikSettings, 'namespace' | 'serverPort'> = AUTHENTIK_DEFAULTS): Exposure['service'] {
  return { name: `${fullname()}-${SERVER_NAME}`, namespace: settings.namespace, port: settings.serverPort };
}

/** The Service protected routes send their traffic to (see `AuthentikSettings.outpostTarget`). */
export function outpostService(settings: Pick<AuthentikSettings, 'namespace' | 'serverPort' | 'outpostTarget'> = AUTHENTIK_DEFAULTS): Exposure['service'] {
  return settings.outpostTarget === 'server' ? serverService(settings) : { ...EMBEDDED_OUTPOST_SERVICE, namespace: settings.namespace };
}

/** The ConfigMap the chart mounts the generated blueprint from (`blueprints.configMaps`). */
export function blueprintConfigMapName(): string {
  return `${fullname()}-blueprints`;
}

/** Authentik's host, `<hostLabel>.<domains.internal>`. */
export function authentikHost(domains: { internal: string }, settings: Pick<AuthentikSettings, 'hostLabel'> = AUTHENTIK_DEFAULTS): string {
  return `${settings.hostLabel}.${domains.internal}`;
}

/**
 * TLS everywhere, checked on the objects themselves (after the routes are derived): every internal
 * exposure is served only by HTTPS listeners whose certificate covers its host, and nothing but an
 * HTTP→HTTPS redirect attaches to a plain-HTTP listener. A Deriver that adds no object and throws
 * on the first violation, naming the declaration at fault.
 */
import type { Component, KubeObject } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

type Json = Record<string, unknown>;

interface Listener {
  name: string;
  protocol: string;
  hostname?: string;
  tls?: { mode?: string; certificateRefs?: { kind?: string; name: string; namespace?: string }[] };
}
interface ParentRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  sectionName?: string;
}
interface RouteRule {
  backendRefs?: unknown[];
  filters?: { type: string; requestRedirect?: { scheme?: string } }[];
}
interface Located<T> {
  owner: string;
  name: string;
  namespace: string;
  spec: T;
}

function data(object: KubeObject): Json {
  return JSON.parse(JSON.stringify(object.toJSON())) as Json;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

/** True when `pattern` (an exact name or a one-label `*.` wildcard, as X.509 and Gateway API read it) covers `host`. */
export function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const suffix = pattern.slice(1);
  return host.endsWith(suffix) && host.length > suffix.length && !host.slice(0, -suffix.length).includes('.');
}

/** A route rule that only redirects to HTTPS: a RequestRedirect with scheme https, no backend. */
function redirectsToHttps(rule: RouteRule): boolean {
  return (rule.backendRefs ?? []).length === 0 && (rule.filters ?? []).some((filter) => filter.type === 'RequestRedirect' && filter.requestRedirect?.scheme === 'https');
}

function collect(components: readonly Component[]) {
  const gateways: Located<{ listeners?: Listener[] }>[] = [];
  const routes: Located<{ parentRefs?: ParentRef[]; hostnames?: string[]; rules?: RouteRule[] }>[] = [];
  const certificates: Located<{ secretName?: string; dnsNames?: string[] }>[] = [];
  for (const component of components) {
    for (const object of Object.values(component.objects ?? {})) {
      const group = groupOf(object.apiVersion);
      const located = <T>(): Located<T> => {
        const json = data(object);
        return { owner: component.name, name: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? component.namespace, spec: (json['spec'] ?? {}) as T };
      };
      if (group === GATEWAY_GROUP && object.kind === 'Gateway') gateways.push(located());
      if (group === GATEWAY_GROUP && object.kind === 'HTTPRoute') routes.push(located());
      if (group === 'cert-manager.io' && object.kind === 'Certificate') certificates.push(located());
    }
  }
  return { gateways, routes, certificates };
}

/**
 * Checks TLS everywhere (see the module comment); Deriver-shaped, adds no object. Throws:
 * - `<owner>: HTTPRoute <ns>/<name> attaches to plain-HTTP listener …` for anything but a redirect there;
 * - `<component>: internal host is not covered by a certificate of the listener serving it …`;
 * - `<component>: internal host is not routed by any Gateway …` when Gateways exist but none serves it;
 * - `<owner>: HTTPS listener … serves Secret … that no Certificate writes`.
 *
 * @param _config unused today; there for the Deriver shape `(components, config)`.
 */
export function tlsEverywhere(components: readonly Component[], _config?: ResolvedConfig): Record<string, KubeObject[]> {
  const { gateways, routes, certificates } = collect(components);
  const gatewayOf = (ref: ParentRef, routeNamespace: string) =>
    (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? 'Gateway') === 'Gateway'
      ? gateways.find((gateway) => gateway.name === ref.name && gateway.namespace === (ref.namespace ?? routeNamespace))
      : undefined;
  const attached = (route: (typeof routes)[number]) =>
    (route.spec.parentRefs ?? []).flatMap((ref) => {
      const gateway = gatewayOf(ref, route.namespace);
      if (!gateway) return [];
      const listeners = (gateway.spec.listeners ?? []).filter((listener) => ref.sectionName === undefined || listener.name === ref.sectionName);
      return listeners.map((listener) => ({ gateway, listener }));
    });
  const certificateNames = (gateway: (typeof gateways)[number], listener: Listener): string[] | undefined => {
    const refs = listener.tls?.certificateRefs ?? [];
    if (listener.tls?.mode === 'Passthrough' || refs.length === 0) return undefined;
    return refs.flatMap((ref) => {
      const namespace = ref.namespace ?? gateway.namespace;
      const certificate = certificates.find((candidate) => candidate.namespace === namespace && candidate.spec.secretName === ref.name);
      if (!certificate) {
        throw new Error(
          `${gateway.owner}: HTTPS listener '${listener.name}' of Gateway ${gateway.namespace}/${gateway.name} serves Secret ${namespace}/${ref.name}, which no Certificate writes ` +
            `(listeners.${listener.name}.tls.certificateRefs: '${ref.name}'). Add a cert-manager Certificate with that secretName, so the key pair is issued and renewed.`,
        );
      }
      return certificate.spec.dnsNames ?? [];
    });
  };

  for (const route of routes) {
    for (const { gateway, listener } of attached(route)) {
      if (listener.protocol !== 'HTTP') continue;
      if ((route.spec.rules ?? []).every(redirectsToHttps) && (route.spec.rules ?? []).length > 0) continue;
      throw new Error(
        `${route.owner}: HTTPRoute ${route.namespace}/${route.name} attaches to plain-HTTP listener '${listener.name}' of Gateway ${gateway.namespace}/${gateway.name} ` +
          `(parentRefs.sectionName: '${listener.name}'). Attach it to the HTTPS listener: on plain HTTP only the redirect to HTTPS is served.`,
      );
    }
  }

  if (gateways.length === 0) return {};
  const routesByHost = new Map<string, (typeof routes)[number][]>();
  for (const route of routes) {
    for (const host of new Set(route.spec.hostnames ?? [])) {
      const serving = routesByHost.get(host);
      if (serving) serving.push(route);
      else routesByHost.set(host, [route]);
    }
  }
  for (const component of components) {
    (component.exposes ?? []).forEach((exposure, index) => {
      if (exposure.access !== 'internal') return;
      const path = `${component.name}.exposes[${index}].host`;
      const serving = (routesByHost.get(exposure.host) ?? []).flatMap(attached);
      if (serving.length === 0) {
        throw new Error(`${component.name}: internal host is not routed by any Gateway (${path}: '${exposure.host}'). Deploy the internal gateway, or stop exposing ${component.name} internally.`);
      }
      for (const { gateway, listener } of serving) {
        const names = listener.protocol === 'HTTPS' ? certificateNames(gateway, listener) : undefined;
        const covered = names !== undefined && names.some((name) => hostMatches(name, exposure.host)) && (listener.hostname === undefined || hostMatches(listener.hostname, exposure.host));
        if (!covered) {
          throw new Error(
            `${component.name}: internal host is not covered by a certificate of listener '${listener.name}' of Gateway ${gateway.namespace}/${gateway.name}` +
              `${names ? ` (DNS names: ${names.join(', ')})` : ' (no TLS certificate)'} (${path}: '${exposure.host}'). ` +
              `Use a host under the gateway's wildcard, or add the host to its Certificate's dnsNames.`,
          );
        }
      }
    });
  }
  return {};
}

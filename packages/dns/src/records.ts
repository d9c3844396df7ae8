/**
 * The LAN's local DNS records, derived from the composed components: every internal host resolves
 * to the internal gateway, every LoadBalancer Service with a fixed address to that address.
 * Pure functions of the components and the config.
 */
import { isIP } from 'node:net';
import type { Component } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { APP_TEMPLATE_CHART } from '@homelab/app-template';
import { LB_IPS_ANNOTATION } from './defaults.js';

/** One `<ip> <hostname>` record and the declaration it comes from (for error messages). */
export interface DnsRecord {
  host: string;
  ip: string;
  /** Where it comes from, e.g. `sonarr.exposes[0]` or `plex: Service media/plex`. */
  source: string;
}

/** A LoadBalancer Service with fixed addresses (Cilium LB-IPAM annotation). */
export interface FixedLoadBalancer {
  component: string;
  name: string;
  namespace: string;
  ips: string[];
}

const PREFIX = 'dns';

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${PREFIX}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

const isMap = (value: unknown): value is Record<string, any> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The addresses of an `lbipam.cilium.io/ips` value (comma-separated), each checked. */
function annotationIps(value: unknown, path: string): string[] {
  const ips = String(value)
    .split(',')
    .map((ip) => ip.trim())
    .filter((ip) => ip !== '');
  for (const ip of ips) if (isIP(ip) === 0) fail('not an IP address in the LoadBalancer annotation', path, ip, 'Use addresses of network.ranges.loadBalancer, separated by commas.');
  return ips;
}

/** Service name bjw-s app-template gives `service.<key>`: forceRename, else `<fullname>-<suffix|key>`, or the fullname when it is the only Service. */
function appTemplateServiceName(component: Component, key: string, service: Record<string, any>, count: number): string {
  if (typeof service['forceRename'] === 'string' && service['forceRename'] !== '') return service['forceRename'];
  const values = component.values as Record<string, any>;
  const fullname: string = values['global']?.['fullnameOverride'] ?? component.chart?.releaseName ?? component.name;
  if (typeof service['suffix'] === 'string' && service['suffix'] !== '') return `${fullname}-${service['suffix']}`;
  return count === 1 ? fullname : `${fullname}-${key}`;
}

/**
 * Every LoadBalancer Service with fixed addresses among `components`: raw Service objects carrying
 * the `lbipam.cilium.io/ips` annotation, and app-template values `service.<key>` of type
 * LoadBalancer carrying it. Services without the annotation get an address only at runtime and
 * are left out.
 */
export function fixedLoadBalancers(components: readonly Component[]): FixedLoadBalancer[] {
  const found: FixedLoadBalancer[] = [];
  for (const component of components) {
    for (const [key, object] of Object.entries(component.objects ?? {})) {
      if (object.kind !== 'Service' || object.apiVersion !== 'v1') continue;
      const data = object.toJSON() as { spec?: { type?: string }; metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> } };
      const annotation = data.metadata?.annotations?.[LB_IPS_ANNOTATION];
      if (data.spec?.type !== 'LoadBalancer' || annotation === undefined) continue;
      found.push({
        component: component.name,
        name: data.metadata?.name ?? key,
        namespace: data.metadata?.namespace ?? component.namespace,
        ips: annotationIps(annotation, `${component.name}.objects.${key}.metadata.annotations['${LB_IPS_ANNOTATION}']`),
      });
    }
    if (component.chart?.name !== APP_TEMPLATE_CHART.name || !isMap(component.values?.['service'])) continue;
    const services = Object.entries(component.values['service'] as Record<string, unknown>).filter(([, service]) => isMap(service) && service['enabled'] !== false);
    for (const [key, service] of services as [string, Record<string, any>][]) {
      const annotation = service['annotations']?.[LB_IPS_ANNOTATION];
      if (service['type'] !== 'LoadBalancer' || annotation === undefined) continue;
      found.push({
        component: component.name,
        name: appTemplateServiceName(component, key, service, services.length),
        namespace: component.namespace,
        ips: annotationIps(annotation, `${component.name}.values.service.${key}.annotations['${LB_IPS_ANNOTATION}']`),
      });
    }
  }
  return found;
}

/**
 * The DNS name of a fixed LoadBalancer Service: `<service>.<namespace>.<domains.internal>`, the
 * Kubernetes service name under the LAN's internal domain. Two labels deep, so it never collides
 * with an exposure host (one label under the domain: those resolve to the gateway) and is unique
 * by construction (Service names are unique per namespace).
 */
export function loadBalancerHost(service: Pick<FixedLoadBalancer, 'name' | 'namespace'>, config: Pick<ResolvedConfig, 'domains'>): string {
  return `${service.name}.${service.namespace}.${config.domains.internal}`;
}

const compare = (a: DnsRecord, b: DnsRecord) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);

/**
 * Every record, sorted by host then address: internal exposure hosts → `network.internalGatewayIP`,
 * fixed LoadBalancer Services → their addresses. The same record declared twice is kept once;
 * a host that would resolve to two different places throws, naming both declarations.
 */
export function dnsRecords(config: Pick<ResolvedConfig, 'domains' | 'network'>, components: readonly Component[]): DnsRecord[] {
  const records: DnsRecord[] = [];
  for (const component of components) {
    (component.exposes ?? []).forEach((exposure, index) => {
      if (exposure.access === 'internal') records.push({ host: exposure.host, ip: config.network.internalGatewayIP, source: `${component.name}.exposes[${index}]` });
    });
  }
  for (const service of fixedLoadBalancers(components)) {
    for (const ip of service.ips) records.push({ host: loadBalancerHost(service, config), ip, source: `${service.component}: Service ${service.namespace}/${service.name}` });
  }
  const byHost = new Map<string, DnsRecord[]>();
  for (const record of records.sort(compare)) byHost.set(record.host, [...(byHost.get(record.host) ?? []), record]);
  const kept: DnsRecord[] = [];
  for (const [host, entries] of byHost) {
    const first = entries[0]!;
    // Several addresses are fine for one Service that asks for several; anything else is a clash.
    const clash = entries.find((entry) => entry.ip !== first.ip && entry.source !== first.source);
    if (clash) fail(`host would resolve to two places, ${first.ip} for ${first.source}`, clash.source, `${host} → ${clash.ip}`, 'Expose the host once, or rename one of them.');
    for (const entry of entries) if (!kept.some((other) => other.host === entry.host && other.ip === entry.ip)) kept.push(entry);
  }
  return kept;
}

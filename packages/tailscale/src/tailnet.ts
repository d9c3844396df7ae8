/**
 * Tailnet exposures become Ingresses of the Tailscale operator's IngressClass: the operator starts
 * one proxy device per Ingress and serves it as `https://<name>.<tailnet>.ts.net`.
 * @see https://tailscale.com/kb/1439/kubernetes-operator-cluster-ingress
 */
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { merge, type Component, type Exposure, type Patch } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { TAILSCALE_DEFAULTS, type TailscaleSettings } from './defaults.js';
import { COMPONENT_NAME } from './tailscale.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${COMPONENT_NAME}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/**
 * The device name of a tailnet exposure: the first label of its host. The rest of a host is
 * ignored: the tailnet's MagicDNS suffix (`<tailnet>.ts.net`) is Tailscale's to choose.
 */
export function tailnetDeviceName(exposure: Pick<Exposure, 'host'>): string {
  return exposure.host.split('.')[0]!;
}

/**
 * The Ingress for one tailnet exposure: named after the Service, in its namespace, of class
 * `ingressClassName`, sending everything to the Service port; `tls.hosts` holds the device name.
 */
export function tailnetIngress(exposure: Exposure, ingressClassName: string = TAILSCALE_DEFAULTS.ingressClassName): Ingress {
  const { service } = exposure;
  return new Ingress({
    metadata: { name: service.name, namespace: service.namespace },
    spec: {
      ingressClassName,
      defaultBackend: { service: { name: service.name, port: { number: service.port } } },
      tls: [{ hosts: [tailnetDeviceName(exposure)] }],
    },
  });
}

/**
 * Ingresses for every `access: 'tailnet'` exposure, grouped by the name of the component that
 * exposes them (components without any are absent), for the aggregator to add to that component's
 * objects. Derivation-shaped: `(components, config)`; `config` is not read today. Pure. Throws when a
 * host does not start with a DNS label, when two exposures would get the same device name
 * (Tailscale would silently rename the second) or would write the same Ingress.
 */
export function tailnetObjects(
  components: readonly Component[],
  _config?: ResolvedConfig,
  overrides?: Patch<Pick<TailscaleSettings, 'ingressClassName'>>,
): Record<string, Ingress[]> {
  const { ingressClassName } = merge<Pick<TailscaleSettings, 'ingressClassName'>>({ ingressClassName: TAILSCALE_DEFAULTS.ingressClassName }, overrides);
  const ingresses: Record<string, Ingress[]> = {};
  const devices = new Map<string, string>();
  const objects = new Map<string, string>();
  for (const component of components) {
    (component.exposes ?? []).forEach((exposure, index) => {
      if (exposure.access !== 'tailnet') return;
      const path = `${component.name}.exposes[${index}]`;
      const device = tailnetDeviceName(exposure);
      if (!DNS_LABEL.test(device)) {
        fail('tailnet host does not start with a DNS label', `${path}.host`, exposure.host, "Use a lowercase name such as 'app': it becomes the device app.<tailnet>.ts.net.");
      }
      const other = devices.get(device);
      if (other) fail(`tailnet device name '${device}' is used twice, also by ${other}`, `${path}.host`, exposure.host, 'Give each tailnet exposure its own first label.');
      devices.set(device, `${path}.host`);
      const key = `${exposure.service.namespace}/${exposure.service.name}`;
      const owner = objects.get(key);
      if (owner) {
        fail(`two tailnet exposures would both write Ingress ${key}, also ${owner}`, `${path}.service.name`, exposure.service.name, 'Expose each Service once on the tailnet: Ingress names follow the Service name.');
      }
      objects.set(key, path);
      (ingresses[component.name] ??= []).push(tailnetIngress(exposure, ingressClassName));
    });
  }
  return ingresses;
}

import { describe, expect, it } from 'vitest';
import { componentPaths, renderComponents, validateObjects, type Component, type Exposure } from '@homelab/core';
import { seedConfig } from '@homelab/testing';
import { TAILSCALE_DEFAULTS } from './defaults.js';
import { tailnetDeviceName, tailnetIngress, tailnetObjects } from './tailnet.js';
import { tailscale, type TailscaleValues } from './tailscale.js';

const config = seedConfig();

const exposure = (label: string, access: Exposure['access'], namespace = 'media', port = 8080): Exposure => ({
  host: access === 'tailnet' ? label : `${label}.${access === 'public' ? config.domains.public : config.domains.internal}`,
  access,
  service: { name: label, namespace, port },
  sso: 'none',
});
const app = (name: string, exposes: Exposure[]): Component => ({ name, group: 'apps', namespace: 'media', source: 'test', exposes });

describe('tailnetObjects', () => {
  it('turns each tailnet exposure, and only those, into a valid Ingress of the operator’s class', () => {
    const objects = tailnetObjects([app('sonarr', [exposure('sonarr', 'tailnet', 'media', 8989), exposure('sonarr', 'internal'), exposure('tv', 'public')])], config);
    expect(Object.keys(objects)).toEqual(['sonarr']);
    const [ingress] = objects['sonarr']!;
    expect(ingress!.toJSON()).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'sonarr', namespace: 'media' },
      spec: {
        ingressClassName: (tailscale(config).values as TailscaleValues).ingressClass.name,
        defaultBackend: { service: { name: 'sonarr', port: { number: 8989 } } },
        tls: [{ hosts: ['sonarr'] }],
      },
    });
    expect(validateObjects(objects['sonarr']!)).toEqual([]);
  });

  it('groups Ingresses by the exposing component and leaves the others out', () => {
    const objects = tailnetObjects([
      app('arr', [exposure('sonarr', 'tailnet'), exposure('radarr', 'tailnet')]),
      app('grafana', [exposure('grafana', 'tailnet', 'observability', 80)]),
      app('internal-only', [exposure('prowlarr', 'internal')]),
      app('none', []),
    ]);
    expect(Object.keys(objects).sort()).toEqual(['arr', 'grafana']);
    expect(objects['arr']!.map((ingress) => ingress.metadata?.name)).toEqual(['sonarr', 'radarr']);
    expect(objects['grafana']![0]!.metadata?.namespace).toBe('observability');
  });

  it('names the device after the first label of the host, whatever follows', () => {
    expect(tailnetDeviceName({ host: 'sonarr' })).toBe('sonarr');
    expect(tailnetDeviceName({ host: 'sonarr.tail1234.ts.net' })).toBe('sonarr');
    expect(tailnetIngress({ ...exposure('sonarr', 'tailnet'), host: 'tv.tail1234.ts.net' }).spec?.tls).toEqual([{ hosts: ['tv'] }]);
  });

  it('uses the IngressClass the chart is told to create', () => {
    const [ingress] = tailnetObjects([app('sonarr', [exposure('sonarr', 'tailnet')])], config, { ingressClassName: 'ts' })['sonarr']!;
    expect(ingress!.spec?.ingressClassName).toBe('ts');
    expect((tailscale(config, { ingressClassName: 'ts' }).values as TailscaleValues).ingressClass.name).toBe('ts');
    expect(TAILSCALE_DEFAULTS.ingressClassName).toBe('tailscale');
  });

  it('rejects a host that does not start with a DNS label', () => {
    expect(() => tailnetObjects([app('sonarr', [exposure('sonarr', 'internal'), { ...exposure('sonarr', 'tailnet'), host: 'Sonarr_TV' }])])).toThrow(
      "tailscale: tailnet host does not start with a DNS label (sonarr.exposes[1].host: 'Sonarr_TV'). Use a lowercase name such as 'app': it becomes the device app.<tailnet>.ts.net.",
    );
  });

  it('rejects two exposures with the same device name', () => {
    const other = { ...exposure('tv', 'tailnet'), host: 'sonarr.tail1234.ts.net' };
    expect(() => tailnetObjects([app('sonarr', [exposure('sonarr', 'tailnet')]), app('tv', [other])])).toThrow(
      "tailscale: tailnet device name 'sonarr' is used twice, also by sonarr.exposes[0].host (tv.exposes[0].host: 'sonarr.tail1234.ts.net'). Give each tailnet exposure its own first label.",
    );
  });

  it('rejects two exposures of one Service (they would write the same Ingress)', () => {
    const again = { ...exposure('sonarr', 'tailnet'), host: 'tv' };
    expect(() => tailnetObjects([app('sonarr', [exposure('sonarr', 'tailnet')]), app('tv', [again])])).toThrow(
      "tailscale: two tailnet exposures would both write Ingress media/sonarr, also sonarr.exposes[0] (tv.exposes[0].service.name: 'sonarr'). Expose each Service once on the tailnet: Ingress names follow the Service name.",
    );
  });

  it('does not modify the components it reads', () => {
    const components = [app('sonarr', [exposure('sonarr', 'tailnet')])];
    const before = structuredClone(components);
    tailnetObjects(components, config);
    expect(components).toEqual(before);
  });

  it('adds to the owner’s manifests once the aggregator merges them in', () => {
    const owner = app('sonarr', [exposure('sonarr', 'tailnet')]);
    const derived = tailnetObjects([owner], config)['sonarr']!;
    const withObjects: Component = { ...owner, chart: { repo: 'https://example.invalid', name: 'x', version: '1.0.0' }, objects: Object.fromEntries(derived.map((o) => [`ingress-${o.metadata?.name}`, o])) };
    const paths = renderComponents([withObjects], { repoURL: config.gitops.repoURL, revision: config.gitops.revision }).map((file) => file.path);
    expect(paths).toContain(`${componentPaths(withObjects).manifests}/Ingress-sonarr.yaml`);
  });
});

import { describe, expect, it } from 'vitest';
import { configVariant, seedConfig } from '@homelab/testing';
import { appComponent } from './app-template.js';
import { appReach, lanServiceWhenAddressed, loadBalancerService } from './reach.js';

const seed = seedConfig();

describe('appReach', () => {
  it('qualifies package default labels with the matching domain', () => {
    const reach = appReach(seed, 'demo', { port: 'http', internal: 'demo', public: 'requests' });
    expect(reach.exposes).toEqual({
      internal: { access: 'internal', host: `demo.${seed.domains.internal}`, port: 'http', sso: 'proxy' },
      public: { access: 'public', host: `requests.${seed.domains.public}`, port: 'http', sso: 'none' },
    });
    expect(reach.loadBalancerIP).toBeUndefined();
  });

  it('lets homelab.yaml rename, add and switch off exposures, change SSO and fix an LB IP', () => {
    const config = configVariant((data) => {
      data.apps = { demo: { expose: { internal: 'dash', public: false, tailnet: 'demo' }, sso: 'none', loadBalancerIP: '192.168.30.70' } };
    });
    const reach = appReach(config, 'demo', { port: 'http', internal: 'demo', public: 'requests' });
    expect(reach.exposes).toEqual({
      internal: { access: 'internal', host: `dash.${config.domains.internal}`, port: 'http', sso: 'none' },
      tailnet: { access: 'tailnet', host: 'demo', port: 'http', sso: 'none' },
    });
    expect(reach.loadBalancerIP).toBe('192.168.30.70');
  });

  it('follows the domain (late binding)', () => {
    const config = configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lab.example.org' };
    });
    expect(appReach(config, 'demo', { port: 'http', internal: 'demo' }).exposes['internal']!.host).toBe('demo.lab.example.org');
  });
});

describe('LoadBalancer Services from apps.<name>.loadBalancerIP', () => {
  const addressed = configVariant((data) => {
    data.apps = { demo: { loadBalancerIP: data.network.ranges.loadBalancer.end } };
  });
  const address = addressed.network.ranges.loadBalancer.end;
  const reachOf = (config = seed) => appReach(config, 'demo', { port: 'http', internal: 'demo' });

  it('loadBalancerService: always a LoadBalancer, at the fixed address when there is one', () => {
    expect(loadBalancerService(reachOf(addressed), ['bt-tcp', 'bt-udp'])).toEqual({ type: 'LoadBalancer', ports: ['bt-tcp', 'bt-udp'], loadBalancerIP: address });
    expect(loadBalancerService(reachOf(), ['http'])).toEqual({ type: 'LoadBalancer', ports: ['http'] });
  });

  it('lanServiceWhenAddressed: the main Service on the LAN only when homelab.yaml fixes an address', () => {
    expect(lanServiceWhenAddressed(reachOf(addressed), ['http'])).toEqual({ services: { main: { type: 'LoadBalancer', ports: ['http'], loadBalancerIP: address } } });
    expect(lanServiceWhenAddressed(reachOf(), ['http'])).toEqual({});
  });

  it('becomes the app-template Service named like the app, with the Cilium address annotation', () => {
    const reach = reachOf(addressed);
    const component = appComponent(
      { name: 'demo', namespace: 'media', image: { repository: 'example/demo', tag: '1.0.0' }, ports: { http: { port: 8080, http: true } }, ...lanServiceWhenAddressed(reach, ['http']), exposes: reach.exposes },
      { source: '@homelab/demo' },
    );
    expect(component.values.service['main']).toMatchObject({ type: 'LoadBalancer', forceRename: 'demo', annotations: { 'lbipam.cilium.io/ips': address } });
    expect(component.exposes.map((exposure) => exposure.service.name)).toEqual(['demo']);
  });
});

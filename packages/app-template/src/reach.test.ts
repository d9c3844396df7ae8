import { describe, expect, it } from 'vitest';
import { configVariant, seedConfig } from '@homelab/testing';
import { appReach } from './reach.js';

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

import { describe, expect, it } from 'vitest';
import { CONNECTOR_RULES, CONNECTOR_SCHEMA, Connector, connectorProblems, isCidr, type ConnectorSpec } from './connector.js';

const valid = (spec: ConnectorSpec = { subnetRouter: { advertiseRoutes: ['192.0.2.0/24'] } }) => new Connector({ metadata: { name: 'router' }, spec });
const problems = (spec: ConnectorSpec) => connectorProblems(valid(spec).toJSON());

describe('Connector', () => {
  it('is a KubeObject of tailscale.com/v1alpha1 whose JSON drops unset fields', () => {
    const connector = valid({ hostname: undefined, subnetRouter: { advertiseRoutes: ['192.0.2.0/24'] } });
    expect(connector.toJSON()).toEqual({ apiVersion: 'tailscale.com/v1alpha1', kind: 'Connector', metadata: { name: 'router' }, spec: { subnetRouter: { advertiseRoutes: ['192.0.2.0/24'] } } });
    expect(() => connector.validate()).not.toThrow();
  });

  it('accepts every field the CRD defines, used together as the rules allow', () => {
    expect(problems({ hostnamePrefix: 'edge', replicas: 2, proxyClass: 'pc', tags: ['tag:k8s', 'tag:Edge-1'], exitNode: true, tailnet: 't', subnetRouter: { advertiseRoutes: ['10.0.0.0/8', 'fd7a:115c:a1e0::/48'] } })).toEqual([]);
    expect(problems({ appConnector: { routes: ['198.51.100.0/24'] } })).toEqual([]);
    expect(problems({ appConnector: {} })).toEqual([]);
  });

  it('checks types, patterns, formats, minimums and required fields', () => {
    expect(problems({ hostname: '-router', subnetRouter: { advertiseRoutes: ['192.0.2.0/24'] } })).toEqual(['data/spec/hostname must match pattern "^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$"']);
    expect(problems({ tags: ['k8s'], exitNode: true })).toEqual(['data/spec/tags/0 must match pattern "^tag:[a-zA-Z][a-zA-Z0-9-]*$"']);
    expect(problems({ replicas: -1, exitNode: true })).toEqual(['data/spec/replicas must be >= 0']);
    expect(problems({ replicas: 1.5, exitNode: true })).toEqual(['data/spec/replicas must be integer']);
    expect(problems({ subnetRouter: { advertiseRoutes: [] } })).toEqual(['data/spec/subnetRouter/advertiseRoutes must NOT have fewer than 1 items']);
    expect(problems({ subnetRouter: {} as { advertiseRoutes: string[] } })).toEqual(["data/spec/subnetRouter must have required property 'advertiseRoutes'"]);
    expect(problems({ subnetRouter: { advertiseRoutes: ['192.0.2.1'] } })).toEqual(['data/spec/subnetRouter/advertiseRoutes/0 must match format "cidr"']);
    expect(problems({ exitNode: 'yes' as unknown as boolean })).toEqual(['data/spec/exitNode must be boolean']);
  });

  it('rejects unknown fields (the API server would drop them silently) and a namespace (it is cluster-scoped)', () => {
    expect(problems({ exitNode: true, advertiseRoutes: ['192.0.2.0/24'] } as ConnectorSpec)).toEqual(["data/spec must NOT have additional property 'advertiseRoutes'"]);
    const namespaced = { ...valid().toJSON(), metadata: { name: 'router', namespace: 'tailscale' } };
    expect(connectorProblems(namespaced)).toEqual(["data/metadata must NOT have additional property 'namespace'"]);
    expect(connectorProblems({ ...valid().toJSON(), apiVersion: 'tailscale.com/v1' })).toEqual(["data/apiVersion must be equal to constant 'tailscale.com/v1alpha1'"]);
  });

  it("enforces the CRD's CEL rules with its messages", () => {
    const [something, exclusive, replicas, prefix] = CONNECTOR_RULES.map((rule) => `data/spec ${rule.message}`);
    expect(problems({})).toEqual([something]);
    expect(problems({ exitNode: false })).toEqual([something]);
    expect(problems({ exitNode: true, appConnector: {} })).toEqual([exclusive]);
    expect(problems({ hostname: 'router', replicas: 2, exitNode: true })).toEqual([replicas]);
    expect(problems({ hostname: 'router', replicas: 1, exitNode: true })).toEqual([]);
    expect(problems({ hostname: 'router', hostnamePrefix: 'router', exitNode: true })).toEqual([prefix]);
  });

  it('throws every problem from validate()', () => {
    expect(() => valid({ tags: ['x'], subnetRouter: { advertiseRoutes: ['nope'] } }).validate()).toThrow(
      'data/spec/tags/0 must match pattern "^tag:[a-zA-Z][a-zA-Z0-9-]*$", data/spec/subnetRouter/advertiseRoutes/0 must match format "cidr"',
    );
  });

  it('has a schema for every spec field and a predicate for every rule', () => {
    expect(Object.keys(CONNECTOR_SCHEMA.properties!['spec']!.properties!).sort()).toEqual(
      ['appConnector', 'exitNode', 'hostname', 'hostnamePrefix', 'proxyClass', 'replicas', 'subnetRouter', 'tags', 'tailnet'],
    );
    expect(CONNECTOR_RULES).toHaveLength(4);
  });
});

describe('isCidr (the cidr format)', () => {
  it.each(['192.168.30.0/24', '10.0.0.0/8', '0.0.0.0/0', '192.168.30.7/32', '::/0', 'fd7a:115c:a1e0::/48', '2001:db8::/128'])('accepts %s', (value) => {
    expect(isCidr(value)).toBe(true);
  });
  it.each(['192.168.30.0', '192.168.30.0/33', '300.1.1.0/24', '192.168.30.0/', '/24', '2001:db8::/129', 'example.com/24', '192.168.30.0/2a'])('rejects %s', (value) => {
    expect(isCidr(value)).toBe(false);
  });
});

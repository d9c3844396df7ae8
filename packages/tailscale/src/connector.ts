/**
 * The Tailscale operator's Connector (tailscale.com/v1alpha1), as a typed object implementing
 * core's KubeObject. No @kubernetes-models package covers tailscale.com, so `validate()` checks a
 * small JSON Schema written by hand from the CRD, plus its CEL rules, with a validator for exactly
 * the keywords that schema uses.
 *
 * Source: tailscale/tailscale, cmd/k8s-operator/deploy/crds/tailscale.com_connectors.yaml (the CRD
 * the tailscale-operator chart installs with `installCRDs: true`), spec.versions[v1alpha1]
 * .schema.openAPIV3Schema. Covered: every `spec` field with its type, pattern, format, minimum and
 * minItems, `subnetRouter.required`, and the four `x-kubernetes-validations` rules of `spec`.
 * Not covered: `status` (the operator writes it) and `tailnet`'s immutability (a transition rule).
 * Stricter than the API server on purpose: unknown fields are rejected (the server would prune
 * them silently), and metadata has no namespace (Connector is cluster-scoped).
 */
import { isIP } from 'node:net';
import type { KubeObject } from '@homelab/core';

export interface ConnectorSpec {
  /** Tailnet device name (replicas ≤ 1). @default '<connector name>-connector' */
  hostname?: string;
  /** Device name prefix, one device per replica; excludes `hostname`. */
  hostnamePrefix?: string;
  /** ProxyClass with settings for the Connector's StatefulSet. */
  proxyClass?: string;
  /** ACL tags of the device; the operator must own them. Immutable once the device exists. @default ['tag:k8s'] */
  tags?: string[];
  /** Routes the device advertises as a subnet router. */
  subnetRouter?: { advertiseRoutes: string[] };
  /** Act as an exit node. @default false */
  exitNode?: boolean;
  /** Act as an app connector (excludes subnetRouter and exitNode). */
  appConnector?: { routes?: string[] };
  /** Devices to run (high availability). @default 1 */
  replicas?: number;
  /** Tailnet resource to join. @default the operator's tailnet */
  tailnet?: string;
}

export interface ConnectorData {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: ConnectorSpec;
}

/** The JSON Schema keywords this module's schema uses, and only those. */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'boolean' | 'integer';
  const?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  /** `false` rejects unknown keys; a schema checks their values. */
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  pattern?: string;
  /** Kubernetes' `cidr` format: an IPv4 or IPv6 network as Go's net.ParseCIDR reads it. */
  format?: 'cidr';
  minimum?: number;
}

const TAG = { type: 'string', pattern: '^tag:[a-zA-Z][a-zA-Z0-9-]*$' } as const satisfies Schema;
const CIDRS = { type: 'array', items: { type: 'string', format: 'cidr' } } as const satisfies Schema;
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const satisfies Schema;

/** The Connector schema (v1alpha1), transcribed from the CRD (see the module comment). */
export const CONNECTOR_SCHEMA: Schema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string', const: 'tailscale.com/v1alpha1' },
    kind: { type: 'string', const: 'Connector' },
    metadata: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        // A DNS subdomain, as for every object name.
        name: { type: 'string', pattern: '^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' },
        labels: STRING_MAP,
        annotations: STRING_MAP,
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        appConnector: { type: 'object', additionalProperties: false, properties: { routes: CIDRS } },
        exitNode: { type: 'boolean' },
        hostname: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$' },
        hostnamePrefix: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,61}$' },
        proxyClass: { type: 'string' },
        replicas: { type: 'integer', minimum: 0 },
        subnetRouter: {
          type: 'object',
          required: ['advertiseRoutes'],
          additionalProperties: false,
          properties: { advertiseRoutes: { ...CIDRS, minItems: 1 } },
        },
        tags: { type: 'array', items: TAG },
        tailnet: { type: 'string' },
      },
    },
  },
};

/** The CRD's `x-kubernetes-validations` on `spec`, the CEL rule as a predicate, with its message. */
export const CONNECTOR_RULES: ReadonlyArray<{ cel: string; holds: (spec: ConnectorSpec) => boolean; message: string }> = [
  {
    cel: 'has(self.subnetRouter) || (has(self.exitNode) && self.exitNode == true) || has(self.appConnector)',
    holds: (spec) => spec.subnetRouter !== undefined || spec.exitNode === true || spec.appConnector !== undefined,
    message: 'A Connector needs to have at least one of exit node, subnet router or app connector configured.',
  },
  {
    cel: '!((has(self.subnetRouter) || (has(self.exitNode)  && self.exitNode == true)) && has(self.appConnector))',
    holds: (spec) => !((spec.subnetRouter !== undefined || spec.exitNode === true) && spec.appConnector !== undefined),
    message: 'The appConnector field is mutually exclusive with exitNode and subnetRouter fields.',
  },
  {
    cel: '!(has(self.hostname) && has(self.replicas) && self.replicas > 1)',
    holds: (spec) => !(spec.hostname !== undefined && spec.replicas !== undefined && spec.replicas > 1),
    message: 'The hostname field cannot be specified when replicas is greater than 1.',
  },
  {
    cel: '!(has(self.hostname) && has(self.hostnamePrefix))',
    holds: (spec) => !(spec.hostname !== undefined && spec.hostnamePrefix !== undefined),
    message: 'The hostname and hostnamePrefix fields are mutually exclusive.',
  },
];

/** Go's net.ParseCIDR: an IP address, '/', a prefix length within the address family's bits. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const family = isIP(value.slice(0, slash));
  const prefix = value.slice(slash + 1);
  if (family === 0 || !/^(0|[1-9]\d{0,2})$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function typeMatches(type: NonNullable<Schema['type']>, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isMap(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
  }
}

/** Problems of `value` against `schema`, as `data<path> <message>` (Ajv's wording). */
export function schemaProblems(schema: Schema, value: unknown, path = ''): string[] {
  const at = `data${path}`;
  if (schema.type && !typeMatches(schema.type, value)) return [`${at} must be ${schema.type}`];
  const problems: string[] = [];
  if (schema.const !== undefined && value !== schema.const) problems.push(`${at} must be equal to constant '${schema.const}'`);
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at} must match pattern "${schema.pattern}"`);
    if (schema.format === 'cidr' && !isCidr(value)) problems.push(`${at} must match format "cidr"`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) problems.push(`${at} must be >= ${schema.minimum}`);
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at} must NOT have fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((item, index) => problems.push(...schemaProblems(schema.items!, item, `${path}/${index}`)));
  }
  if (isMap(value)) {
    for (const key of schema.required ?? []) if (!(key in value) || value[key] === undefined) problems.push(`${at} must have required property '${key}'`);
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      const known = schema.properties?.[key];
      if (known) problems.push(...schemaProblems(known, child, `${path}/${key}`));
      else if (schema.additionalProperties === false) problems.push(`${at} must NOT have additional property '${key}'`);
      else if (isMap(schema.additionalProperties)) problems.push(...schemaProblems(schema.additionalProperties, child, `${path}/${key}`));
    }
  }
  return problems;
}

/** Every way `data` is not a valid Connector: the schema, then (when `spec` is well-formed) the CEL rules. */
export function connectorProblems(data: unknown): string[] {
  const problems = schemaProblems(CONNECTOR_SCHEMA, data);
  if (problems.length > 0 || !isMap(data) || !isMap(data['spec'])) return problems;
  const spec = data['spec'] as ConnectorSpec;
  return CONNECTOR_RULES.filter((rule) => !rule.holds(spec)).map((rule) => `data/spec ${rule.message}`);
}

/** Drops `undefined` so the rendered object has no `null`s. */
function defined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A Connector (cluster-scoped) shaped like a @kubernetes-models class. */
export class Connector implements KubeObject {
  readonly apiVersion = 'tailscale.com/v1alpha1';
  readonly kind = 'Connector';
  metadata: ConnectorData['metadata'];
  spec: ConnectorSpec;

  constructor(data: ConnectorData) {
    this.metadata = data.metadata;
    this.spec = data.spec;
  }

  toJSON(): { apiVersion: string; kind: string } & ConnectorData {
    return defined({ apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata, spec: this.spec });
  }

  /** Throws with every problem (schema and CRD rules), like the @kubernetes-models classes do. */
  validate(): void {
    const problems = connectorProblems(this.toJSON());
    if (problems.length > 0) throw new Error(problems.join(', '));
  }
}

/**
 * Both ends of ArgoCD's sign-in, read from the rendered homelab: ArgoCD's `oidc.config` (its
 * values file) and the OIDC provider Authentik's blueprint registers for it must agree on issuer,
 * client ID, redirect URI, client secret and groups, and ArgoCD's network policy must let it reach
 * the identity provider through the gateway.
 */
import { describe, expect, it } from 'vitest';
import { CORE_SCHEMA, defineScalarTag, defineSequenceTag, load, loadAll } from 'js-yaml';
import type { GeneratedFile, SecretDeclaration } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { configVariant, seedConfig } from '@homelab/testing';
import { composeHomelab, renderHomelab } from '@homelab/generator';
import { defaultArtifacts, defaultModules } from './modules.js';

const seed = seedConfig();

/** Authentik's blueprint tags, read independently of its writer: `{ tag, value }`. */
type Tagged = { tag: string; value: unknown };
const BLUEPRINT_TAGS = [
  ...['!KeyOf', '!Env'].map((tag) => defineScalarTag<Tagged>(tag, { resolve: (source) => ({ tag, value: source }), identify: () => false })),
  defineSequenceTag<unknown[], Tagged>('!Find', { create: () => [], addItem: (items, item) => void items.push(item), finalize: (items) => ({ tag: '!Find', value: items }), identify: () => false }),
];
type Entry = { model: string; id?: string; identifiers: Record<string, any>; attrs?: Record<string, any> };
type OidcConfig = { name: string; issuer: string; clientID: string; clientSecret: string; requestedScopes: string[] };

/** What the rendered tree says about ArgoCD's sign-in, each side read from its own file. */
function signIn(config: ResolvedConfig) {
  const result = renderHomelab(config, defaultModules, { artifacts: defaultArtifacts });
  if (!result.ok) throw new Error(JSON.stringify(result, null, 2));
  const byPath = new Map(result.files.map((file) => [file.path, file]));
  const file = (path: string): GeneratedFile => {
    const found = byPath.get(path);
    expect(found, path).toBeDefined();
    return found!;
  };
  const docs = (path: string) => loadAll(file(path).content) as any[];
  const components = composeHomelab(config, defaultModules);
  if (!components.ok) throw new Error(JSON.stringify(components));

  const argocdValues = load(file('kubernetes/core/argocd/values.yaml').content) as any;
  const authentikValues = load(file('kubernetes/core/authentik/values.yaml').content) as any;
  const blueprintMap = docs('kubernetes/core/authentik/manifests/ConfigMap-authentik-blueprints.yaml')[0];
  const [blueprintKey] = Object.keys(blueprintMap.data);
  const blueprint = load(blueprintMap.data[blueprintKey!], { schema: CORE_SCHEMA.withTags(...BLUEPRINT_TAGS) }) as { entries: Entry[] };
  return {
    oidc: load(argocdValues.configs.cm['oidc.config']) as OidcConfig,
    argocdValues,
    authentikValues,
    entries: blueprint.entries,
    authHost: docs('kubernetes/core/authentik/manifests/HTTPRoute-authentik-server.yaml')[0].spec.hostnames[0] as string,
    argocdPolicy: docs('kubernetes/core/argocd/manifests/CiliumNetworkPolicy-argocd.yaml')[0],
    dnsRecords: file('dns/pihole-custom.list').content,
    secrets: components.components.flatMap((component) => component.secrets ?? []) as SecretDeclaration[],
  };
}

/** Authentik's OAuth2 provider for a client ID, and the application that serves it. */
function providerFor(entries: Entry[], clientId: string) {
  const providers = entries.filter((entry) => entry.model === 'authentik_providers_oauth2.oauth2provider' && entry.attrs?.['client_id'] === clientId);
  expect(providers, `providers with client_id ${clientId}`).toHaveLength(1);
  const provider = providers[0]!;
  const applications = entries.filter((entry) => entry.model === 'authentik_core.application' && entry.attrs?.['provider']?.value === provider.id);
  expect(applications, `applications of ${provider.id}`).toHaveLength(1);
  return { provider, application: applications[0]! };
}

describe("ArgoCD's sign-in agrees with the provider Authentik registers for it (seed)", () => {
  const seen = signIn(seed);
  const { provider, application } = providerFor(seen.entries, seen.oidc.clientID);

  it("issues from Authentik's host at the application's slug", () => {
    // Authentik's per-application issuer: https://<its host>/application/o/<application slug>/.
    expect(seen.oidc.issuer).toBe(`https://${seen.authHost}/application/o/${application.attrs!['slug']}/`);
  });

  it("registers ArgoCD's callback on the URL the chart presets from global.domain", () => {
    // The chart writes argocd-cm url = https://<global.domain> (no explicit url here); ArgoCD's callback is <url>/auth/callback.
    expect(seen.argocdValues.configs.cm.url).toBeUndefined();
    expect(provider.attrs!['redirect_uris']).toEqual([{ matching_mode: 'strict', url: `https://${seen.argocdValues.global.domain}/auth/callback` }]);
  });

  it('reads the client secret on both ends from declared Secrets that point at each other', () => {
    const match = /^\$([^:]+):(.+)$/.exec(seen.oidc.clientSecret);
    expect(match, seen.oidc.clientSecret).not.toBeNull();
    const [, name, key] = match!;
    const argocdSecret = seen.secrets.find((secret) => secret.namespace === 'argocd' && secret.name === name);
    expect(argocdSecret?.keys).toContain(key);

    // Authentik: the blueprint's !Env variable comes from a declared Secret key...
    const env = provider.attrs!['client_secret'] as Tagged;
    expect(env.tag).toBe('!Env');
    const ref = (seen.authentikValues.global.env as any[]).find((entry) => entry.name === env.value)?.valueFrom?.secretKeyRef;
    expect(ref, `env ${String(env.value)}`).toBeDefined();
    const authentikSecret = seen.secrets.find((secret) => secret.name === ref.name && secret.keys.includes(ref.key));
    expect(authentikSecret, `${ref.name}/${ref.key}`).toBeDefined();
    // ...that carries the very value ArgoCD's key carries (one declaration, generated once), which names the client.
    const value = argocdSecret!.values![key!]!;
    expect(authentikSecret!.values![ref.key]).toEqual(value);
    expect(value.generate).toBeDefined();
    expect(value.description).toContain(`client '${seen.oidc.clientID}'`);
    expect(argocdSecret!.labels).toEqual({ 'app.kubernetes.io/part-of': 'argocd' });
  });

  it("authorizes by the groups Authentik creates, read from the claim Authentik's profile scope carries", () => {
    // Authentik grants only the scopes the provider maps; its built-in profile mapping emits the `groups` claim.
    expect(seen.oidc.requestedScopes).toEqual(expect.arrayContaining(['openid', 'profile']));
    const mappings = (provider.attrs!['property_mappings'] as Tagged[]).map((mapping) => (mapping.value as [string, [string, string]])[1][1]);
    expect(mappings).toContain('goauthentik.io/providers/oauth2/scope-profile');
    expect(seen.argocdValues.configs.rbac.scopes).toBe('[groups]');

    const created = new Set(seen.entries.filter((entry) => entry.model === 'authentik_core.group').map((entry) => entry.attrs!['name'] as string));
    const boundIds = new Set(
      seen.entries.filter((entry) => entry.model === 'authentik_policies.policybinding' && entry.identifiers['target']?.value === application.id).map((entry) => entry.identifiers['group'].value as string),
    );
    const bound = new Set(seen.entries.filter((entry) => entry.model === 'authentik_core.group' && boundIds.has(entry.id!)).map((entry) => entry.attrs!['name'] as string));
    const policyGroups = (seen.argocdValues.configs.rbac['policy.csv'] as string).trim().split('\n').map((line) => line.split(', ')[1]!);
    expect(policyGroups.length).toBeGreaterThan(0);
    for (const group of policyGroups) {
      expect(created, `group ${group}`).toContain(group);
      expect(bound, `group ${group} may open ArgoCD's application`).toContain(group);
    }
  });

  it("lets ArgoCD reach Authentik's host: it resolves to the internal gateway and the policy allows egress to the gateway", () => {
    const record = seen.dnsRecords.split('\n').find((line) => line.split(/\s+/)[1] === seen.authHost);
    expect(record?.split(/\s+/)[0]).toBe(seed.network.internalGatewayIP);
    const egress = seen.argocdPolicy.spec.egress as { toEntities?: string[] }[];
    // Cilium's `ingress` entity: the Gateway's Envoy, which serves every internal host.
    expect(egress.some((rule) => rule.toEntities?.includes('ingress'))).toBe(true);
  });
});

describe('a changed internal domain moves both ends together (late binding)', () => {
  const changed = configVariant((data) => {
    data.domains = { ...data.domains, internal: 'lan.example.org' };
  });
  const seen = signIn(changed);
  const { provider, application } = providerFor(seen.entries, seen.oidc.clientID);

  it('issuer and redirect URI follow the new domain and still agree', () => {
    expect(seen.authHost.endsWith('.lan.example.org')).toBe(true);
    expect(seen.oidc.issuer).toBe(`https://${seen.authHost}/application/o/${application.attrs!['slug']}/`);
    expect(provider.attrs!['redirect_uris']).toEqual([{ matching_mode: 'strict', url: `https://${seen.argocdValues.global.domain}/auth/callback` }]);
    expect(seen.argocdValues.global.domain.endsWith('.lan.example.org')).toBe(true);
    expect(JSON.stringify(seen.oidc)).not.toContain(seed.domains.internal);
  });
});

import { describe, expect, it } from 'vitest';
import { CORE_SCHEMA, YAML11_SCHEMA, defineScalarTag, defineSequenceTag, load } from 'js-yaml';
import type { Component, SsoMode } from '@homelab/core';
import { authentik, BLUEPRINT_KEY, type AuthentikValues } from './authentik.js';
import { AUTHENTIK_DEFAULTS } from './defaults.js';
import { app, blueprintMap, config, configVariant, everything, exposure, fakeApps, platform } from './fixtures.test.js';

/**
 * Authentik's blueprint tags, read independently of the package's writer: scalars and sequences
 * become `{ tag, value }`.
 */
type Tagged = { tag: string; value: unknown };
const TAGS = [
  ...['!KeyOf', '!Env'].map((tag) => defineScalarTag<Tagged>(tag, { resolve: (source) => ({ tag, value: source }), identify: () => false })),
  defineSequenceTag<unknown[], Tagged>('!Find', { create: () => [], addItem: (items, item) => void items.push(item), finalize: (items) => ({ tag: '!Find', value: items }), identify: () => false }),
];

type Entry = { model: string; id?: string; state?: string; identifiers: Record<string, any>; attrs?: Record<string, any> };
type Parsed = { version: number; metadata: { name: string }; entries: Entry[] };

const built = (components: readonly Component[] = everything(), cfg = config) => authentik(cfg, components);
const yamlOf = (component: Component) => blueprintMap(component).data![BLUEPRINT_KEY]!;
const parse = (text: string, schema = CORE_SCHEMA) => load(text, { schema: schema.withTags(...TAGS) }) as Parsed;
const blueprintOf = (components: readonly Component[] = everything(), cfg = config) => parse(yamlOf(built(components, cfg)));

const ofModel = (blueprint: Parsed, model: string) => blueprint.entries.filter((entry) => entry.model === model);
const keyOf = (id: string): Tagged => ({ tag: '!KeyOf', value: id });

/** The protected exposures, computed from the components the way the issue states the rule. */
const protectedHosts = (components: readonly Component[]) =>
  components.flatMap((component) => (component.exposes ?? []).filter((entry) => entry.access === 'internal' && entry.sso === 'proxy'));

describe('blueprint', () => {
  const blueprint = blueprintOf();

  it('is a version 1 blueprint whose entries all have a model and identifiers', () => {
    expect(blueprint.version).toBe(1);
    expect(blueprint.metadata.name).toBeTruthy();
    for (const entry of blueprint.entries) {
      expect(entry.model).toMatch(/^authentik_[a-z0-9_]+\.[a-z0-9]+$/);
      expect(Object.keys(entry.identifiers).length).toBeGreaterThan(0);
    }
  });

  it('only refers (!KeyOf) to entries declared above, as Authentik requires', () => {
    const declared = new Set<string>();
    const refs = (node: unknown): string[] => {
      if (Array.isArray(node)) return node.flatMap(refs);
      if (node && typeof node === 'object') {
        const record = node as Record<string, unknown>;
        if (record['tag'] === '!KeyOf') return [record['value'] as string];
        return Object.values(record).flatMap(refs);
      }
      return [];
    };
    for (const entry of blueprint.entries) {
      for (const ref of refs([entry.identifiers, entry.attrs])) expect(declared, `${entry.model} refers to ${ref}`).toContain(ref);
      if (entry.id) declared.add(entry.id);
    }
  });

  it('has exactly one proxy provider per protected internal exposure, in proxy mode', () => {
    const providers = ofModel(blueprint, 'authentik_providers_proxy.proxyprovider');
    const expected = protectedHosts(everything());
    expect(providers).toHaveLength(expected.length);
    expect(providers.map((provider) => provider.attrs!['external_host']).sort()).toEqual(expected.map((entry) => `https://${entry.host}`).sort());
    for (const provider of providers) expect(provider.attrs!['mode']).toBe('proxy');
  });

  it("proxies each provider to its exposure's Service", () => {
    const providers = ofModel(blueprint, 'authentik_providers_proxy.proxyprovider');
    for (const entry of protectedHosts(everything())) {
      const provider = providers.find((candidate) => candidate.attrs!['external_host'] === `https://${entry.host}`)!;
      const { name, namespace, port } = entry.service;
      expect(provider.attrs!['internal_host']).toBe(`http://${name}.${namespace}.svc.${AUTHENTIK_DEFAULTS.clusterDomain}:${port}`);
    }
  });

  it('gives every provider one application, bound to the admins and users groups', () => {
    const providers = blueprint.entries.filter((entry) => entry.model.startsWith('authentik_providers_'));
    const applications = ofModel(blueprint, 'authentik_core.application');
    expect(applications.map((entry) => entry.attrs!['provider'])).toEqual(providers.map((provider) => keyOf(provider.id!)));
    const bindings = ofModel(blueprint, 'authentik_policies.policybinding');
    for (const application of applications) {
      const groups = bindings.filter((binding) => binding.identifiers['target'].value === application.id).map((binding) => binding.identifiers['group'].value);
      expect(groups).toEqual(expect.arrayContaining(['group-homelab-admins', 'group-homelab-users']));
    }
  });

  it('creates the groups: admins as superusers, users, and the role groups of known OIDC apps', () => {
    const groups = ofModel(blueprint, 'authentik_core.group').map((entry) => [entry.identifiers['name'], entry.attrs!['is_superuser']]);
    expect(groups).toEqual([
      [AUTHENTIK_DEFAULTS.groups.admins, true],
      [AUTHENTIK_DEFAULTS.groups.users, false],
      ...AUTHENTIK_DEFAULTS.oidcClients['kube-prometheus-stack'].groups.map((name) => [name, false]),
    ]);
  });

  it('puts the bootstrap admin (akadmin) in the admins group, so the first SSO login has rights; nobody with bootstrapAdmin null', () => {
    const [admin, ...others] = ofModel(blueprint, 'authentik_core.user');
    expect(others).toEqual([]);
    expect(admin!.identifiers).toEqual({ username: 'akadmin' });
    expect(admin!.attrs!['groups']).toEqual([keyOf('group-homelab-admins')]);
    expect(blueprint.entries.some((entry) => entry.id === 'group-homelab-admins')).toBe(true);
    expect(ofModel(parse(yamlOf(authentik(config, everything(), { bootstrapAdmin: null }))), 'authentik_core.user')).toEqual([]);
    expect(() => authentik(config, everything(), { bootstrapAdmin: ' ' })).toThrow(/bootstrap admin is empty \(bootstrapAdmin/);
  });

  it("puts exactly the proxy providers on the embedded outpost, signing in at Authentik's host", () => {
    const [outpost, ...others] = ofModel(blueprint, 'authentik_outposts.outpost');
    expect(others).toEqual([]);
    expect(outpost!.identifiers).toEqual({ managed: 'goauthentik.io/outposts/embedded' });
    const proxyIds = ofModel(blueprint, 'authentik_providers_proxy.proxyprovider').map((provider) => keyOf(provider.id!));
    expect(outpost!.attrs!['providers']).toEqual(proxyIds);
    expect(outpost!.attrs!['config']).toEqual({ authentik_host: `https://${built().exposes![0]!.host}/` });
  });

  it('keeps every secret out: client secrets are !Env references', () => {
    for (const provider of ofModel(blueprint, 'authentik_providers_oauth2.oauth2provider')) {
      expect(provider.attrs!['client_secret']).toMatchObject({ tag: '!Env' });
    }
    expect(yamlOf(built())).not.toMatch(/client_secret: (?!!Env )/);
  });

  it('reads each client secret from an environment variable the pods get from a declared Secret key', () => {
    const component = built();
    const env = (component.values as AuthentikValues).global.env;
    for (const provider of ofModel(blueprint, 'authentik_providers_oauth2.oauth2provider')) {
      const variable = env.find((entry) => entry.name === provider.attrs!['client_secret'].value)!;
      expect(variable, `${provider.attrs!['client_secret'].value} is set`).toBeDefined();
      const { name, key } = variable.valueFrom.secretKeyRef;
      expect(component.secrets!.find((secret) => secret.name === name)!.keys).toContain(key);
    }
  });

  it('is deterministic: the order of the components does not matter', () => {
    expect(yamlOf(built([...everything()].reverse()))).toBe(yamlOf(built()));
  });
});

describe('OIDC providers', () => {
  const providers = ofModel(blueprintOf(), 'authentik_providers_oauth2.oauth2provider');
  const provider = (slug: string) => providers.find((entry) => entry.identifiers['name'] === slug)!;
  const hostOf = (name: string) => platform().find((component) => component.name === name)!.exposes!.find((entry) => entry.sso === 'oidc')!.host;

  it('registers one provider per component signing in with OIDC', () => {
    const components = platform().filter((component) => component.exposes?.some((entry) => entry.sso === 'oidc'));
    expect(providers).toHaveLength(components.length);
  });

  it("sends Argo CD back to its server's /auth/callback", () => {
    expect(provider('argocd').attrs!['redirect_uris']).toEqual([{ matching_mode: 'strict', url: `https://${hostOf('argocd')}/auth/callback` }]);
    expect(provider('argocd').attrs!['client_id']).toBe('argocd');
  });

  it("agrees with Grafana's own OAuth settings: client ID and /login/generic_oauth on its root URL", () => {
    const stack = platform().find((component) => component.name === 'kube-prometheus-stack')!;
    const ini = (stack.values as any).grafana['grafana.ini'];
    expect(provider('grafana').attrs!['client_id']).toBe(ini['auth.generic_oauth'].client_id);
    expect(provider('grafana').attrs!['redirect_uris']).toEqual([{ matching_mode: 'strict', url: `${ini.server.root_url}/login/generic_oauth` }]);
    // Grafana's issuer is https://<its providerHostLabel>.<domain>/application/o/<slug>/: Authentik must be that host.
    expect(ini['auth.generic_oauth'].auth_url).toBe(`https://${built().exposes![0]!.host}/application/o/authorize/`);
  });

  it('signs tokens and maps the openid, email and profile scopes (the groups claim is in profile)', () => {
    for (const entry of providers) {
      expect(entry.attrs!['signing_key']).toEqual({ tag: '!Find', value: ['authentik_crypto.certificatekeypair', ['name', 'authentik Self-signed Certificate']] });
      expect(entry.attrs!['property_mappings'].map((mapping: Tagged) => (mapping.value as [string, [string, string]])[1][1])).toEqual(
        ['openid', 'email', 'profile'].map((scope) => `goauthentik.io/providers/oauth2/scope-${scope}`),
      );
    }
  });

  it('gives an unknown app its component name as slug and client ID, and any path of its hosts as redirect', () => {
    const wiki = app('wiki', 'tools', [exposure(config, 'wiki', 'tools', 3000, 'oidc')]);
    const parsed = ofModel(blueprintOf([...fakeApps(), wiki]), 'authentik_providers_oauth2.oauth2provider');
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.attrs).toMatchObject({ name: 'wiki', client_id: 'wiki', redirect_uris: [{ matching_mode: 'regex', url: `https://${`wiki.${config.domains.internal}`.replaceAll('.', '\\.')}/.*` }] });
  });
});

describe('SSO changes', () => {
  const withSonarr = (sso: SsoMode) => everything(config, { sonarr: sso });
  const entriesOf = (sso: SsoMode) => blueprintOf(withSonarr(sso)).entries;
  const minus = (a: Entry[], b: Entry[]) => a.filter((entry) => !b.some((other) => JSON.stringify(other) === JSON.stringify(entry)));
  const mentionsSonarr = (entry: Entry) => JSON.stringify(entry).includes('sonarr');

  it('proxy → none removes exactly its provider, application and bindings, and its outpost slot', () => {
    const before = entriesOf('proxy');
    const after = entriesOf('none');
    const removed = minus(before, after);
    const changedOutpost = removed.filter((entry) => entry.model === 'authentik_outposts.outpost');
    expect(removed.filter((entry) => entry.model !== 'authentik_outposts.outpost').every(mentionsSonarr)).toBe(true);
    expect(removed.filter((entry) => entry.model === 'authentik_providers_proxy.proxyprovider').map((entry) => entry.attrs!['external_host'])).toEqual([`https://sonarr.${config.domains.internal}`]);
    expect(changedOutpost).toHaveLength(1);
    const [outpostAfter] = minus(after, before);
    expect(minus(after, before)).toHaveLength(1);
    expect(outpostAfter!.attrs!['providers']).toEqual(changedOutpost[0]!.attrs!['providers'].filter((ref: Tagged) => ref.value !== 'provider-sonarr'));
    expect(after.filter(mentionsSonarr)).toEqual([]);
  });

  it('none → oidc adds exactly an OIDC provider, application and bindings for it', () => {
    const added = minus(entriesOf('oidc'), entriesOf('none'));
    expect(added.every(mentionsSonarr)).toBe(true);
    expect(added.map((entry) => entry.model)).toEqual(['authentik_providers_oauth2.oauth2provider', 'authentik_core.application', 'authentik_policies.policybinding', 'authentik_policies.policybinding']);
    expect(minus(entriesOf('none'), entriesOf('oidc'))).toEqual([]);
  });

  it('follows domains.internal everywhere (late binding)', () => {
    const moved = configVariant((data) => {
      data.domains.internal = 'home.example.org';
    });
    const text = yamlOf(built(everything(moved), moved));
    expect(text).not.toContain(config.domains.internal);
    expect(text).toContain('https://sonarr.home.example.org');
    expect(text).toContain('https://auth.home.example.org/');
    expect(text).toContain('https://grafana.home.example.org/login/generic_oauth');
  });
});

describe('rules', () => {
  it('rejects a proxy-protected exposure that is not internal (nothing would protect it)', () => {
    const leaky = app('leaky', 'media', [exposure(config, 'leaky', 'media', 80, 'proxy', 'public')]);
    expect(() => built([leaky])).toThrow(
      "authentik: only internal exposures can be protected by the outpost, this one is public (leaky.exposes[0].sso: 'proxy'). Use sso: 'none' (the public path authenticates on its own) or 'oidc' if the app signs users in itself.",
    );
  });

  it('rejects two applications with one slug (the first host in sort order keeps it)', () => {
    const clash = app('other', 'tools', [{ ...exposure(config, 'sonarr', 'tools', 80, 'proxy'), host: 'sonarr.elsewhere.example.org' }]);
    expect(() => built([...fakeApps(), clash])).toThrow(
      `authentik: two applications would share the slug 'sonarr', also other.exposes[0].host (sonarr.exposes[0].host: 'sonarr.${config.domains.internal}'). Give one of them another host label (or another slug in oidcClients).`,
    );
  });

  it('rejects a host protected twice', () => {
    const twice = app('again', 'tools', [exposure(config, 'sonarr', 'tools', 80, 'proxy')]);
    expect(() => built([...fakeApps(), twice])).toThrow(
      `authentik: host is protected twice, also by sonarr.exposes[0] (again.exposes[0].host: 'sonarr.${config.domains.internal}'). Expose each host once: Authentik answers a host with one provider.`,
    );
  });

  it('quotes what YAML 1.1 (PyYAML, which Authentik uses) would misread', () => {
    const yes = app('yes', 'tools', [exposure(config, 'yes', 'tools', 80, 'proxy')]);
    const parsed = parse(yamlOf(built([yes])), YAML11_SCHEMA);
    expect(ofModel(parsed, 'authentik_core.application')[0]!.identifiers['slug']).toBe('yes');
  });
});

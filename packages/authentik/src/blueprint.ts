/**
 * The Authentik blueprint derived from every component's SSO declarations: groups, a proxy provider
 * and application per `sso: 'proxy'` internal exposure (all on the embedded outpost), an OAuth2/OIDC
 * provider and application per component with `sso: 'oidc'` exposures. Client secrets are `!Env`
 * references to variables the pods read from a declared Secret, so no secret enters git.
 * @see https://docs.goauthentik.io/customize/blueprints/
 */
import { COLLECTION_STYLE_FLOW, DUMP_SCHEMA, defineScalarTag, defineSequenceTag, dump, visit, type Document, type Node } from 'js-yaml';
import { generatedHeader, type Component, type Exposure, type SecretValue } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { AUTHENTIK_DEFAULTS, type AuthentikSettings, type OidcClient } from './defaults.js';
import { declaredExposures, isProxied, protectedRoute, type DeclaredExposure, type ProtectedRoute } from './forward-auth.js';
import { COMPONENT_NAME, SOURCE, authentikHost } from './names.js';

/** The YAML tags of Authentik's blueprint loader this package writes. */
export type BlueprintTagName = '!Find' | '!KeyOf' | '!Env';

/** A tagged value: `!KeyOf id`, `!Env NAME` (scalars) or `!Find [model, [field, value]]` (sequence). */
export class BlueprintTag {
  constructor(
    readonly tag: BlueprintTagName,
    readonly value: string | readonly unknown[],
  ) {}
}

/** One blueprint entry (the fields this package writes). */
export interface BlueprintEntry {
  model: string;
  id?: string;
  state: 'present';
  identifiers: Record<string, unknown>;
  attrs?: Record<string, unknown>;
}

export interface Blueprint {
  version: 1;
  metadata: { name: string; labels: Record<string, string> };
  entries: BlueprintEntry[];
}

/** Objects every Authentik instance creates on first start; the blueprint finds them by these keys. */
export const AUTHENTIK_BUILTINS = {
  authorizationFlow: 'default-provider-authorization-implicit-consent',
  invalidationFlow: 'default-provider-invalidation-flow',
  signingKey: 'authentik Self-signed Certificate',
  embeddedOutpost: 'goauthentik.io/outposts/embedded',
  scopes: ['openid', 'email', 'profile'].map((scope) => `goauthentik.io/providers/oauth2/scope-${scope}`),
} as const;

const find = (model: string, field: string, value: string) => new BlueprintTag('!Find', [model, [field, value]]);
const keyOf = (id: string) => new BlueprintTag('!KeyOf', id);

const AUTHENTIK_SLUG = /^[-a-zA-Z0-9_]+$/;

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${COMPONENT_NAME}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** A proxy-protected host: its application slug (the host's first label) and both ends of its route. */
export interface ProxyApplication {
  slug: string;
  declaration: DeclaredExposure;
  route: ProtectedRoute;
}

/** A component signing in with OIDC, its client, redirect URIs and where its client secret comes from. */
export interface OidcApplication {
  component: string;
  client: OidcClient;
  hosts: string[];
  redirectUris: { matching_mode: 'strict' | 'regex'; url: string }[];
  /** Key of the client secret in `AuthentikSettings.oidcClientSecretName`. */
  secretKey: string;
  /** The client secret value: the app's own (its exposure's `oidcClientSecret`), else one generated for Authentik alone. */
  clientSecret: SecretValue;
  /** Environment variable of server and worker holding that key; the blueprint reads it with `!Env`. */
  envVar: string;
}

/** Every `sso: 'proxy'` internal exposure as a proxy application, sorted by host. */
export function proxyApplications(components: readonly Component[], settings: AuthentikSettings = AUTHENTIK_DEFAULTS): ProxyApplication[] {
  for (const component of components) {
    (component.exposes ?? []).forEach((exposure, index) => {
      if (exposure.sso === 'proxy' && exposure.access !== 'internal') {
        fail(
          `only internal exposures can be protected by the outpost, this one is ${exposure.access}`,
          `${component.name}.exposes[${index}].sso`,
          exposure.sso,
          `Use sso: 'none' (the ${exposure.access} path authenticates on its own) or 'oidc' if the app signs users in itself.`,
        );
      }
    });
  }
  return declaredExposures(components, isProxied).map((declaration) => ({
    slug: declaration.exposure.host.split('.')[0]!,
    declaration,
    route: protectedRoute(declaration.exposure, settings),
  }));
}

/** `grafana-admins` for 'Grafana Admins'. */
const idPart = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every component with `sso: 'oidc'` exposures as one OIDC application (all its hosts in the redirect
 * URIs), sorted by slug. Known components take their client from `settings.oidcClients`; others get
 * slug and client ID = the component name and any path of their hosts as redirect URI.
 */
export function oidcApplications(components: readonly Component[], settings: AuthentikSettings = AUTHENTIK_DEFAULTS): OidcApplication[] {
  const byComponent = new Map<string, Exposure[]>();
  for (const { component, exposure } of declaredExposures(components, (exposure) => exposure.sso === 'oidc')) {
    byComponent.set(component, [...(byComponent.get(component) ?? []), exposure]);
  }
  return [...byComponent.entries()]
    .map(([component, exposures]): OidcApplication => {
      const known = settings.oidcClients[component];
      const client: OidcClient = known ?? { name: component, slug: component, clientId: component, redirectPaths: [], groups: [] };
      const hosts = exposures.map((exposure) => exposure.host);
      const redirectUris = known
        ? hosts.flatMap((host) => client.redirectPaths.map((path) => ({ matching_mode: 'strict' as const, url: `https://${host}${path}` })))
        : hosts.map((host) => ({ matching_mode: 'regex' as const, url: `https://${escapeRegex(host)}/.*` }));
      const shared = exposures.find((exposure) => exposure.oidcClientSecret)?.oidcClientSecret;
      const clientSecret: SecretValue = shared ?? {
        id: `${settings.namespace}/${client.slug}-client-secret`,
        description: `Client secret of the OIDC client '${client.clientId}' (${client.name}); ${component} declares no copy of its own, so configure this value in the app.`,
        generate: { length: 64, alphabet: 'alphanumeric' },
      };
      return {
        component,
        client,
        hosts,
        redirectUris,
        secretKey: `${client.slug}-client-secret`,
        clientSecret,
        envVar: `HOMELAB_OIDC_${client.slug.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_CLIENT_SECRET`,
      };
    })
    .sort((a, b) => (a.client.slug < b.client.slug ? -1 : a.client.slug > b.client.slug ? 1 : 0));
}

/** Throws when two applications would share a slug (Authentik keeps one application per slug). */
function checkSlugs(proxied: ProxyApplication[], oidc: OidcApplication[]): void {
  const seen = new Map<string, string>();
  const claim = (slug: string, path: string, value: string) => {
    if (!AUTHENTIK_SLUG.test(slug)) fail('the application slug is not an Authentik slug', path, value, 'Use letters, digits, - and _.');
    const other = seen.get(slug);
    if (other) fail(`two applications would share the slug '${slug}', also ${other}`, path, value, 'Give one of them another host label (or another slug in oidcClients).');
    seen.set(slug, path);
  };
  for (const app of proxied) claim(app.slug, `${app.declaration.path}.host`, app.declaration.exposure.host);
  for (const app of oidc) claim(app.client.slug, `oidcClients.${app.component}.slug`, app.client.slug);
}

const groupEntry = (name: string, superuser: boolean): BlueprintEntry => ({
  model: 'authentik_core.group',
  id: `group-${idPart(name)}`,
  state: 'present',
  identifiers: { name },
  attrs: { name, is_superuser: superuser },
});

/**
 * The bootstrap admin in the admins group, so the first SSO login gets rights. `name` is the one
 * Authentik's own bootstrap gives it, so the entry can create the user should it apply first.
 */
const bootstrapAdminEntry = (username: string, adminsGroup: string): BlueprintEntry => ({
  model: 'authentik_core.user',
  state: 'present',
  identifiers: { username },
  attrs: { name: 'authentik Default Admin', groups: [keyOf(`group-${idPart(adminsGroup)}`)] },
});

/** The application for `slug` and the bindings that let `groups` in (nobody else). */
function applicationEntries(slug: string, name: string, launchUrl: string, groups: string[]): BlueprintEntry[] {
  const id = `application-${slug}`;
  return [
    {
      model: 'authentik_core.application',
      id,
      state: 'present',
      identifiers: { slug },
      attrs: { name, slug, provider: keyOf(`provider-${slug}`), meta_launch_url: launchUrl, policy_engine_mode: 'any' },
    },
    ...groups.map(
      (group, order): BlueprintEntry => ({
        model: 'authentik_policies.policybinding',
        state: 'present',
        identifiers: { target: keyOf(id), group: keyOf(`group-${idPart(group)}`) },
        attrs: { order, enabled: true },
      }),
    ),
  ];
}

const flows = {
  authorization_flow: find('authentik_flows.flow', 'slug', AUTHENTIK_BUILTINS.authorizationFlow),
  invalidation_flow: find('authentik_flows.flow', 'slug', AUTHENTIK_BUILTINS.invalidationFlow),
};

/**
 * The blueprint for `components` (every composed component but Authentik's own). Pure and
 * deterministic: entries are sorted by host / slug, whatever the component order.
 */
export function authentikBlueprint(config: Pick<ResolvedConfig, 'domains'>, components: readonly Component[], settings: AuthentikSettings = AUTHENTIK_DEFAULTS): Blueprint {
  const proxied = proxyApplications(components, settings);
  const oidc = oidcApplications(components, settings);
  checkSlugs(proxied, oidc);
  const baseGroups = [settings.groups.admins, settings.groups.users];
  const appGroups = [...new Set(oidc.flatMap((app) => app.client.groups))].filter((group) => !baseGroups.includes(group)).sort();
  const entries: BlueprintEntry[] = [groupEntry(settings.groups.admins, true), groupEntry(settings.groups.users, false), ...appGroups.map((group) => groupEntry(group, false))];
  if (settings.bootstrapAdmin !== undefined) entries.push(bootstrapAdminEntry(settings.bootstrapAdmin, settings.groups.admins));

  for (const { slug, route } of proxied) {
    entries.push(
      {
        model: 'authentik_providers_proxy.proxyprovider',
        id: `provider-${slug}`,
        state: 'present',
        identifiers: { name: slug },
        attrs: { name: slug, mode: 'proxy', external_host: route.externalHost, internal_host: route.internalHost, ...flows },
      },
      ...applicationEntries(slug, slug, route.externalHost, baseGroups),
    );
  }

  for (const app of oidc) {
    const { slug } = app.client;
    entries.push(
      {
        model: 'authentik_providers_oauth2.oauth2provider',
        id: `provider-${slug}`,
        state: 'present',
        identifiers: { name: slug },
        attrs: {
          name: slug,
          client_type: 'confidential',
          client_id: app.client.clientId,
          client_secret: new BlueprintTag('!Env', app.envVar),
          redirect_uris: app.redirectUris,
          ...flows,
          signing_key: find('authentik_crypto.certificatekeypair', 'name', AUTHENTIK_BUILTINS.signingKey),
          property_mappings: AUTHENTIK_BUILTINS.scopes.map((managed) => find('authentik_providers_oauth2.scopemapping', 'managed', managed)),
        },
      },
      ...applicationEntries(slug, app.client.name, `https://${app.hosts[0]!}`, [...baseGroups, ...app.client.groups.filter((group) => !baseGroups.includes(group))]),
    );
  }

  entries.push({
    model: 'authentik_outposts.outpost',
    state: 'present',
    identifiers: { managed: AUTHENTIK_BUILTINS.embeddedOutpost },
    attrs: {
      providers: proxied.map(({ slug }) => keyOf(`provider-${slug}`)),
      // Where the outpost sends browsers to sign in; the rest of its config keeps Authentik's defaults.
      config: { authentik_host: `https://${authentikHost(config.domains, settings)}/` },
    },
  });

  return {
    version: 1,
    metadata: {
      name: 'homelab: applications',
      labels: { 'blueprints.goauthentik.io/description': `Generated by ${SOURCE} from the components' SSO declarations` },
    },
    entries,
  };
}

const scalarTag = (tag: BlueprintTagName) =>
  defineScalarTag(tag, {
    resolve: (source) => new BlueprintTag(tag, source),
    identify: (data) => data instanceof BlueprintTag && data.tag === tag && typeof data.value === 'string',
    represent: (data: BlueprintTag) => data.value as string,
  });

const sequenceTag = (tag: BlueprintTagName) =>
  defineSequenceTag<unknown[], BlueprintTag>(tag, {
    create: () => [],
    addItem: (items, item) => {
      items.push(item);
    },
    finalize: (items) => new BlueprintTag(tag, items),
    identify: (data) => data instanceof BlueprintTag && data.tag === tag && Array.isArray(data.value),
    represent: (data: BlueprintTag) => data.value as unknown[],
  });

const TAGS = [sequenceTag('!Find'), scalarTag('!KeyOf'), scalarTag('!Env')];

/** Tagged sequences (`!Find`) in flow style, as Authentik's own blueprints write them. */
function flowTaggedSequences(documents: Document[]): void {
  const flow = (node: Node) => {
    if (node.kind !== 'sequence') return;
    node.style = COLLECTION_STYLE_FLOW;
    node.items.forEach(flow);
  };
  visit(documents, (node) => {
    if (node.kind === 'sequence' && node.tagged) flow(node);
  });
}

/**
 * The blueprint as YAML, with the generated-file header and the schema hint editors read. Quotes
 * what YAML 1.1 would misread (PyYAML, which Authentik uses, is YAML 1.1).
 */
export function blueprintYaml(blueprint: Blueprint): string {
  const body = dump(blueprint, { schema: DUMP_SCHEMA.withTags(...TAGS), lineWidth: -1, noRefs: true, indent: 2, transform: flowTaggedSequences });
  return `${generatedHeader(SOURCE)}# yaml-language-server: $schema=https://goauthentik.io/blueprints/schema.json\n${body}`;
}

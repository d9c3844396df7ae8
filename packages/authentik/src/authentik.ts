/**
 * Authentik (goauthentik `authentik` chart): server, worker and the bundled PostgreSQL on the
 * config NFS export, credentials by Secret reference, and the blueprint derived from the other
 * components' SSO declarations in a ConfigMap the chart mounts.
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { merge, serviceMonitorsWanted, type BuildContext, type Component, type ComponentModule, type Exposure, type KubeObject, type Patch, type SecretDeclaration } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { volumeStorageClass } from '@homelab/local-path';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';
import { authentikBlueprint, blueprintYaml, oidcApplications, type OidcApplication } from './blueprint.js';
import { AUTHENTIK_DEFAULTS, type AuthentikSettings, type Resources } from './defaults.js';
import { authentikSsoProxy, outpostReferenceGrants } from './forward-auth.js';
import { COMPONENT_NAME, SOURCE, authentikHost, blueprintConfigMapName, serverService } from './names.js';
import { AUTHENTIK_CHART } from './versions.js';

/** The key of the blueprint in its ConfigMap: Authentik applies only keys ending in `.yaml`. */
export const BLUEPRINT_KEY = 'homelab.yaml';

/** An environment variable read from a Secret key (the chart's `global.env` entries). */
export type SecretEnv = { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

/** Pod security context of the database: the NFS export's owner (see `nfsIdentity`). */
export type PostgresPodSecurityContext = { enabled: true; fsGroup: number; fsGroupChangePolicy: 'OnRootMismatch' };
export type PostgresContainerSecurityContext = { enabled: true; runAsUser: number; runAsGroup: number; runAsNonRoot: boolean };

/** The Helm values this package sets (checked against the chart's values.yaml in tests). */
export type AuthentikValues = {
  authentik: { log_level: AuthentikSettings['logLevel'] };
  global: { env: SecretEnv[] };
  server: { replicas: number; resources: Resources; service: { servicePortHttp: number }; metrics: { enabled: boolean; serviceMonitor: { enabled: boolean } } };
  worker: { replicas: number; resources: Resources };
  blueprints: { configMaps: string[] };
  prometheus: { rules: { enabled: boolean } };
  /** The bitnami `postgresql` subchart (keys checked against bitnami's values, see the tests). */
  postgresql: {
    enabled: true;
    auth: { existingSecret: string; secretKeys: { userPasswordKey: string }; enablePostgresUser: false };
    primary: {
      persistence: { enabled: true; storageClass: string; size: string };
      podSecurityContext: PostgresPodSecurityContext;
      containerSecurityContext: PostgresContainerSecurityContext;
      resources: Resources;
    };
    volumePermissions: { enabled: false };
  };
};

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${COMPONENT_NAME}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** Rejects settings the cluster would only reject later. */
export function checkSettings(settings: AuthentikSettings): void {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(settings.hostLabel)) {
    fail('the host label is not a DNS label', 'hostLabel', settings.hostLabel, "Use lower-case letters, digits and '-', e.g. auth.");
  }
  for (const key of ['admins', 'users'] as const) {
    if (settings.groups[key].trim() === '') fail('a group name is empty', `groups.${key}`, settings.groups[key], 'Name the group, e.g. homelab-users.');
  }
  if (settings.bootstrapAdmin !== undefined && settings.bootstrapAdmin.trim() === '') {
    fail('the bootstrap admin is empty', 'bootstrapAdmin', settings.bootstrapAdmin, "Name the user (Authentik's is akadmin), or null to add admins by hand.");
  }
  if (settings.groups.admins === settings.groups.users) {
    fail('admins and users must be different groups', 'groups.users', settings.groups.users, 'Every admins member is an Authentik superuser: keep users apart.');
  }
}

/**
 * The UID/GID PostgreSQL runs as: `workloads.puid`/`pgid`, the owner an `all_squash` NFS export
 * maps every client to. Files on such an export always belong to that UID, and PostgreSQL refuses a
 * data directory not owned by the user it runs as ("data directory has wrong ownership"); a chown
 * (the chart's volumePermissions init container, or kubelet's recursive fsGroup pass) fails there.
 * So the database runs as the squash owner, with fsGroup = its group and `OnRootMismatch`: the
 * volume root already has that group, kubelet changes nothing.
 */
export function nfsIdentity(config: Pick<ResolvedConfig, 'workloads'>): { pod: PostgresPodSecurityContext; container: PostgresContainerSecurityContext } {
  const { puid, pgid } = config.workloads;
  return {
    pod: { enabled: true, fsGroup: pgid, fsGroupChangePolicy: 'OnRootMismatch' },
    container: { enabled: true, runAsUser: puid, runAsGroup: pgid, runAsNonRoot: puid !== 0 },
  };
}

const secretEnv = (name: string, secret: string, key: string): SecretEnv => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/**
 * Chart values. Authentik's secret key and database password come from `settings.secret` through
 * `global.env` (explicit env entries win over the chart's own config Secret, which then holds no
 * credential); the database reads the same password key through the subchart's existingSecret.
 */
export function authentikValues(config: ResolvedConfig, settings: AuthentikSettings, oidc: readonly OidcApplication[]): AuthentikValues {
  const { secret } = settings;
  const identity = nfsIdentity(config);
  return {
    authentik: { log_level: settings.logLevel },
    global: {
      env: [
        secretEnv('AUTHENTIK_SECRET_KEY', secret.name, secret.keys.secretKey),
        secretEnv('AUTHENTIK_POSTGRESQL__PASSWORD', secret.name, secret.keys.postgresPassword),
        ...oidc.map((app) => secretEnv(app.envVar, settings.oidcClientSecretName, app.secretKey)),
      ],
    },
    server: {
      replicas: settings.server.replicas,
      resources: structuredClone(settings.server.resources),
      service: { servicePortHttp: settings.serverPort },
      // Served exactly when a Prometheus scrapes them: unscraped metrics are dead weight.
      metrics: { enabled: settings.serviceMonitor, serviceMonitor: { enabled: settings.serviceMonitor } },
    },
    worker: { replicas: settings.worker.replicas, resources: structuredClone(settings.worker.resources) },
    blueprints: { configMaps: [blueprintConfigMapName()] },
    prometheus: { rules: { enabled: settings.serviceMonitor } },
    postgresql: {
      enabled: true,
      // The official postgres image the chart runs makes POSTGRES_USER (authentik) the superuser:
      // no separate 'postgres' password is needed, so the Secret holds only the user's.
      auth: { existingSecret: secret.name, secretKeys: { userPasswordKey: secret.keys.postgresPassword }, enablePostgresUser: false },
      primary: {
        persistence: { enabled: true, storageClass: settings.postgres.storageClass, size: settings.postgres.storageSize },
        podSecurityContext: identity.pod,
        containerSecurityContext: identity.container,
        resources: structuredClone(settings.postgres.resources),
      },
      // Its init container chowns the data directory as root, which an all_squash export refuses.
      volumePermissions: { enabled: false },
    },
  };
}

/** The Secrets Authentik reads; values never enter the repository. */
export function authentikSecrets(settings: AuthentikSettings, oidc: readonly OidcApplication[]): SecretDeclaration[] {
  const { keys } = settings.secret;
  const declarations: SecretDeclaration[] = [
    {
      name: settings.secret.name,
      namespace: settings.namespace,
      keys: [keys.secretKey, keys.postgresPassword],
      description: "Authentik's credentials, both generated by homelab secrets init.",
      values: {
        [keys.secretKey]: {
          id: `${settings.namespace}/secret-key`,
          description: 'Signs cookies and derives user IDs; a long random string (openssl rand -base64 60), never changed after the first start.',
          generate: { bytes: 60, encoding: 'base64' },
        },
        [keys.postgresPassword]: {
          id: `${settings.namespace}/postgresql-password`,
          description: "Password of the bundled PostgreSQL's 'authentik' user, read by PostgreSQL at its first start and by Authentik on every start.",
          generate: { length: 32, alphabet: 'alphanumeric' },
        },
      },
    },
  ];
  if (oidc.length > 0) {
    declarations.push({
      name: settings.oidcClientSecretName,
      namespace: settings.namespace,
      keys: oidc.map((app) => app.secretKey),
      description:
        "Authentik's copies of its OIDC clients' secrets, read as environment variables by the generated blueprint (applied with !Env). " +
        oidc.map((app) => `${app.secretKey}: ${app.client.name} (client ID '${app.client.clientId}')`).join('; ') +
        '. Restart the Authentik worker after changing one.',
      values: Object.fromEntries(oidc.map((app) => [app.secretKey, app.clientSecret])),
    });
  }
  return declarations;
}

/** Authentik on the internal gateway; its route is derived from this like any exposure's. */
export function authentikExposure(config: Pick<ResolvedConfig, 'domains'>, settings: AuthentikSettings = AUTHENTIK_DEFAULTS): Exposure {
  return { host: authentikHost(config.domains, settings), access: 'internal', service: serverService(settings), sso: 'none' };
}

/**
 * Raw objects, keyed by stable names: `blueprints` (the ConfigMap) and one
 * `reference-grant-<namespace>` per namespace whose protected routes reach the outpost.
 */
export function authentikObjects(config: ResolvedConfig, components: readonly Component[], settings: AuthentikSettings): Record<string, KubeObject> {
  const blueprint = new ConfigMap({
    metadata: { name: blueprintConfigMapName(), namespace: settings.namespace },
    data: { [BLUEPRINT_KEY]: blueprintYaml(authentikBlueprint(config, components, settings)) },
  });
  const grants = Object.fromEntries(
    outpostReferenceGrants(components, settings).map((grant) => [`reference-grant-${grant.spec!.from[0]!.namespace}`, grant]),
  );
  return { blueprints: blueprint, ...grants };
}

/**
 * The Authentik component for `components` (every other composed component: their SSO
 * declarations become the blueprint and the ReferenceGrants), `overrides` merged onto
 * `AUTHENTIK_DEFAULTS`.
 */
export function authentik(config: ResolvedConfig, components: readonly Component[] = [], overrides?: Patch<AuthentikSettings>): Component {
  const settings = merge<AuthentikSettings>(AUTHENTIK_DEFAULTS, overrides);
  checkSettings(settings);
  const others = components.filter((component) => component.name !== COMPONENT_NAME);
  const oidc = oidcApplications(others, settings);
  return {
    name: COMPONENT_NAME,
    group: 'core',
    namespace: settings.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: `Authentik SSO at https://${authentikHost(config.domains, settings)}: proxy and OIDC providers derived from the apps`,
    chart: { ...AUTHENTIK_CHART },
    values: authentikValues(config, settings, oidc),
    objects: authentikObjects(config, others, settings),
    secrets: authentikSecrets(settings, oidc),
    exposes: [authentikExposure(config, settings)],
    // The embedded outpost proxies to every app it protects; the server manages outposts through the API.
    network: { connectsToSso: ['proxy'], kubeApi: { client: true } },
    // The chart's RBAC for managed outposts.
    clusterResources: ['ClusterRole', 'ClusterRoleBinding'],
  };
}

/**
 * Registers Authentik under `components.authentik`. It derives from the other components
 * (`derives: true`, core's contract): the aggregator builds it after them and passes them as
 * `context.components`. Called without a context, the blueprint protects nothing. The database's
 * StorageClass follows `storage.volumes.authentikPostgres` and the composition's node-local class.
 */
export const authentikModule: ComponentModule<ResolvedConfig> = {
  name: COMPONENT_NAME,
  kind: 'component',
  derives: true,
  // Internal routes of `sso: 'proxy'` exposures go through the outpost.
  provides: { ssoProxy: authentikSsoProxy() },
  build: (config: ResolvedConfig, context?: BuildContext) =>
    authentik(config, context?.components ?? [], {
      serviceMonitor: serviceMonitorsWanted(context, config.components[COMPONENT_NAME]?.syncWave ?? AUTHENTIK_DEFAULTS.syncWave),
      postgres: { storageClass: volumeStorageClass(config, context, { volume: 'authentikPostgres', nfsStorageClass: STORAGE_CLASSES.config, nfsUnsupported: false }) },
    }),
};

/**
 * From an AppDescription to bjw-s app-template 4.x values and a complete Component. Pure functions;
 * every output map is keyed by the name the description used, so callers patch by name with merge().
 * Routes and ingresses are deliberately absent from the values: they derive centrally from
 * `Component.exposes`.
 */
import { merge, type Component, type Exposure, type HelmChart, type NetworkDeclaration, type Patch, type PortDeclaration, type SecretDeclaration } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { APP_TEMPLATE_DEFAULTS, CONTAINER, CONTROLLER, LB_IPS_ANNOTATION } from './defaults.js';
import type { AppClaimVolume, AppDescription, AppSecurityContext, AppVolume } from './description.js';
import { PROBE_KINDS, resolveApp, type ProbeKind, type ResolvedApp, type ResolvedProbe } from './resolve.js';
import { APP_TEMPLATE_CHART } from './versions.js';

/** One probe in app-template's format: `custom: true` passes `spec` through as the Kubernetes probe. */
export type AppTemplateProbe = { enabled: boolean; custom: boolean; spec: IProbe };

export type AppTemplateEnvValue = string | { valueFrom: { secretKeyRef: { name: string; key: string } } };

export type AppTemplateContainer = {
  image: { repository: string; tag: string; digest?: string };
  env?: Record<string, AppTemplateEnvValue>;
  probes?: Partial<Record<ProbeKind, AppTemplateProbe>>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext: ISecurityContext;
};

export type AppTemplateController = {
  type: 'deployment';
  /** 'Recreate' when the pod writes a single-writer claim: never two pods on one volume's state. */
  strategy: 'Recreate' | 'RollingUpdate';
  pod: { automountServiceAccountToken: boolean; securityContext: IPodSecurityContext };
  containers: Record<string, AppTemplateContainer>;
};

export type AppTemplateServicePort = { port: number; protocol: 'HTTP' | 'TCP' | 'UDP' };

export type AppTemplateService = {
  controller: string;
  type: 'ClusterIP' | 'LoadBalancer';
  /** Set on the main Service: named exactly like the app whatever the number of Services. */
  forceRename?: string;
  /** Set on the others: `<app>-<key>` whatever the number of Services. */
  suffix?: string;
  annotations?: Record<string, string>;
  ports: Record<string, AppTemplateServicePort>;
};

export type AppTemplateMount = { path: string; readOnly: boolean; subPath?: string };

export type AppTemplatePersistence =
  | {
      type: 'persistentVolumeClaim';
      /** `<app>-<key>` whatever the number of claims (app-template drops the key for a lone claim). */
      suffix: string;
      storageClass: string;
      accessMode: NonNullable<AppClaimVolume['accessMode']>;
      size: string;
      retain?: boolean;
      globalMounts: AppTemplateMount[];
    }
  | { type: 'persistentVolumeClaim'; existingClaim: string; globalMounts: AppTemplateMount[] }
  | { type: 'emptyDir'; medium?: string; sizeLimit?: string; globalMounts: AppTemplateMount[] };

/** The app-template values this package writes (a subset of the chart's schema). */
export type AppTemplateValues = {
  global: { fullnameOverride: string };
  controllers: Record<string, AppTemplateController>;
  service: Record<string, AppTemplateService>;
  persistence: Record<string, AppTemplatePersistence>;
};

/** Names of the objects app-template creates for an app, keyed like the description. */
export interface AppResourceNames {
  /** Helm release and its full name (global.fullnameOverride). */
  release: string;
  deployment: string;
  /** Service name per `services` key. */
  services: Record<string, string>;
  /** PersistentVolumeClaim name per `persistence` key (new and existing claims). */
  claims: Record<string, string>;
}

/** A Component whose chart, values and exposures are always present and typed. */
export type AppComponent = Component & { chart: HelmChart; values: AppTemplateValues; exposes: Exposure[] };

export interface AppComponentOptions {
  /** npm package of the app (e.g. '@homelab/sonarr'), named in every generated file's header. */
  source: string;
  /**
   * Patch merged onto the derived values (merge() semantics: maps merge, lists replace, null
   * deletes) for chart details the description does not model. Names and ports come from the
   * description: change them there, or exposures no longer match the Services.
   */
  values?: Patch<AppTemplateValues>;
}

function names(app: ResolvedApp): AppResourceNames {
  const services: Record<string, string> = {};
  for (const key of Object.keys(app.services)) services[key] = key === APP_TEMPLATE_DEFAULTS.mainService ? app.name : `${app.name}-${key}`;
  const claims: Record<string, string> = {};
  for (const [key, volume] of Object.entries(app.persistence)) {
    if (volume.type === 'claim') claims[key] = `${app.name}-${key}`;
    if (volume.type === 'existingClaim') claims[key] = volume.claim;
  }
  return { release: app.name, deployment: app.name, services, claims };
}

/** Names of the Deployment, Services and claims app-template creates for `desc` (checks `desc`). */
export function appResourceNames(desc: AppDescription): AppResourceNames {
  return names(resolveApp(desc));
}

/** True when two pods must never run at once: they would share a single-writer volume. */
function singleWriter(volume: AppVolume): boolean {
  if (volume.type === 'claim') return volume.accessMode === 'ReadWriteOnce' || volume.accessMode === 'ReadWriteOncePod';
  // An existing claim's access mode is not known here; two writers of one app's state is unsafe anyway.
  if (volume.type === 'existingClaim') return !volume.readOnly;
  return false;
}

function probeValues(probe: ResolvedProbe): AppTemplateProbe {
  const { type, path, port, ...timing } = probe;
  const action = type === 'http' ? { httpGet: { path: path!, port } } : { tcpSocket: { port } };
  return { enabled: true, custom: true, spec: { ...action, ...timing } };
}

function podSecurityContext(app: ResolvedApp): IPodSecurityContext {
  const sc = app.securityContext;
  return {
    ...(sc.runAsUser !== undefined ? { runAsUser: sc.runAsUser } : {}),
    ...(sc.runAsGroup !== undefined ? { runAsGroup: sc.runAsGroup } : {}),
    ...(sc.fsGroup !== undefined ? { fsGroup: sc.fsGroup, fsGroupChangePolicy: sc.fsGroupChangePolicy } : {}),
    ...(sc.supplementalGroups?.length ? { supplementalGroups: [...sc.supplementalGroups] } : {}),
    runAsNonRoot: sc.runAsNonRoot,
    seccompProfile: { type: sc.seccompProfile },
  };
}

function containerSecurityContext(app: ResolvedApp): ISecurityContext {
  const sc = app.securityContext;
  return {
    allowPrivilegeEscalation: sc.allowPrivilegeEscalation,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem,
    privileged: sc.privileged,
    capabilities: {
      ...(sc.capabilities.add?.length ? { add: [...sc.capabilities.add] } : {}),
      ...(sc.capabilities.drop?.length ? { drop: [...sc.capabilities.drop] } : {}),
    },
  };
}

function container(app: ResolvedApp): AppTemplateContainer {
  const env: Record<string, AppTemplateEnvValue> = { ...app.env };
  for (const [name, ref] of Object.entries(app.envFromSecrets)) env[name] = { valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } };
  const probes: Partial<Record<ProbeKind, AppTemplateProbe>> = {};
  for (const kind of PROBE_KINDS) {
    const probe = app.probes[kind];
    if (probe) probes[kind] = probeValues(probe);
  }
  const { digest, ...image } = app.image;
  return {
    image: { repository: image.repository, tag: image.tag, ...(digest !== undefined ? { digest } : {}) },
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(Object.keys(probes).length > 0 ? { probes } : {}),
    ...(app.resources ? { resources: structuredClone(app.resources) } : {}),
    securityContext: containerSecurityContext(app),
  };
}

function serviceValues(app: ResolvedApp): Record<string, AppTemplateService> {
  const out: Record<string, AppTemplateService> = {};
  for (const [key, service] of Object.entries(app.services)) {
    const ports: Record<string, AppTemplateServicePort> = {};
    for (const name of service.ports) {
      const port = app.ports[name]!;
      ports[name] = { port: port.port, protocol: port.http ? 'HTTP' : port.protocol };
    }
    out[key] = {
      controller: CONTROLLER,
      type: service.type,
      ...(key === APP_TEMPLATE_DEFAULTS.mainService ? { forceRename: app.name } : { suffix: key }),
      ...(service.loadBalancerIP !== undefined ? { annotations: { [LB_IPS_ANNOTATION]: service.loadBalancerIP } } : {}),
      ports,
    };
  }
  return out;
}

function persistenceValues(app: ResolvedApp): Record<string, AppTemplatePersistence> {
  const out: Record<string, AppTemplatePersistence> = {};
  for (const [key, volume] of Object.entries(app.persistence)) {
    const globalMounts = [{ path: volume.mountPath, readOnly: volume.readOnly ?? false, ...(volume.subPath !== undefined ? { subPath: volume.subPath } : {}) }];
    switch (volume.type) {
      case 'claim':
        out[key] = {
          type: 'persistentVolumeClaim',
          suffix: key,
          storageClass: volume.storageClass,
          accessMode: volume.accessMode!,
          size: volume.size,
          ...(volume.retain !== undefined ? { retain: volume.retain } : {}),
          globalMounts,
        };
        break;
      case 'existingClaim':
        out[key] = { type: 'persistentVolumeClaim', existingClaim: volume.claim, globalMounts };
        break;
      case 'emptyDir':
        out[key] = {
          type: 'emptyDir',
          ...(volume.medium !== undefined ? { medium: volume.medium } : {}),
          ...(volume.sizeLimit !== undefined ? { sizeLimit: volume.sizeLimit } : {}),
          globalMounts,
        };
        break;
    }
  }
  return out;
}

function valuesOf(app: ResolvedApp): AppTemplateValues {
  return {
    global: { fullnameOverride: app.name },
    controllers: {
      [CONTROLLER]: {
        type: 'deployment',
        strategy: Object.values(app.persistence).some(singleWriter) ? 'Recreate' : 'RollingUpdate',
        pod: { automountServiceAccountToken: APP_TEMPLATE_DEFAULTS.automountServiceAccountToken, securityContext: podSecurityContext(app) },
        containers: { [CONTAINER]: container(app) },
      },
    },
    service: serviceValues(app),
    persistence: persistenceValues(app),
  };
}

/** app-template 4.x values for `desc`: one Deployment (controller `main`, container `app`), its Services and volumes. */
export function appTemplateValues(desc: AppDescription): AppTemplateValues {
  return valuesOf(resolveApp(desc));
}

function exposures(app: ResolvedApp, serviceNames: Record<string, string>): Exposure[] {
  return Object.keys(app.exposes)
    .sort()
    .map((key) => {
      const exposure = app.exposes[key]!;
      const serviceKey = Object.keys(app.services).find((service) => app.services[service]!.ports.includes(exposure.port))!;
      return {
        host: exposure.host,
        access: exposure.access,
        service: { name: serviceNames[serviceKey]!, namespace: app.namespace, port: app.ports[exposure.port]!.port },
        sso: exposure.sso,
      };
    });
}

/** The container ports behind the app's LoadBalancer Services (app-template targets the same port). */
function lanPorts(app: ResolvedApp): PortDeclaration[] {
  return Object.values(app.services)
    .filter((service) => service.type === 'LoadBalancer')
    .flatMap((service) => service.ports.map((name) => ({ port: app.ports[name]!.port, protocol: app.ports[name]!.protocol })));
}

/** The app's network declaration: what it declares, plus the LAN ports of its LoadBalancer Services. */
function network(app: ResolvedApp): NetworkDeclaration | undefined {
  const lan = lanPorts(app);
  const declared = app.network ?? {};
  if (lan.length === 0 && app.network === undefined) return undefined;
  return { ...structuredClone(declared), ...(lan.length > 0 ? { lanPorts: lan } : {}) };
}

function secrets(app: ResolvedApp): SecretDeclaration[] {
  const bySecret = new Map<string, Map<string, string[]>>();
  for (const [variable, { secret, key }] of Object.entries(app.envFromSecrets)) {
    const keys = bySecret.get(secret) ?? new Map<string, string[]>();
    keys.set(key, [...(keys.get(key) ?? []), variable]);
    bySecret.set(secret, keys);
  }
  return [...bySecret.keys()].sort().map((secret) => {
    const keys = bySecret.get(secret)!;
    const sortedKeys = [...keys.keys()].sort();
    const generated = `Read by ${app.name} as environment variables: ${sortedKeys.map((key) => `${keys.get(key)!.sort().join(', ')} (key ${key})`).join('; ')}.`;
    return { name: secret, namespace: app.namespace, keys: sortedKeys, description: app.secretDescriptions[secret] ?? generated };
  });
}

/**
 * The app as a Component: the pinned app-template chart with derived values, its exposures (host,
 * Service name and port as app-template names them) and the Secrets its environment reads.
 */
export function appComponent(desc: AppDescription, options: AppComponentOptions): AppComponent {
  const app = resolveApp(desc);
  if (typeof options?.source !== 'string' || !/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(options.source)) {
    throw new Error(`app-template: source is not an npm package name (${app.name}.source: '${String(options?.source)}'). Pass the app package's name, e.g. '@homelab/sonarr'.`);
  }
  const serviceNames = names(app).services;
  const declared = secrets(app);
  const declaredNetwork = network(app);
  return {
    name: app.name,
    group: app.group,
    namespace: app.namespace,
    syncWave: app.syncWave,
    source: options.source,
    ...(app.description !== undefined ? { description: app.description } : {}),
    chart: { ...APP_TEMPLATE_CHART },
    values: merge<AppTemplateValues>(valuesOf(app), options.values),
    podSecurity: app.podSecurity,
    exposes: exposures(app, serviceNames),
    ...(declared.length > 0 ? { secrets: declared } : {}),
    ...(declaredNetwork ? { network: declaredNetwork } : {}),
  };
}

/** `workloadDefaults()`: every field set, so callers read the user and group without a check. */
export interface WorkloadDefaults {
  env: { TZ: string };
  securityContext: Required<Pick<AppSecurityContext, 'runAsUser' | 'runAsGroup' | 'fsGroup'>>;
}

/**
 * What every app shares from homelab.yaml `workloads`: the time zone and the user/group the
 * processes run as and own their volumes with. Spread it into a description and add to it.
 */
export function workloadDefaults(config: Pick<ResolvedConfig, 'workloads'>): WorkloadDefaults {
  const { timezone, puid, pgid } = config.workloads;
  return { env: { TZ: timezone }, securityContext: { runAsUser: puid, runAsGroup: pgid, fsGroup: pgid } };
}

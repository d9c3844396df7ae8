/**
 * Merge first, derive second: an AppDescription with every default applied and every rule checked.
 * Values and Component are derived from the result only, so no default is applied twice.
 * Every problem is reported at once, one line each, as
 * `app-template: <problem> (<path>: '<value>'). <how to fix>`.
 */
import { isIP } from 'node:net';
import { COMPONENT_GROUPS, merge, type ComponentGroup, type PodSecurityLevel } from '@homelab/core';
import { APP_TEMPLATE_DEFAULTS, type AppTemplateDefaults } from './defaults.js';
import type {
  AppDescription,
  AppExposure,
  AppImage,
  AppProbe,
  AppProbeTiming,
  AppResources,
  AppSecurityContext,
  AppVolume,
} from './description.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export const PROBE_KINDS: readonly ProbeKind[] = ['liveness', 'readiness', 'startup'];

export interface ResolvedPort {
  port: number;
  protocol: 'TCP' | 'UDP';
  http: boolean;
}

export interface ResolvedProbe extends AppProbeTiming {
  type: 'http' | 'tcp';
  path?: string;
  /** Container port number (a number works whether or not the port has a Service). */
  port: number;
}

export interface ResolvedService {
  type: 'ClusterIP' | 'LoadBalancer';
  ports: string[];
  loadBalancerIP?: string;
}

export type ResolvedSecurityContext = AppSecurityContext & AppTemplateDefaults['securityContext'];

export interface ResolvedApp {
  name: string;
  namespace: string;
  group: ComponentGroup;
  syncWave: number;
  description?: string;
  image: AppImage;
  ports: Record<string, ResolvedPort>;
  env: Record<string, string>;
  envFromSecrets: Record<string, { secret: string; key: string }>;
  secretDescriptions: Record<string, string>;
  probes: Partial<Record<ProbeKind, ResolvedProbe>>;
  resources?: AppResources;
  persistence: Record<string, AppVolume>;
  securityContext: ResolvedSecurityContext;
  services: Record<string, ResolvedService>;
  exposes: Record<string, AppExposure>;
  podSecurity: PodSecurityLevel;
  network?: AppDescription['network'];
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Kubernetes' IANA_SVC_NAME: ≤ 15 characters, a letter somewhere, no leading, trailing or double hyphen. */
const PORT_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$/;
const RESOURCE_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const IMAGE_TAG = /^\w[\w.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;
const CAPABILITY = /^[A-Z][A-Z_]*$/;
/** Helm refuses longer release names; the release name is the app name. */
const MAX_RELEASE_NAME = 53;
/** Capabilities the 'baseline' Pod Security level lets a container add. */
const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];
const VOLUME_TYPES: readonly AppVolume['type'][] = ['claim', 'existingClaim', 'emptyDir'];
const ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany', 'ReadOnlyMany'];
const ACCESSES = ['internal', 'public', 'tailnet'];
const SSO_MODES = ['proxy', 'oidc', 'none'];

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Collects problems; `fail()` throws them all at once. */
class Problems {
  readonly lines: string[] = [];
  constructor(private readonly root: string) {}
  add(problem: string, path: string, value: unknown, fix: string): void {
    this.lines.push(`app-template: ${problem} (${this.root}${path}: '${show(value)}'). ${fix}`);
  }
  fail(): void {
    if (this.lines.length > 0) throw new Error(this.lines.join('\n'));
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const entries = <T>(record: Record<string, T> | undefined): [string, T][] =>
  Object.entries(record ?? {}).filter((entry): entry is [string, T] => entry[1] !== undefined && entry[1] !== null);
const isInt = (value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function checkImage(image: AppImage | undefined, p: Problems): void {
  if (!isRecord(image)) {
    p.add('image is missing', 'image', image, 'Give { repository, tag } (a pinned tag, optionally a digest).');
    return;
  }
  const { repository, tag, digest } = image;
  const lastSegment = typeof repository === 'string' ? repository.slice(repository.lastIndexOf('/') + 1) : '';
  if (typeof repository !== 'string' || !/^[a-z0-9][a-z0-9._\-/:]*$/.test(repository)) {
    p.add('image repository is not an image name', 'image.repository', repository, 'Use a lowercase image name such as ghcr.io/owner/app.');
  } else if (lastSegment.includes(':') || repository.includes('@')) {
    p.add('image repository carries a tag or digest', 'image.repository', repository, 'Put the tag in image.tag and the digest in image.digest.');
  }
  if (typeof tag === 'string' && tag.toLowerCase() === 'latest') {
    p.add("image tag 'latest' is not pinned", 'image.tag', tag, 'Pin a release tag (e.g. 4.0.14) in the app package\'s versions.ts, where Renovate updates it.');
  } else if (typeof tag !== 'string' || !IMAGE_TAG.test(tag)) {
    p.add('image tag is not a valid tag', 'image.tag', tag, 'Pin a release tag such as 4.0.14.');
  }
  if (digest !== undefined && (typeof digest !== 'string' || !IMAGE_DIGEST.test(digest))) {
    p.add('image digest is not a sha256 digest', 'image.digest', digest, "Use 'sha256:' followed by 64 lowercase hex digits, or leave the digest out.");
  }
}

function resolvePorts(desc: AppDescription, p: Problems): Record<string, ResolvedPort> {
  const ports: Record<string, ResolvedPort> = {};
  if (!isRecord(desc.ports)) {
    p.add('ports is not a map of port name to port', 'ports', desc.ports, "Give ports as { http: { port: 8080, http: true } } (use {} for none).");
    return ports;
  }
  const seen = new Map<string, string>();
  for (const [name, port] of entries(desc.ports)) {
    const path = `ports.${name}`;
    if (!PORT_NAME.test(name)) {
      p.add('port name is not a valid port name', path, name, 'Use at most 15 lowercase letters, digits and single hyphens, with at least one letter (e.g. http, bt-udp).');
    }
    if (!isInt(port.port, 1, 65535)) {
      p.add('port number is out of range', `${path}.port`, port.port, 'Use an integer from 1 to 65535.');
    }
    const protocol = port.protocol ?? 'TCP';
    if (protocol !== 'TCP' && protocol !== 'UDP') {
      p.add('port protocol is not TCP or UDP', `${path}.protocol`, protocol, 'Use TCP or UDP.');
    }
    if (port.http && protocol === 'UDP') {
      p.add('an HTTP port must use TCP', `${path}.http`, port.http, 'Set protocol TCP, or drop http for a UDP port.');
    }
    const key = `${port.port}/${protocol}`;
    const other = seen.get(key);
    if (other) p.add(`port ${key} is declared twice (also as ports.${other})`, path, port.port, 'Declare each port number and protocol once.');
    seen.set(key, name);
    ports[name] = { port: port.port, protocol, http: port.http ?? false };
  }
  return ports;
}

function checkEnv(desc: AppDescription, p: Problems): void {
  for (const [name, value] of entries(desc.env)) {
    if (!ENV_NAME.test(name)) p.add('environment variable name is invalid', `env.${name}`, name, 'Use letters, digits, _, - and ., not starting with a digit.');
    if (typeof value !== 'string') p.add('environment variable value is not a string', `env.${name}`, value, 'Quote it: environment values are strings.');
  }
  const referenced = new Set<string>();
  for (const [name, ref] of entries(desc.envFromSecrets)) {
    const path = `envFromSecrets.${name}`;
    if (!ENV_NAME.test(name)) p.add('environment variable name is invalid', path, name, 'Use letters, digits, _, - and ., not starting with a digit.');
    if (desc.env?.[name] !== undefined && desc.env[name] !== null) {
      p.add('environment variable is set both plainly and from a Secret', path, name, `Remove it from env or from envFromSecrets.`);
    }
    if (typeof ref?.secret !== 'string' || !DNS_1123_SUBDOMAIN.test(ref.secret)) {
      p.add('Secret name is invalid', `${path}.secret`, ref?.secret, 'Use a DNS subdomain: lowercase letters, digits, - and .');
    } else {
      referenced.add(ref.secret);
    }
    if (typeof ref?.key !== 'string' || !SECRET_KEY.test(ref.key)) {
      p.add('Secret key is invalid', `${path}.key`, ref?.key, 'Use letters, digits, -, _ and .');
    }
  }
  for (const [secret, text] of entries(desc.secretDescriptions)) {
    if (!referenced.has(secret)) {
      p.add('describes a Secret no environment variable reads', `secretDescriptions.${secret}`, text, `Describe one of: ${[...referenced].sort().join(', ') || '(none)'}.`);
    }
  }
}

function resolveProbes(desc: AppDescription, ports: Record<string, ResolvedPort>, p: Problems): Partial<Record<ProbeKind, ResolvedProbe>> {
  const probes: Partial<Record<ProbeKind, ResolvedProbe>> = {};
  for (const [kind, probe] of entries(desc.probes as Record<string, AppProbe> | undefined)) {
    const path = `probes.${kind}`;
    if (!(PROBE_KINDS as readonly string[]).includes(kind)) {
      p.add('is not a probe kind', path, kind, `Use ${PROBE_KINDS.join(', ')}.`);
      continue;
    }
    if (probe.type !== 'http' && probe.type !== 'tcp') {
      p.add('probe type is not http or tcp', `${path}.type`, (probe as { type?: unknown }).type, "Use type 'http' (with a path) or 'tcp'.");
      continue;
    }
    if (probe.type === 'http' && (typeof probe.path !== 'string' || !probe.path.startsWith('/'))) {
      p.add('HTTP probe path must be absolute', `${path}.path`, probe.path, 'Start the path with /, e.g. /ping.');
    }
    let portName = probe.port;
    if (portName === undefined) {
      // The app's HTTP port when it has exactly one; a TCP probe falls back to the only TCP port.
      const http = Object.entries(ports).filter(([, port]) => port.http);
      const tcp = Object.entries(ports).filter(([, port]) => port.protocol === 'TCP');
      const candidates = probe.type === 'http' || http.length === 1 ? http : tcp;
      if (candidates.length !== 1) {
        const what = candidates === http ? "'http: true' port" : 'TCP port';
        p.add(`probe port is ambiguous: the app has ${candidates.length === 0 ? 'no' : candidates.length} ${what}${candidates.length === 1 ? '' : 's'}`, `${path}.port`, portName, 'Name the port to probe.');
        continue;
      }
      portName = candidates[0]![0];
    }
    const port = ports[portName];
    if (!port) {
      p.add('probe port is not a port of the app', `${path}.port`, portName, `Use one of: ${Object.keys(ports).join(', ') || '(no ports)'}.`);
      continue;
    }
    if (port.protocol !== 'TCP') p.add('probe port is not a TCP port', `${path}.port`, portName, 'Probe a TCP port.');
    const timing: AppProbeTiming = kind === 'startup' ? { ...APP_TEMPLATE_DEFAULTS.startupProbe } : {};
    for (const field of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
      const value = probe[field];
      if (value === undefined) continue;
      if (!isInt(value, field === 'initialDelaySeconds' ? 0 : 1)) {
        p.add('probe timing must be a whole number', `${path}.${field}`, value, field === 'initialDelaySeconds' ? 'Use 0 or more.' : 'Use 1 or more.');
      }
      timing[field] = value;
    }
    probes[kind as ProbeKind] = { type: probe.type, ...(probe.type === 'http' ? { path: probe.path } : {}), port: port.port, ...timing };
  }
  return probes;
}

function checkResources(resources: AppResources | undefined, p: Problems): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, quantity] of entries(resources?.[kind])) {
      const path = `resources.${kind}.${name}`;
      if (!RESOURCE_NAME.test(name)) p.add('is not a resource name', path, name, 'Use a resource name such as cpu, memory or nvidia.com/gpu.');
      if (typeof quantity !== 'string' || !QUANTITY.test(quantity)) {
        p.add('is not a Kubernetes quantity', path, quantity, "Write it as a string such as '500m', '1', '512Mi' or '2Gi'.");
      }
    }
  }
}

function resolvePersistence(desc: AppDescription, p: Problems): Record<string, AppVolume> {
  const volumes: Record<string, AppVolume> = {};
  const mountPaths = new Map<string, string>();
  for (const [key, volume] of entries(desc.persistence)) {
    const path = `persistence.${key}`;
    if (!DNS_1123_LABEL.test(key)) p.add('volume name is not a DNS label', path, key, 'Use lowercase letters, digits and -, at most 63 characters.');
    if (!VOLUME_TYPES.includes(volume.type)) {
      p.add('volume type is unknown', `${path}.type`, volume.type, `Use one of: ${VOLUME_TYPES.join(', ')}.`);
      continue;
    }
    if (typeof volume.mountPath !== 'string' || !volume.mountPath.startsWith('/') || volume.mountPath.split('/').includes('..')) {
      p.add('mount path must be absolute', `${path}.mountPath`, volume.mountPath, 'Use an absolute path without .. such as /config.');
    } else {
      const normalized = volume.mountPath.replace(/\/+$/, '') || '/';
      const other = mountPaths.get(normalized);
      if (other) p.add(`mount path is already used by persistence.${other}`, `${path}.mountPath`, volume.mountPath, 'Mount each volume at its own path.');
      mountPaths.set(normalized, key);
    }
    if (volume.subPath !== undefined && (typeof volume.subPath !== 'string' || volume.subPath === '' || volume.subPath.startsWith('/') || volume.subPath.split('/').includes('..'))) {
      p.add('subPath must be a relative path inside the volume', `${path}.subPath`, volume.subPath, 'Use a relative path without .. such as downloads, or leave subPath out.');
    }
    switch (volume.type) {
      case 'claim': {
        if (typeof volume.storageClass !== 'string' || !DNS_1123_SUBDOMAIN.test(volume.storageClass)) {
          p.add('a new claim needs a storage class', `${path}.storageClass`, volume.storageClass, 'Name the StorageClass (take it from the package that provides it, e.g. @homelab/nfs-csi STORAGE_CLASSES).');
        }
        if (typeof volume.size !== 'string' || !QUANTITY.test(volume.size)) {
          p.add('a new claim needs a size', `${path}.size`, volume.size, "Give a quantity such as '5Gi'.");
        }
        const accessMode = volume.accessMode ?? APP_TEMPLATE_DEFAULTS.claimAccessMode;
        if (!ACCESS_MODES.includes(accessMode)) p.add('access mode is unknown', `${path}.accessMode`, accessMode, `Use one of: ${ACCESS_MODES.join(', ')}.`);
        volumes[key] = { ...volume, accessMode };
        break;
      }
      case 'existingClaim':
        if (typeof volume.claim !== 'string' || !DNS_1123_SUBDOMAIN.test(volume.claim)) {
          p.add('an existing claim needs its PersistentVolumeClaim name', `${path}.claim`, volume.claim, 'Name the claim (take it from the package that creates it, e.g. @homelab/nfs-csi MEDIA_CLAIM).');
        }
        volumes[key] = { ...volume };
        break;
      case 'emptyDir':
        if (volume.medium !== undefined && volume.medium !== 'Memory') p.add('emptyDir medium is unknown', `${path}.medium`, volume.medium, "Use 'Memory' or leave it out (node disk).");
        if (volume.sizeLimit !== undefined && (typeof volume.sizeLimit !== 'string' || !QUANTITY.test(volume.sizeLimit))) {
          p.add('is not a Kubernetes quantity', `${path}.sizeLimit`, volume.sizeLimit, "Give a quantity such as '1Gi'.");
        }
        volumes[key] = { ...volume };
        break;
    }
  }
  return volumes;
}

function resolveServices(desc: AppDescription, ports: Record<string, ResolvedPort>, p: Problems): Record<string, ResolvedService> {
  const main = APP_TEMPLATE_DEFAULTS.mainService;
  const described = desc.services ?? (Object.keys(ports).length > 0 ? { [main]: { ports: Object.keys(ports) } } : {});
  const services: Record<string, ResolvedService> = {};
  const owner = new Map<string, string>();
  for (const [key, service] of entries(described)) {
    const path = `services.${key}`;
    const name = key === main ? desc.name : `${desc.name}-${key}`;
    if (!DNS_1035_LABEL.test(key)) {
      p.add('service name is not a DNS label starting with a letter', path, key, 'Use lowercase letters, digits and -, starting with a letter.');
    } else if (typeof desc.name === 'string' && name.length > 63) {
      p.add(`Service name '${name}' is longer than 63 characters`, path, key, 'Shorten the service key or the app name.');
    }
    const type = service.type ?? APP_TEMPLATE_DEFAULTS.serviceType;
    if (type !== 'ClusterIP' && type !== 'LoadBalancer') p.add('service type is not ClusterIP or LoadBalancer', `${path}.type`, type, 'Use ClusterIP, or LoadBalancer for a fixed address on the LAN.');
    if (!Array.isArray(service.ports) || service.ports.length === 0) {
      p.add('service has no ports', `${path}.ports`, service.ports, 'List the names of the ports it serves.');
    } else {
      for (const portName of service.ports) {
        if (!ports[portName]) {
          p.add('service port is not a port of the app', `${path}.ports`, portName, `Use one of: ${Object.keys(ports).join(', ') || '(no ports)'}.`);
          continue;
        }
        const other = owner.get(portName);
        if (other !== undefined) {
          p.add(`port is already served by services.${other}`, `${path}.ports`, portName, 'A port belongs to one Service (the chart names container ports after service ports, and names are unique); declare a second port.');
        }
        owner.set(portName, key);
      }
    }
    if (service.loadBalancerIP !== undefined) {
      if (type !== 'LoadBalancer') {
        p.add('loadBalancerIP needs a LoadBalancer service', `${path}.loadBalancerIP`, service.loadBalancerIP, "Set type: 'LoadBalancer', or drop the address.");
      } else if (typeof service.loadBalancerIP !== 'string' || isIP(service.loadBalancerIP) === 0) {
        p.add('loadBalancerIP is not an IP address', `${path}.loadBalancerIP`, service.loadBalancerIP, 'Use an address of the LoadBalancer pool (network.ranges.loadBalancer).');
      }
    }
    services[key] = { type, ports: [...(service.ports ?? [])], ...(service.loadBalancerIP !== undefined ? { loadBalancerIP: service.loadBalancerIP } : {}) };
  }
  return services;
}

const HOST_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function checkExposures(desc: AppDescription, ports: Record<string, ResolvedPort>, services: Record<string, ResolvedService>, p: Problems): void {
  for (const [key, exposure] of entries(desc.exposes)) {
    const path = `exposes.${key}`;
    if (!ACCESSES.includes(exposure.access)) p.add('access is unknown', `${path}.access`, exposure.access, `Use one of: ${ACCESSES.join(', ')}.`);
    if (!SSO_MODES.includes(exposure.sso)) p.add('sso is unknown', `${path}.sso`, exposure.sso, `Use one of: ${SSO_MODES.join(', ')}.`);
    const labels = typeof exposure.host === 'string' ? exposure.host.split('.') : [];
    const fqdnNeeded = exposure.access !== 'tailnet';
    if (labels.length === 0 || exposure.host.length > 253 || !labels.every((label) => HOST_LABEL.test(label))) {
      p.add('host is not a DNS name', `${path}.host`, exposure.host, 'Use lowercase labels of letters, digits and - separated by dots.');
    } else if (fqdnNeeded && labels.length < 2) {
      p.add(`an ${exposure.access} host must be fully qualified`, `${path}.host`, exposure.host, "Qualify it with its domain (qualifyHost() from @homelab/config does), e.g. 'app.example.com'.");
    }
    const port = ports[exposure.port];
    if (!port) {
      p.add('exposed port is not a port of the app', `${path}.port`, exposure.port, `Use one of: ${Object.keys(ports).join(', ') || '(no ports)'}.`);
      continue;
    }
    if (!Object.values(services).some((service) => service.ports.includes(exposure.port))) {
      p.add('exposed port belongs to no Service', `${path}.port`, exposure.port, 'Add the port to one of services.');
    }
    if (port.protocol !== 'TCP') p.add('an exposed port must use TCP', `${path}.port`, exposure.port, 'Expose a TCP port; UDP needs a LoadBalancer service instead.');
    else if (fqdnNeeded && !port.http) {
      p.add(`an ${exposure.access} exposure needs an HTTP port`, `${path}.port`, exposure.port, `Mark ports.${exposure.port} with http: true, or reach a non-HTTP port through a LoadBalancer service or the tailnet.`);
    }
  }
}

function checkSecurity(sc: ResolvedSecurityContext, level: PodSecurityLevel, p: Problems): void {
  const path = 'securityContext';
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    if (sc[field] !== undefined && !isInt(sc[field], 0)) p.add('is not a user or group id', `${path}.${field}`, sc[field], 'Use a whole number (0 or more).');
  }
  if (sc.runAsNonRoot && sc.runAsUser === 0) {
    p.add('runAsUser 0 (root) contradicts runAsNonRoot', `${path}.runAsUser`, sc.runAsUser, 'Run as a non-root user (e.g. workloads.puid), or set runAsNonRoot: false for an image that must start as root.');
  }
  const add = sc.capabilities.add ?? [];
  const drop = sc.capabilities.drop ?? [];
  for (const cap of [...add, ...drop]) {
    if (!CAPABILITY.test(cap) || cap.startsWith('CAP_')) p.add('is not a capability name', `${path}.capabilities`, cap, 'Use the name without CAP_, in capitals, e.g. NET_BIND_SERVICE.');
  }
  if (level === 'privileged') return;
  const needs = `podSecurity: 'privileged'`;
  if (sc.privileged) p.add(`a privileged container needs ${needs}`, `${path}.privileged`, sc.privileged, `Drop privileged, or set ${needs} (the whole namespace loses its guard rails).`);
  const beyondBaseline = add.filter((cap) => !BASELINE_CAPABILITIES.has(cap));
  if (beyondBaseline.length > 0) {
    p.add(`capabilities beyond the baseline set need ${needs}`, `${path}.capabilities.add`, beyondBaseline.join(','), `Drop them, or set ${needs}.`);
  }
  if (sc.seccompProfile === 'Unconfined') {
    p.add(`an Unconfined seccomp profile needs ${needs}`, `${path}.seccompProfile`, sc.seccompProfile, `Use RuntimeDefault, or set ${needs}.`);
  }
  if (level !== 'restricted') return;
  const loosen = "Keep the secure default, or ask for podSecurity: 'baseline'.";
  if (sc.runAsNonRoot !== true) p.add("the 'restricted' level requires runAsNonRoot", `${path}.runAsNonRoot`, sc.runAsNonRoot, loosen);
  if (sc.allowPrivilegeEscalation !== false) p.add("the 'restricted' level forbids privilege escalation", `${path}.allowPrivilegeEscalation`, sc.allowPrivilegeEscalation, loosen);
  if (!drop.includes('ALL')) p.add("the 'restricted' level requires dropping ALL capabilities", `${path}.capabilities.drop`, drop.join(','), loosen);
  const beyondRestricted = add.filter((cap) => cap !== 'NET_BIND_SERVICE');
  if (beyondRestricted.length > 0) p.add("the 'restricted' level only lets a container add NET_BIND_SERVICE", `${path}.capabilities.add`, beyondRestricted.join(','), loosen);
}

/** Applies the defaults to `desc` and checks it; throws one line per problem. */
export function resolveApp(desc: AppDescription): ResolvedApp {
  const root = typeof desc?.name === 'string' && DNS_1035_LABEL.test(desc.name) ? `${desc.name}.` : '';
  const p = new Problems(root);
  if (!isRecord(desc)) {
    p.add('app description is not an object', 'description', desc, 'Pass an AppDescription.');
    p.fail();
  }
  if (typeof desc.name !== 'string' || !DNS_1035_LABEL.test(desc.name)) {
    p.add('app name is not a DNS label starting with a letter', 'name', desc.name, 'Use lowercase letters, digits and -, starting with a letter (it names the release, Deployment and Services).');
  } else if (desc.name.length > MAX_RELEASE_NAME) {
    p.add(`app name is longer than ${MAX_RELEASE_NAME} characters (Helm's release name limit)`, 'name', desc.name, 'Shorten it.');
  }
  if (typeof desc.namespace !== 'string' || !DNS_1123_LABEL.test(desc.namespace)) {
    p.add('namespace is not a DNS label', 'namespace', desc.namespace, 'Use lowercase letters, digits and -.');
  }
  const group = desc.group ?? APP_TEMPLATE_DEFAULTS.group;
  if (!COMPONENT_GROUPS.includes(group)) p.add('group is unknown', 'group', group, `Use one of: ${COMPONENT_GROUPS.join(', ')}.`);
  const syncWave = desc.syncWave ?? APP_TEMPLATE_DEFAULTS.syncWave;
  if (!Number.isInteger(syncWave)) p.add('sync wave is not a whole number', 'syncWave', syncWave, 'Use an integer such as 0.');
  const podSecurity = desc.podSecurity ?? APP_TEMPLATE_DEFAULTS.podSecurity;
  if (!POD_SECURITY_LEVELS.includes(podSecurity)) p.add('pod security level is unknown', 'podSecurity', podSecurity, `Use one of: ${POD_SECURITY_LEVELS.join(', ')}.`);

  checkImage(desc.image, p);
  const ports = resolvePorts(desc, p);
  checkEnv(desc, p);
  const probes = resolveProbes(desc, ports, p);
  checkResources(desc.resources, p);
  const persistence = resolvePersistence(desc, p);
  const securityContext = merge<ResolvedSecurityContext>(APP_TEMPLATE_DEFAULTS.securityContext, desc.securityContext);
  checkSecurity(securityContext, podSecurity, p);
  const services = resolveServices(desc, ports, p);
  checkExposures(desc, ports, services, p);
  p.fail();

  return {
    name: desc.name,
    namespace: desc.namespace,
    group,
    syncWave,
    ...(desc.description !== undefined ? { description: desc.description } : {}),
    image: { ...desc.image },
    ports,
    env: Object.fromEntries(entries(desc.env)),
    envFromSecrets: Object.fromEntries(entries(desc.envFromSecrets)),
    secretDescriptions: Object.fromEntries(entries(desc.secretDescriptions)),
    probes,
    ...(desc.resources !== undefined ? { resources: desc.resources } : {}),
    persistence,
    securityContext,
    services,
    exposes: Object.fromEntries(entries(desc.exposes)),
    podSecurity,
    ...(desc.network !== undefined ? { network: structuredClone(desc.network) } : {}),
  };
}

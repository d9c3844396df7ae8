/**
 * Pod Security admission: workloads whose pods the namespace's enforce level rejects. Levels come
 * from Namespace objects the tree applies (or applies by hand at bootstrap), else from the
 * `managedNamespaceMetadata` of an Application creating the namespace, else from
 * `podSecurity.defaultEnforce` in .homelab-check.yaml (Kubernetes' default: privileged).
 * Rules: the Pod Security Standards (baseline; restricted adds its own), per pod template.
 */
import { describePlaced, type Resolution } from './argocd.js';
import { POD_SECURITY_LEVELS, type CheckSettings, type PodSecurityLevel } from './config.js';
import { PSA_ENFORCE } from './defaults.js';
import type { Finding } from './finding.js';
import { CONTAINER_LISTS, podSpecOf } from './refs.js';
import { isMap, type Tree } from './tree.js';

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);

const get = (value: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((current, key) => (isMap(current) ? current[key] : undefined), value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What a pod spec needs that `level` forbids, in words (empty: allowed). */
export function podSecurityViolations(spec: Record<string, unknown>, level: PodSecurityLevel): string[] {
  if (level === 'privileged') return [];
  const problems: string[] = [];
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[key] === true) problems.push(key);
  const containers = CONTAINER_LISTS.flatMap((listName) => list(spec[listName]).filter(isMap).map((container) => ({ container, name: String(container['name'] ?? '?') })));
  const volumes = list(spec['volumes']).filter(isMap);
  for (const volume of volumes) if (isMap(volume['hostPath'])) problems.push(`hostPath volume '${String(volume['name'])}'`);
  for (const { container, name } of containers) {
    if (get(container, 'securityContext', 'privileged') === true) problems.push(`privileged container '${name}'`);
    const added = list(get(container, 'securityContext', 'capabilities', 'add')).map(String).filter((cap) => !BASELINE_CAPABILITIES.has(cap.replace(/^CAP_/, '')));
    if (added.length > 0) problems.push(`capabilities ${added.join(', ')} in container '${name}'`);
    const ports = list(container['ports']).filter((port) => isMap(port) && typeof port['hostPort'] === 'number' && port['hostPort'] !== 0);
    if (ports.length > 0) problems.push(`hostPort in container '${name}'`);
    const procMount = get(container, 'securityContext', 'procMount');
    if (procMount !== undefined && procMount !== 'Default') problems.push(`procMount ${String(procMount)} in container '${name}'`);
  }
  for (const context of [spec['securityContext'], ...containers.map(({ container }) => container['securityContext'])]) {
    if (get(context, 'seccompProfile', 'type') === 'Unconfined') {
      problems.push('seccompProfile Unconfined');
      break;
    }
  }
  const sysctls = list(get(spec, 'securityContext', 'sysctls')).map((sysctl) => String(get(sysctl, 'name'))).filter((name) => !SAFE_SYSCTLS.has(name));
  if (sysctls.length > 0) problems.push(`sysctls ${sysctls.join(', ')}`);
  if (level === 'baseline') return problems;

  const unsafeVolumes = volumes.filter((volume) => !Object.keys(volume).some((key) => RESTRICTED_VOLUMES.has(key)) && !isMap(volume['hostPath']));
  for (const volume of unsafeVolumes) problems.push(`volume '${String(volume['name'])}' of a type restricted forbids`);
  const podNonRoot = get(spec, 'securityContext', 'runAsNonRoot') === true;
  const podSeccomp = get(spec, 'securityContext', 'seccompProfile', 'type');
  if (get(spec, 'securityContext', 'runAsUser') === 0) problems.push('runAsUser 0');
  for (const { container, name } of containers) {
    const context = container['securityContext'];
    if (get(context, 'allowPrivilegeEscalation') !== false) problems.push(`allowPrivilegeEscalation not false in container '${name}'`);
    const nonRoot = get(context, 'runAsNonRoot');
    if (nonRoot === false || (!podNonRoot && nonRoot !== true)) problems.push(`runAsNonRoot not true for container '${name}'`);
    if (get(context, 'runAsUser') === 0) problems.push(`runAsUser 0 in container '${name}'`);
    const seccomp = get(context, 'seccompProfile', 'type') ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`no RuntimeDefault seccompProfile for container '${name}'`);
    const drop = list(get(context, 'capabilities', 'drop')).map(String);
    if (!drop.includes('ALL')) problems.push(`capabilities not dropped (ALL) in container '${name}'`);
    const added = list(get(context, 'capabilities', 'add')).map(String).filter((cap) => cap !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(cap));
    if (added.length > 0) problems.push(`capabilities ${added.join(', ')} in container '${name}'`);
  }
  return [...new Set(problems)];
}

const levelOf = (labels: Record<string, string>): PodSecurityLevel | undefined => {
  const value = labels[PSA_ENFORCE];
  return POD_SECURITY_LEVELS.includes(value as PodSecurityLevel) ? (value as PodSecurityLevel) : undefined;
};

export function checkPodSecurity(resolution: Resolution, settings: CheckSettings, tree: Tree, objectFiles: string[]): Finding[] {
  const levels = new Map<string, { level: PodSecurityLevel; from: string }>();
  for (const entry of resolution.placed) {
    if (entry.doc.kind !== 'Namespace' || entry.doc.group !== '') continue;
    const level = levelOf(entry.doc.labels);
    if (level) levels.set(entry.doc.name, { level, from: entry.doc.file });
  }
  // Namespaces applied by hand at bootstrap (declared roots, or ArgoCD's own) keep the labels their file gives them.
  const bootstrap = [...resolution.handApplied.map((entry) => entry.doc), ...objectFiles.flatMap((file) => tree.objectsOf(file)).filter((doc) => resolution.argocdNamespaces.has(doc.name))];
  for (const doc of bootstrap) {
    if (doc.kind !== 'Namespace' || doc.group !== '' || levels.has(doc.name)) continue;
    const level = levelOf(doc.labels);
    if (level) levels.set(doc.name, { level, from: doc.file });
  }
  for (const app of resolution.apps) {
    if (!app.reached || !app.createNamespace || !app.destinationNamespace || levels.has(app.destinationNamespace)) continue;
    const level = levelOf(app.managedNamespaceLabels);
    if (level) levels.set(app.destinationNamespace, { level, from: `${app.label} managedNamespaceMetadata` });
  }

  const findings: Finding[] = [];
  for (const entry of resolution.placed) {
    const pod = podSpecOf(entry.doc);
    if (!pod || entry.namespace === undefined) continue;
    const known = levels.get(entry.namespace);
    const level = known?.level ?? settings.defaultPodSecurity;
    const violations = podSecurityViolations(pod.spec, level);
    if (violations.length === 0) continue;
    findings.push({
      check: 'pod-security',
      severity: 'error',
      file: entry.doc.file,
      object: describePlaced(entry),
      problem: `needs ${violations.join(', ')}, which namespace ${entry.namespace} forbids (enforce: ${level}${known ? `, from ${known.from}` : ', the default'})`,
      hint: `Its pods are rejected at admission: drop what ${level} forbids, or raise the namespace's pod-security.kubernetes.io/enforce level`,
    });
  }
  return findings;
}

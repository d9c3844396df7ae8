/** References between Kubernetes objects, read from the fields that hold them. */
import { isMap, type KubeDoc } from './tree.js';

export interface Ref {
  kind: string;
  /** Undefined for cluster-scoped targets. */
  namespace: string | undefined;
  name: string;
  /** Field path in the referring object, for the message. */
  field: string;
  /** A pod cannot start without it (secret/configMap volumes and env, PVCs, service account). */
  blocksPods: boolean;
  /** A cross-namespace Gateway API reference: the target namespace needs a ReferenceGrant from this kind. */
  grantFrom?: { group: string; kind: string; namespace: string };
  /** The Service port it needs: a number (`port`) or a port name (an Ingress backend's `port.name`). */
  port?: number | string;
  /** The keys of the Secret or ConfigMap it reads (`secretKeyRef.key`, a volume's `items[].key`). */
  keys?: string[];
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const get = (value: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((current, key) => (isMap(current) ? current[key] : undefined), value);

const WORKLOAD_TEMPLATE: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The pod spec of a workload (and its field path), or undefined for other kinds. */
export function podSpecOf(doc: KubeDoc): { spec: Record<string, unknown>; path: string } | undefined {
  const keys = (doc.group === '' || doc.group === 'apps' || doc.group === 'batch') && WORKLOAD_TEMPLATE[doc.kind];
  if (!keys) return undefined;
  const spec = get(doc.raw, ...keys);
  return isMap(spec) ? { spec, path: keys.join('.') } : undefined;
}

export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function podRefs(spec: Record<string, unknown>, path: string, namespace: string | undefined): Ref[] {
  const refs: Ref[] = [];
  const add = (kind: string, name: string | undefined, field: string, blocksPods: boolean, optional = false, keys: string[] = []) => {
    if (name && !optional) refs.push({ kind, namespace, name, field: `${path}.${field}`, blocksPods, ...(keys.length > 0 ? { keys } : {}) });
  };
  const itemKeys = (items: unknown) => list(items).map((item) => str(get(item, 'key'))).filter((key): key is string => key !== undefined);
  add('ServiceAccount', str(spec['serviceAccountName']) ?? str(spec['serviceAccount']), 'serviceAccountName', true);
  list(spec['imagePullSecrets']).forEach((item, i) => add('Secret', str(get(item, 'name')), `imagePullSecrets[${i}]`, false));
  list(spec['volumes']).forEach((volume, i) => {
    add('Secret', str(get(volume, 'secret', 'secretName')), `volumes[${i}].secret`, true, get(volume, 'secret', 'optional') === true, itemKeys(get(volume, 'secret', 'items')));
    add('ConfigMap', str(get(volume, 'configMap', 'name')), `volumes[${i}].configMap`, true, get(volume, 'configMap', 'optional') === true, itemKeys(get(volume, 'configMap', 'items')));
    add('PersistentVolumeClaim', str(get(volume, 'persistentVolumeClaim', 'claimName')), `volumes[${i}].persistentVolumeClaim`, true);
    list(get(volume, 'projected', 'sources')).forEach((source, j) => {
      add('Secret', str(get(source, 'secret', 'name')), `volumes[${i}].projected.sources[${j}].secret`, true, get(source, 'secret', 'optional') === true, itemKeys(get(source, 'secret', 'items')));
      add('ConfigMap', str(get(source, 'configMap', 'name')), `volumes[${i}].projected.sources[${j}].configMap`, true, get(source, 'configMap', 'optional') === true, itemKeys(get(source, 'configMap', 'items')));
    });
  });
  for (const listName of CONTAINER_LISTS) {
    list(spec[listName]).forEach((container, c) => {
      const at = `${listName}[${c}]`;
      list(get(container, 'env')).forEach((env, e) => {
        const secret = get(env, 'valueFrom', 'secretKeyRef');
        const configMap = get(env, 'valueFrom', 'configMapKeyRef');
        add('Secret', str(get(secret, 'name')), `${at}.env[${e}].valueFrom.secretKeyRef`, true, get(secret, 'optional') === true, [str(get(secret, 'key'))].filter((key): key is string => key !== undefined));
        add('ConfigMap', str(get(configMap, 'name')), `${at}.env[${e}].valueFrom.configMapKeyRef`, true, get(configMap, 'optional') === true, [str(get(configMap, 'key'))].filter((key): key is string => key !== undefined));
      });
      list(get(container, 'envFrom')).forEach((source, e) => {
        add('Secret', str(get(source, 'secretRef', 'name')), `${at}.envFrom[${e}].secretRef`, true, get(source, 'secretRef', 'optional') === true);
        add('ConfigMap', str(get(source, 'configMapRef', 'name')), `${at}.envFrom[${e}].configMapRef`, true, get(source, 'configMapRef', 'optional') === true);
      });
    });
  }
  return refs;
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const ROUTES = new Set(['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute']);

/** Secret references inside an issuer spec: every `*SecretRef` with a name, and `ca.secretName`. */
function issuerSecretRefs(spec: unknown, namespace: string | undefined): Ref[] {
  const refs: Ref[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`));
    if (!isMap(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const at = `${path}.${key}`;
      if (key.endsWith('SecretRef') && key !== 'privateKeySecretRef' && str(get(child, 'name'))) {
        const secretKey = str(get(child, 'key'));
        refs.push({ kind: 'Secret', namespace, name: str(get(child, 'name'))!, field: at, blocksPods: false, ...(secretKey ? { keys: [secretKey] } : {}) });
      } else {
        walk(child, at);
      }
    }
  };
  walk(spec, 'spec');
  const ca = str(get(spec, 'ca', 'secretName'));
  if (ca) refs.push({ kind: 'Secret', namespace, name: ca, field: 'spec.ca.secretName', blocksPods: false });
  return refs;
}

function certManagerAnnotationRefs(doc: KubeDoc, namespace: string | undefined): Ref[] {
  const refs: Ref[] = [];
  const clusterIssuer = doc.annotations['cert-manager.io/cluster-issuer'];
  if (clusterIssuer) refs.push({ kind: 'ClusterIssuer', namespace: undefined, name: clusterIssuer, field: "metadata.annotations['cert-manager.io/cluster-issuer']", blocksPods: false });
  const issuer = doc.annotations['cert-manager.io/issuer'];
  const group = doc.annotations['cert-manager.io/issuer-group'] ?? 'cert-manager.io';
  if (issuer && group === 'cert-manager.io') {
    const kind = doc.annotations['cert-manager.io/issuer-kind'] ?? 'Issuer';
    refs.push({ kind, namespace: kind === 'ClusterIssuer' ? undefined : namespace, name: issuer, field: "metadata.annotations['cert-manager.io/issuer']", blocksPods: false });
  }
  return refs;
}

/** Whether cert-manager issues the TLS secrets this Gateway/Ingress names (its gateway/ingress shim). */
export function hasCertManagerAnnotation(doc: KubeDoc): boolean {
  return doc.annotations['cert-manager.io/cluster-issuer'] !== undefined || doc.annotations['cert-manager.io/issuer'] !== undefined;
}

const placedRefs = new WeakMap<KubeDoc, { namespace: string | undefined; clusterResourceNamespace: string; refs: readonly Ref[] }>();

/**
 * `refsOf`, worked out once per object and namespace: the references and runtime checks both walk
 * the references of every applied object. Read-only: callers share the list.
 */
export function sharedRefsOf(doc: KubeDoc, namespace: string | undefined, clusterResourceNamespace: string): readonly Ref[] {
  const cached = placedRefs.get(doc);
  if (cached && cached.namespace === namespace && cached.clusterResourceNamespace === clusterResourceNamespace) return cached.refs;
  const refs = refsOf(doc, namespace, clusterResourceNamespace);
  placedRefs.set(doc, { namespace, clusterResourceNamespace, refs });
  return refs;
}

/**
 * Every reference an object makes. `namespace` is where the object lands; `clusterResourceNamespace`
 * is where cert-manager looks for a ClusterIssuer's secrets.
 */
export function refsOf(doc: KubeDoc, namespace: string | undefined, clusterResourceNamespace: string): Ref[] {
  const refs: Ref[] = [];
  const spec = doc.raw['spec'];
  const pod = podSpecOf(doc);
  if (pod) refs.push(...podRefs(pod.spec, pod.path, namespace));
  if (doc.group === 'apps' && doc.kind === 'StatefulSet') {
    list(get(spec, 'volumeClaimTemplates')).forEach((template, i) => {
      const storageClass = str(get(template, 'spec', 'storageClassName'));
      if (storageClass) refs.push({ kind: 'StorageClass', namespace: undefined, name: storageClass, field: `spec.volumeClaimTemplates[${i}].spec.storageClassName`, blocksPods: true });
    });
  }
  if (doc.group === '' && (doc.kind === 'PersistentVolumeClaim' || doc.kind === 'PersistentVolume')) {
    const storageClass = str(get(spec, 'storageClassName'));
    if (storageClass) refs.push({ kind: 'StorageClass', namespace: undefined, name: storageClass, field: 'spec.storageClassName', blocksPods: true });
  }
  if (doc.group === GATEWAY_GROUP && ROUTES.has(doc.kind)) {
    list(get(spec, 'parentRefs')).forEach((parent, i) => {
      const kind = str(get(parent, 'kind')) ?? 'Gateway';
      const group = (get(parent, 'group') as string | undefined) ?? GATEWAY_GROUP;
      if (kind === 'Gateway' && group === GATEWAY_GROUP && str(get(parent, 'name'))) {
        refs.push({ kind: 'Gateway', namespace: str(get(parent, 'namespace')) ?? namespace, name: str(get(parent, 'name'))!, field: `spec.parentRefs[${i}]`, blocksPods: false });
      }
    });
    list(get(spec, 'rules')).forEach((rule, r) => {
      const backends: [unknown, string][] = list(get(rule, 'backendRefs')).map((backend, b) => [backend, `spec.rules[${r}].backendRefs[${b}]`]);
      list(get(rule, 'filters')).forEach((filter, f) => {
        const mirror = get(filter, 'requestMirror', 'backendRef');
        if (mirror) backends.push([mirror, `spec.rules[${r}].filters[${f}].requestMirror.backendRef`]);
      });
      for (const [backend, field] of backends) {
        const kind = str(get(backend, 'kind')) ?? 'Service';
        const group = (get(backend, 'group') as string | undefined) ?? '';
        if (kind === 'Service' && group === '' && str(get(backend, 'name'))) {
          const target = str(get(backend, 'namespace')) ?? namespace;
          const grantFrom = namespace && target !== namespace ? { grantFrom: { group: GATEWAY_GROUP, kind: doc.kind, namespace } } : {};
          const port = get(backend, 'port');
          refs.push({ kind: 'Service', namespace: target, name: str(get(backend, 'name'))!, field, blocksPods: false, ...grantFrom, ...(typeof port === 'number' ? { port } : {}) });
        }
      }
    });
  }
  if (doc.group === GATEWAY_GROUP && doc.kind === 'Gateway') {
    if (!hasCertManagerAnnotation(doc)) {
      list(get(spec, 'listeners')).forEach((listener, l) => {
        list(get(listener, 'tls', 'certificateRefs')).forEach((ref, c) => {
          const kind = str(get(ref, 'kind')) ?? 'Secret';
          const group = (get(ref, 'group') as string | undefined) ?? '';
          if (kind === 'Secret' && group === '' && str(get(ref, 'name'))) {
            const target = str(get(ref, 'namespace')) ?? namespace;
            const grantFrom = namespace && target !== namespace ? { grantFrom: { group: GATEWAY_GROUP, kind: 'Gateway', namespace } } : {};
            refs.push({ kind: 'Secret', namespace: target, name: str(get(ref, 'name'))!, field: `spec.listeners[${l}].tls.certificateRefs[${c}]`, blocksPods: false, ...grantFrom });
          }
        });
      });
    }
    refs.push(...certManagerAnnotationRefs(doc, namespace));
  }
  if (doc.group === 'networking.k8s.io' && doc.kind === 'Ingress') {
    if (!hasCertManagerAnnotation(doc)) {
      list(get(spec, 'tls')).forEach((tls, t) => {
        const name = str(get(tls, 'secretName'));
        if (name) refs.push({ kind: 'Secret', namespace, name, field: `spec.tls[${t}].secretName`, blocksPods: false });
      });
    }
    const backend = (value: unknown, field: string) => {
      const name = str(get(value, 'service', 'name'));
      const port = get(value, 'service', 'port', 'number') ?? str(get(value, 'service', 'port', 'name'));
      if (name) refs.push({ kind: 'Service', namespace, name, field, blocksPods: false, ...(typeof port === 'number' || typeof port === 'string' ? { port } : {}) });
    };
    backend(get(spec, 'defaultBackend'), 'spec.defaultBackend');
    list(get(spec, 'rules')).forEach((rule, r) =>
      list(get(rule, 'http', 'paths')).forEach((path, p) => backend(get(path, 'backend'), `spec.rules[${r}].http.paths[${p}].backend`)),
    );
    refs.push(...certManagerAnnotationRefs(doc, namespace));
  }
  if (doc.group === 'cert-manager.io' && doc.kind === 'Certificate') {
    const issuer = get(spec, 'issuerRef');
    const group = str(get(issuer, 'group')) ?? 'cert-manager.io';
    const kind = str(get(issuer, 'kind')) ?? 'Issuer';
    if (group === 'cert-manager.io' && str(get(issuer, 'name'))) {
      refs.push({ kind, namespace: kind === 'ClusterIssuer' ? undefined : namespace, name: str(get(issuer, 'name'))!, field: 'spec.issuerRef', blocksPods: false });
    }
  }
  if (doc.group === 'cert-manager.io' && doc.kind === 'ClusterIssuer') refs.push(...issuerSecretRefs(spec, clusterResourceNamespace));
  if (doc.group === 'cert-manager.io' && doc.kind === 'Issuer') refs.push(...issuerSecretRefs(spec, namespace));
  if (doc.group === 'rbac.authorization.k8s.io' && (doc.kind === 'RoleBinding' || doc.kind === 'ClusterRoleBinding')) {
    list(get(doc.raw, 'subjects')).forEach((subject, s) => {
      if (str(get(subject, 'kind')) !== 'ServiceAccount' || !str(get(subject, 'name'))) return;
      const subjectNamespace = str(get(subject, 'namespace')) ?? (doc.kind === 'RoleBinding' ? namespace : undefined);
      if (subjectNamespace) refs.push({ kind: 'ServiceAccount', namespace: subjectNamespace, name: str(get(subject, 'name'))!, field: `subjects[${s}]`, blocksPods: false });
    });
  }
  return refs;
}

/** Secrets an object makes exist (cert-manager writes them): `[namespace, name]` pairs. */
export function producedSecrets(doc: KubeDoc, namespace: string | undefined, clusterResourceNamespace: string): [string, string][] {
  const produced: [string, string][] = [];
  const spec = doc.raw['spec'];
  if (doc.group === 'cert-manager.io' && doc.kind === 'Certificate' && namespace && str(get(spec, 'secretName'))) produced.push([namespace, str(get(spec, 'secretName'))!]);
  if (doc.group === 'cert-manager.io' && (doc.kind === 'ClusterIssuer' || doc.kind === 'Issuer')) {
    const name = str(get(spec, 'acme', 'privateKeySecretRef', 'name'));
    const where = doc.kind === 'ClusterIssuer' ? clusterResourceNamespace : namespace;
    if (name && where) produced.push([where, name]);
  }
  if (hasCertManagerAnnotation(doc) && namespace) {
    if (doc.group === GATEWAY_GROUP && doc.kind === 'Gateway') {
      for (const listener of list(get(spec, 'listeners'))) {
        for (const ref of list(get(listener, 'tls', 'certificateRefs'))) if (str(get(ref, 'name'))) produced.push([str(get(ref, 'namespace')) ?? namespace, str(get(ref, 'name'))!]);
      }
    }
    if (doc.group === 'networking.k8s.io' && doc.kind === 'Ingress') {
      for (const tls of list(get(spec, 'tls'))) if (str(get(tls, 'secretName'))) produced.push([namespace, str(get(tls, 'secretName'))!]);
    }
  }
  return produced;
}

/** Whether a ReferenceGrant (its spec) permits `from` to refer to `kind`/`name` in the grant's namespace. */
export function grantPermits(spec: unknown, from: { group: string; kind: string; namespace: string }, kind: string, name: string): boolean {
  const fromOk = list(get(spec, 'from')).some((entry) => str(get(entry, 'group')) === from.group && str(get(entry, 'kind')) === from.kind && str(get(entry, 'namespace')) === from.namespace);
  const toOk = list(get(spec, 'to')).some((entry) => (get(entry, 'group') ?? '') === '' && str(get(entry, 'kind')) === kind && (str(get(entry, 'name')) === undefined || str(get(entry, 'name')) === name));
  return fromOk && toOk;
}

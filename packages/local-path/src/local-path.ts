/**
 * Node-local storage: rancher local-path-provisioner and its `local-path` StorageClass. Each
 * volume is a directory below LOCAL_PATH_ROOT on the node the consuming pod is scheduled to
 * (WaitForFirstConsumer), for the stateful workloads whose documentation rules NFS out.
 */
import { merge, toYaml, type Component, type ComponentModule, type Patch } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { CONFIG_MAP_NAME, CONFIG_MOUNT_PATH, HEALTH_PORT, LOCAL_PATH_PROVISIONER, LOCAL_PATH_ROOT, LOCAL_PATH_STORAGE_CLASS, localPathDefaults } from './defaults.js';
import { HELPER_IMAGE, LOCAL_PATH_PROVISIONER_IMAGE, imageRef } from './versions.js';

export const LOCAL_PATH_COMPONENT = 'local-path';
const SOURCE = '@homelab/local-path';
const PROVISIONER = 'local-path-provisioner';

/** What a caller may change; every field has its default in `localPathDefaults`. */
export interface LocalPathSettings {
  /**
   * ArgoCD sync wave of the component: with nfs-csi, after Cilium (-10) and before every consumer
   * of storage (kube-prometheus-stack, apps at 0, authentik at 10).
   * @default -5
   */
  syncWave: number;
  /** Namespace of the provisioner and of the helper pods it starts on the nodes. @default 'local-path-storage' */
  namespace: string;
  /**
   * What happens to a volume's directory when its claim is deleted. `Retain` keeps it (the
   * PersistentVolume turns Released; delete it and the directory by hand), so deleting a claim
   * never deletes a TSDB or a database; `Delete` has the provisioner remove the directory.
   * @default 'Retain'
   */
  reclaimPolicy: 'Retain' | 'Delete';
}

/** The raw objects, keyed by the name callers patch or drop them by. */
export type LocalPathObjects = {
  serviceAccount: ServiceAccount;
  clusterRole: ClusterRole;
  clusterRoleBinding: ClusterRoleBinding;
  role: Role;
  roleBinding: RoleBinding;
  config: ConfigMap;
  deployment: Deployment;
  storageClass: StorageClass;
};

const RECLAIM_POLICIES: readonly string[] = ['Retain', 'Delete'];

function checkSettings(settings: LocalPathSettings): void {
  if (!RECLAIM_POLICIES.includes(settings.reclaimPolicy)) {
    throw new Error(`${LOCAL_PATH_COMPONENT}: is not a reclaim policy (reclaimPolicy: '${String(settings.reclaimPolicy)}'). Use ${RECLAIM_POLICIES.join(' or ')}.`);
  }
}

/** The provisioner's config.json: every node keeps its volumes below LOCAL_PATH_ROOT. */
export function provisionerConfig(): { nodePathMap: { node: string; paths: string[] }[] } {
  return { nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: [LOCAL_PATH_ROOT] }] };
}

/**
 * The helper pod the provisioner starts on a volume's node to run `setup` or `teardown` (it adds
 * the hostPath volume, the script and the node itself). It may not set its own securityContext,
 * volumes or host namespaces: the provisioner rejects such a template. It runs as root on a
 * hostPath, hence the namespace's privileged Pod Security level.
 */
export function helperPod(): Pod {
  return new Pod({
    metadata: { name: 'helper-pod' },
    spec: {
      // Creating or removing a directory must not wait behind workloads, nor be evicted on a full disk.
      priorityClassName: 'system-node-critical',
      tolerations: [{ key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' }],
      containers: [{ name: 'helper-pod', image: imageRef(HELPER_IMAGE), imagePullPolicy: 'IfNotPresent' }],
    },
  });
}

/**
 * The scripts the helper pod runs with `VOL_DIR` set. The directory is world-writable (upstream's
 * choice) because kubelets apply no fsGroup to hostPath volumes: a workload running as its own
 * non-root user (Prometheus, PostgreSQL) must be able to write to it.
 */
const SETUP = '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"\n';
const TEARDOWN = '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"\n';

export function localPathObjects(settings: LocalPathSettings): LocalPathObjects {
  const { namespace } = settings;
  const labels = { 'app.kubernetes.io/name': PROVISIONER };
  const serviceAccount = new ServiceAccount({ metadata: { name: PROVISIONER, namespace } });
  const subject = { kind: 'ServiceAccount', name: PROVISIONER, namespace };
  const volume = 'config';
  return {
    serviceAccount,
    // Watches claims and nodes, creates and deletes the PersistentVolumes, reads its StorageClasses.
    clusterRole: new ClusterRole({
      metadata: { name: PROVISIONER },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'persistentvolumeclaims', 'configmaps', 'pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
      ],
    }),
    clusterRoleBinding: new ClusterRoleBinding({
      metadata: { name: PROVISIONER },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: PROVISIONER },
      subjects: [subject],
    }),
    // Starts and removes its helper pods in its own namespace only.
    role: new Role({
      metadata: { name: PROVISIONER, namespace },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] }],
    }),
    roleBinding: new RoleBinding({
      metadata: { name: PROVISIONER, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: PROVISIONER },
      subjects: [subject],
    }),
    config: new ConfigMap({
      metadata: { name: CONFIG_MAP_NAME, namespace },
      data: {
        'config.json': JSON.stringify(provisionerConfig(), null, 2),
        setup: SETUP,
        teardown: TEARDOWN,
        'helperPod.yaml': toYaml(helperPod().toJSON()),
      },
    }),
    deployment: new Deployment({
      metadata: { name: PROVISIONER, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: PROVISIONER,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: PROVISIONER,
                image: imageRef(LOCAL_PATH_PROVISIONER_IMAGE),
                imagePullPolicy: 'IfNotPresent',
                command: ['local-path-provisioner', 'start', '--config', `${CONFIG_MOUNT_PATH}config.json`],
                ports: [{ name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' }],
                startupProbe: { httpGet: { path: '/health', port: 'health' }, periodSeconds: 5, failureThreshold: 12 },
                livenessProbe: { httpGet: { path: '/health', port: 'health' }, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: '/ready', port: 'health' }, periodSeconds: 5 },
                env: [
                  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                  // Set, the provisioner reloads helperPod.yaml too when the ConfigMap changes.
                  { name: 'CONFIG_MOUNT_PATH', value: CONFIG_MOUNT_PATH },
                  { name: 'HEALTH_PORT', value: String(HEALTH_PORT) },
                ],
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: volume, mountPath: CONFIG_MOUNT_PATH }],
              },
            ],
            volumes: [{ name: volume, configMap: { name: CONFIG_MAP_NAME } }],
          },
        },
      },
    }),
    // Not the default class: nfs-config stays the default, this one is chosen per workload.
    storageClass: new StorageClass({
      metadata: { name: LOCAL_PATH_STORAGE_CLASS },
      provisioner: LOCAL_PATH_PROVISIONER,
      // The directory is made on the node the pod is scheduled to, so binding waits for the pod.
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: settings.reclaimPolicy,
      // A directory has no size to grow: the provisioner does not expand volumes.
      allowVolumeExpansion: false,
    }),
  };
}

/** The node-local storage component, with `overrides` merged onto `localPathDefaults` (merge() semantics). */
export function localPath(_config: ResolvedConfig, overrides?: Patch<LocalPathSettings>): Component {
  const settings = merge<LocalPathSettings>(localPathDefaults, overrides);
  checkSettings(settings);
  return {
    name: LOCAL_PATH_COMPONENT,
    group: 'core',
    namespace: settings.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: 'Node-local volumes (local-path StorageClass) for the stateful workloads NFS does not suit',
    // The helper pods run as root with a hostPath volume of the node's LOCAL_PATH_ROOT.
    podSecurity: 'privileged',
    hostDirectories: [LOCAL_PATH_ROOT],
    // The provisioner watches claims and writes volumes; it serves no metrics. Helper pods need no network.
    network: { pods: { matchLabels: { 'app.kubernetes.io/name': PROVISIONER } }, kubeApi: { client: true }, metricsPorts: [] },
    objects: localPathObjects(settings),
  };
}

export const localPathModule: ComponentModule<ResolvedConfig> = {
  name: LOCAL_PATH_COMPONENT,
  kind: 'component',
  // Stateful workloads whose docs rule NFS out put their volumes on this class when it is deployed.
  provides: { nodeLocalStorage: { storageClass: LOCAL_PATH_STORAGE_CLASS } },
  build: (config) => localPath(config),
};

/**
 * NFS storage: the csi-driver-nfs chart, the dynamic `nfs-config` StorageClass and the static
 * media volume (StorageClass `nfs-media`, PersistentVolume and its pre-bound claim).
 */
import { merge, type Component, type ComponentModule, type Patch } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { StorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { MEDIA_CLAIM, NFS_CSI_DRIVER, STORAGE_CLASSES, nfsCsiDefaults } from './defaults.js';
import { NFS_CSI_CHART } from './versions.js';

const NAME = 'nfs-csi';
const SOURCE = '@homelab/nfs-csi';

/** Template variables csi-driver-nfs replaces in a StorageClass `subDir` parameter. */
export const SUBDIR_VARIABLES = ['pvc.metadata.namespace', 'pvc.metadata.name', 'pv.metadata.name'] as const;

/** What a caller may change; every field has its default in `nfsCsiDefaults`. */
export interface NfsCsiSettings {
  /**
   * ArgoCD sync wave of the component. After Cilium (-10), before every consumer of storage
   * (apps at 0, authentik at 10); it shares -5 with cert-manager since neither needs the other.
   * @default -5
   */
  syncWave: number;
  /** Namespace of the driver's controller Deployment and node DaemonSet. @default 'kube-system' */
  namespace: string;
  /**
   * Replicas of the csi-nfs-controller Deployment (provisioning and resizing only; mounts are done
   * by the node DaemonSet, so running volumes never depend on it). More than one needs as many
   * nodes: the pods use the host network and would clash on their health port.
   * @default 1
   */
  controllerReplicas: number;
  /**
   * Kubelet root directory on the nodes; the node plugin mounts volumes below `<kubeletDir>/pods`.
   * Talos keeps the upstream path (k3s/k0s/microk8s are the ones that move it).
   * @default '/var/lib/kubelet'
   */
  kubeletDir: string;
  /**
   * NFS mount options of every volume, dynamic and static. NFSv4.1 (one TCP port, sessions);
   * `hard` so a NAS reboot stalls I/O instead of corrupting it; `noatime` to spare the NAS a
   * metadata write per read.
   * @default ['nfsvers=4.1', 'hard', 'noatime']
   */
  mountOptions: string[];
  config: {
    /**
     * Directory of each dynamic volume under the config export. csi-driver-nfs replaces
     * `${pvc.metadata.namespace}`, `${pvc.metadata.name}` and `${pv.metadata.name}`; with the
     * namespace/name layout a re-created claim finds its old data (reclaim policy is Retain).
     * @see https://github.com/kubernetes-csi/csi-driver-nfs/blob/master/docs/driver-parameters.md
     * @default '${pvc.metadata.namespace}/${pvc.metadata.name}'
     */
    subDir: string;
    /**
     * Mark `nfs-config` as the cluster's default StorageClass, so a chart that leaves
     * `storageClassName` empty gets a volume instead of a claim that stays Pending forever.
     * @default true
     */
    defaultClass: boolean;
  };
  media: {
    /**
     * Capacity of the media PersistentVolume and the request of its claim. NFS does not enforce
     * it (the dataset's quota does); binding only needs request <= capacity.
     * @default '1Ti'
     */
    capacity: string;
  };
}

/** The Helm values this package sets (a subset of the chart's values.yaml). */
export type NfsCsiChartValues = {
  driver: { name: string };
  kubeletDir: string;
  controller: { replicas: number; enableSnapshotter: boolean };
  externalSnapshotter: { enabled: boolean; customResourceDefinitions: { enabled: boolean } };
  volumeSnapshotClass: { create: boolean };
  storageClass: { create: boolean };
};

/** The raw objects, keyed by the name callers patch or drop them by. */
export type NfsCsiObjects = {
  configStorageClass: StorageClass;
  mediaStorageClass: StorageClass;
  mediaVolume: PersistentVolume;
  mediaClaim: PersistentVolumeClaim;
};

const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const TEMPLATE_VARIABLE = /\$\{([^}]*)\}/g;

function fail(problem: string, path: string, value: unknown, fix: string): never {
  throw new Error(`${NAME}: ${problem} (${path}: '${String(value)}'). ${fix}`);
}

/** Rejects settings the cluster would only reject later (or never, silently). */
export function checkSettings(settings: NfsCsiSettings): void {
  if (!Number.isInteger(settings.controllerReplicas) || settings.controllerReplicas < 1) {
    fail('controller replicas must be a whole number of at least 1', 'controllerReplicas', settings.controllerReplicas, 'Use 1, or at most the number of nodes.');
  }
  if (!QUANTITY.test(settings.media.capacity)) {
    fail('media capacity is not a Kubernetes quantity', 'media.capacity', settings.media.capacity, 'Use a size such as 1Ti or 500Gi.');
  }
  for (const [, variable] of settings.config.subDir.matchAll(TEMPLATE_VARIABLE)) {
    if (!(SUBDIR_VARIABLES as readonly string[]).includes(variable ?? '')) {
      fail(`subDir uses \${${variable}}, which csi-driver-nfs does not replace`, 'config.subDir', settings.config.subDir, `Use only ${SUBDIR_VARIABLES.map((name) => `\${${name}}`).join(', ')}.`);
    }
  }
}

/**
 * Chart values: the driver and its controller only. No snapshot support (neither the
 * csi-snapshotter sidecar, which would poll VolumeSnapshot CRDs that do not exist, nor the
 * snapshot controller and its CRDs), and no StorageClass from the chart: ours are typed objects.
 */
export function nfsCsiValues(settings: NfsCsiSettings): NfsCsiChartValues {
  return {
    driver: { name: NFS_CSI_DRIVER },
    kubeletDir: settings.kubeletDir,
    controller: { replicas: settings.controllerReplicas, enableSnapshotter: false },
    externalSnapshotter: { enabled: false, customResourceDefinitions: { enabled: false } },
    volumeSnapshotClass: { create: false },
    storageClass: { create: false },
  };
}

/** The StorageClasses and the static media volume, all derived from `config.nfs`. */
export function nfsCsiObjects(config: ResolvedConfig, settings: NfsCsiSettings): NfsCsiObjects {
  const { server, exports } = config.nfs;
  const claim = MEDIA_CLAIM;
  const volumeName = claim.name;
  const capacity = settings.media.capacity;
  return {
    configStorageClass: new StorageClass({
      metadata: {
        name: STORAGE_CLASSES.config,
        ...(settings.config.defaultClass ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      },
      provisioner: NFS_CSI_DRIVER,
      parameters: { server, share: exports.config, subDir: settings.config.subDir },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: true,
      mountOptions: [...settings.mountOptions],
    }),
    // No provisioner: nothing is ever created for this class, so the only volume a claim can get
    // is the pre-bound static one (a stray claim stays Pending instead of getting a new directory).
    mediaStorageClass: new StorageClass({
      metadata: { name: STORAGE_CLASSES.media },
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
      allowVolumeExpansion: false,
    }),
    mediaVolume: new PersistentVolume({
      metadata: { name: volumeName },
      spec: {
        capacity: { storage: capacity },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STORAGE_CLASSES.media,
        mountOptions: [...settings.mountOptions],
        // Pre-bound: no other claim can take this volume, even one asking for the same class.
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: claim.namespace, name: claim.name },
        csi: {
          driver: NFS_CSI_DRIVER,
          // The driver's own volume ID format, {server}#{share}#{subDir}, with no sub-directory.
          volumeHandle: `${server}#${exports.media}#`,
          volumeAttributes: { server, share: exports.media },
        },
      },
    }),
    mediaClaim: new PersistentVolumeClaim({
      metadata: { name: claim.name, namespace: claim.namespace },
      spec: {
        accessModes: ['ReadWriteMany'],
        storageClassName: STORAGE_CLASSES.media,
        volumeName,
        resources: { requests: { storage: capacity } },
      },
    }),
  };
}

/** The NFS storage component, with `overrides` merged onto `nfsCsiDefaults` (merge() semantics). */
export function nfsCsi(config: ResolvedConfig, overrides?: Patch<NfsCsiSettings>): Component {
  const settings = merge<NfsCsiSettings>(nfsCsiDefaults, overrides);
  checkSettings(settings);
  return {
    name: NAME,
    group: 'core',
    namespace: settings.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: 'NFS CSI driver, the dynamic nfs-config StorageClass and the shared static media volume',
    chart: { ...NFS_CSI_CHART },
    values: nfsCsiValues(settings),
    // The node plugin runs privileged with host networking and mounts below the kubelet directory.
    podSecurity: 'privileged',
    // The controller provisions through the API (host network: no policy applies to it).
    network: { kubeApi: { client: true } },
    // The chart's CSIDriver and RBAC; the StorageClasses and the PersistentVolume are objects.
    clusterResources: ['CSIDriver', 'ClusterRole', 'ClusterRoleBinding'],
    objects: nfsCsiObjects(config, settings),
  };
}

export const nfsCsiModule: ComponentModule<ResolvedConfig> = {
  name: NAME,
  kind: 'component',
  build: (config) => nfsCsi(config),
};

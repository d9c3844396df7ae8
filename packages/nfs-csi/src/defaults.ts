/**
 * Every name and default of the NFS storage component, in one place. The constants are the
 * contract other packages build on (a media app imports MEDIA_CLAIM, a chart's PVC imports
 * STORAGE_CLASSES); `nfsCsiDefaults` holds what a caller may override.
 */
import type { NfsCsiSettings } from './nfs-csi.js';

/** StorageClass names other packages put in their PersistentVolumeClaims. */
export const STORAGE_CLASSES = {
  /** Dynamic: one sub-directory of the config export per claim (app config, databases, TSDBs). */
  config: 'nfs-config',
  /** Static: only the shared media volume binds to it. */
  media: 'nfs-media',
} as const;

/**
 * The one claim every media app mounts (the static media PersistentVolume is pre-bound to it).
 * One claim means one NFS mount of one export: one filesystem, so hardlinks and atomic moves work
 * between downloads and the library.
 */
export const MEDIA_CLAIM = { namespace: 'media', name: 'media' } as const;

/**
 * Where every media app (download client, *arr apps, media server) mounts MEDIA_CLAIM. All of them
 * must use the same path: the download client reports `/data/downloads/…`, and the *arr app can
 * hardlink that exact path into `/data/tv/…` only when it sees the same tree at the same place (no
 * remote path mappings). `/data` is the convention of the TRaSH guides and of hotio images; it
 * avoids `/media`, which reads like the export's own name and, in linuxserver images, like a
 * library-only folder.
 */
export const MEDIA_MOUNT_PATH = '/data';

/** The CSI driver name: the chart's `driver.name`, the dynamic provisioner and the static PV's driver. */
export const NFS_CSI_DRIVER = 'nfs.csi.k8s.io';

/** Documented defaults of `NfsCsiSettings`; see the type for what each one means and why. */
export const nfsCsiDefaults = {
  syncWave: -5,
  namespace: 'kube-system',
  controllerReplicas: 1,
  kubeletDir: '/var/lib/kubelet',
  mountOptions: ['nfsvers=4.1', 'hard', 'noatime'],
  config: {
    subDir: '${pvc.metadata.namespace}/${pvc.metadata.name}',
    defaultClass: true,
  },
  media: {
    capacity: '1Ti',
  },
} satisfies NfsCsiSettings;

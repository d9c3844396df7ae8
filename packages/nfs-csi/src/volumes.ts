/**
 * An app's volumes on this package's storage, as app descriptions of @homelab/app-template take
 * them (`AppExistingClaimVolume`, `AppClaimVolume`). Matched structurally: nfs-csi does not depend
 * on app-template, which stays storage-agnostic; an app package passing them to `appComponent`
 * has the compiler check the shapes agree.
 */
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from './defaults.js';

/** The shared media claim, mounted at the one media path. */
export interface MediaVolume {
  type: 'existingClaim';
  claim: typeof MEDIA_CLAIM.name;
  mountPath: typeof MEDIA_MOUNT_PATH;
  readOnly: boolean;
}

/** A new claim of the app's own on the dynamic config StorageClass. */
export interface ConfigVolume {
  type: 'claim';
  storageClass: typeof STORAGE_CLASSES.config;
  size: string;
  mountPath: string;
}

/**
 * MEDIA_CLAIM at MEDIA_MOUNT_PATH: the same claim at the same path in every media app, so
 * downloads hardlink into the library. Read-write unless `readOnly` (a media server only reads).
 */
export function mediaVolume({ readOnly = false }: { readOnly?: boolean } = {}): MediaVolume {
  return { type: 'existingClaim', claim: MEDIA_CLAIM.name, mountPath: MEDIA_MOUNT_PATH, readOnly };
}

/**
 * A `size` claim on STORAGE_CLASSES.config (one directory of the config export) for the app's
 * state, at `mountPath`. @default mountPath '/config' (where linuxserver.io and hotio images keep it)
 */
export function configVolume(size: string, { mountPath = '/config' }: { mountPath?: string } = {}): ConfigVolume {
  return { type: 'claim', storageClass: STORAGE_CLASSES.config, size, mountPath };
}

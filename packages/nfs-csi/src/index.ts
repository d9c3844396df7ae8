export { nfsCsi, nfsCsiModule, type NfsCsiSettings } from './nfs-csi.js';
export { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES, nfsCsiDefaults } from './defaults.js';
export { configVolume, mediaVolume, type ConfigVolume, type MediaVolume } from './volumes.js';

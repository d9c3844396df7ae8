export { LOCAL_PATH_COMPONENT, localPath, localPathModule, type LocalPathSettings } from './local-path.js';
export { LOCAL_PATH_PROVISIONER, LOCAL_PATH_ROOT, LOCAL_PATH_STORAGE_CLASS, localPathDefaults } from './defaults.js';
export { volumeStorageClass, type VolumePlacementRule } from './placement.js';

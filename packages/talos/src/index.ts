export {
  buildTalos,
  kubeletExtraMounts,
  type KubeletExtraMount,
  renderPatch,
  schematicId,
  systemExtensions,
  TALOS_ARTIFACT,
  talconfig,
  talosArtifact,
  talosPatches,
  type Talconfig,
  type TalhelperNode,
  type TalosPatch,
  type TalosPatches,
} from './talos.js';
export {
  CONTROLLER_MANAGER_METRICS_PORT,
  ETCD_METRICS_PORT,
  METRICS_BIND_ADDRESS,
  QEMU_GUEST_AGENT_EXTENSION,
  SCHEDULER_METRICS_PORT,
  TALCONFIG_PATH,
  TALOS_DEFAULTS,
  type DeviceSelector,
  type ExtensionCondition,
  type TalosSettings,
} from './defaults.js';
export { KUBERNETES_VERSION, TALHELPER_VERSION, TALOS_VERSION } from './versions.js';

/**
 * Every name and default of the node-local storage component, in one place. The constants are
 * the contract other packages build on: the StorageClass name reaches the stateful workloads
 * through the composition (`BuildContext.nodeLocalStorage`), the node directory reaches Talos
 * through the component's `hostDirectories`.
 */
import type { LocalPathSettings } from './local-path.js';

/** The StorageClass whose volumes are directories on the node the consuming pod runs on. */
export const LOCAL_PATH_STORAGE_CLASS = 'local-path';

/** The provisioner name: the StorageClass's `provisioner` and what the controller answers to. */
export const LOCAL_PATH_PROVISIONER = 'rancher.io/local-path';

/**
 * The node directory every volume is a sub-directory of. Talos keeps `/opt` read-only and lets
 * workloads write only below `/var`; `/var/mnt` is where its docs put hostPath storage, and the
 * kubelet (a container on Talos) must see the directory too, which @homelab/talos arranges from
 * the component's `hostDirectories`.
 * @see https://docs.siderolabs.com/kubernetes-guides/csi/local-storage
 */
export const LOCAL_PATH_ROOT = '/var/mnt/local-path-provisioner';

/** The ConfigMap the provisioner reads (and watches) its configuration from: the name it looks for. */
export const CONFIG_MAP_NAME = 'local-path-config';

/** Where the provisioner container mounts that ConfigMap (its `--config` file and `CONFIG_MOUNT_PATH`). */
export const CONFIG_MOUNT_PATH = '/etc/config/';

/** The provisioner's health and readiness port (`HEALTH_PORT`: /health, /ready). */
export const HEALTH_PORT = 8080;

/** Documented defaults of `LocalPathSettings`; see the type for what each one means and why. */
export const localPathDefaults = {
  syncWave: -5,
  namespace: 'local-path-storage',
  reclaimPolicy: 'Retain',
} satisfies LocalPathSettings;

/**
 * The one rule for where a stateful workload keeps its volume: what homelab.yaml chose under
 * `storage.volumes`, else the workload's default — the node-local class when the workload's own
 * documentation rules NFS out and the composition deploys one, else NFS.
 */
import { ConfigMistake, type BuildContext } from '@homelab/core';
import type { ResolvedConfig, StatefulVolume } from '@homelab/config';
import { LOCAL_PATH_COMPONENT } from './local-path.js';

export interface VolumePlacementRule {
  /** The volume's key under `storage.volumes`. */
  volume: StatefulVolume;
  /** The NFS StorageClass it uses otherwise (from @homelab/nfs-csi). */
  nfsStorageClass: string;
  /** Its documentation says NFS is unsupported: the node-local class is its default when deployed. */
  nfsUnsupported: boolean;
}

/**
 * The StorageClass of one stateful volume. Throws a ConfigMistake at `storage.volumes.<volume>`
 * when homelab.yaml asks for node-local storage that the composition does not deploy.
 */
export function volumeStorageClass(config: Pick<ResolvedConfig, 'storage'>, context: BuildContext | undefined, rule: VolumePlacementRule): string {
  const chosen = config.storage.volumes[rule.volume];
  const nodeLocal = context?.nodeLocalStorage?.storageClass;
  if (chosen === 'nfs') return rule.nfsStorageClass;
  if (chosen === 'node-local') {
    if (nodeLocal !== undefined) return nodeLocal;
    throw new ConfigMistake([
      {
        path: `storage.volumes.${rule.volume}`,
        problem: 'asks for node-local storage, but no component providing a node-local StorageClass is deployed',
        got: chosen,
        fix: `Enable ${LOCAL_PATH_COMPONENT} (components.${LOCAL_PATH_COMPONENT}.enabled: true; a library composition adds localPathModule from @homelab/local-path to its module list), or set storage.volumes.${rule.volume}: nfs.`,
      },
    ]);
  }
  return rule.nfsUnsupported && nodeLocal !== undefined ? nodeLocal : rule.nfsStorageClass;
}

import type { ArtifactModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildProxmox, PROXMOX_ARTIFACT } from './proxmox.js';

export {
  buildProxmox,
  proxmoxTerraform,
  terraformJsonHeader,
  DOWNLOAD_RESOURCE,
  PROXMOX_ARTIFACT,
  TERRAFORM_DIR,
  TERRAFORM_FILES,
  VARIABLES,
  VM_RESOURCE,
  type ProxmoxTerraform,
  type TerraformBody,
  type TerraformJson,
} from './proxmox.js';
export { PROXMOX_DEFAULTS, type ProxmoxSettings } from './defaults.js';
export { PROXMOX_PROVIDER, TALOS_VERSION } from './versions.js';

/** Renders terraform/proxmox/ when homelab.yaml has a proxmox section (nothing otherwise). */
export const proxmoxArtifact: ArtifactModule<ResolvedConfig> = {
  name: PROXMOX_ARTIFACT,
  build: (config) => buildProxmox(config),
};

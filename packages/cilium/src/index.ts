import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildCilium, CILIUM_COMPONENT } from './cilium.js';

export { buildCilium, CILIUM_COMPONENT, type CiliumValues } from './cilium.js';
export { CILIUM_DEFAULTS, CILIUM_SECRETS_NAMESPACE, GATEWAY_CLASS_NAME, KUBEPRISM_PORT, type CiliumSettings } from './defaults.js';
export { CILIUM_CHART } from './versions.js';

/** Registers Cilium with the aggregator as `components.cilium`. */
export const ciliumModule: ComponentModule<ResolvedConfig> = {
  name: CILIUM_COMPONENT,
  kind: 'component',
  build: (config) => buildCilium(config),
};

import { serviceMonitorsWanted, type ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildCilium, CILIUM_COMPONENT } from './cilium.js';
import { CILIUM_DEFAULTS } from './defaults.js';

export { buildCilium, CILIUM_COMPONENT, type CiliumValues } from './cilium.js';
export { CILIUM_DEFAULTS, CILIUM_SECRETS_NAMESPACE, GATEWAY_CLASS_NAME, KUBEPRISM_PORT, type CiliumSettings } from './defaults.js';
export { CILIUM_CHART } from './versions.js';

/** Registers Cilium with the aggregator as `components.cilium`; its ServiceMonitors follow the composition's Prometheus, its policy audit mode `security.networkPolicies`. */
export const ciliumModule: ComponentModule<ResolvedConfig> = {
  name: CILIUM_COMPONENT,
  kind: 'component',
  build: (config, context) =>
    buildCilium(config, {
      serviceMonitors: serviceMonitorsWanted(context, config.components[CILIUM_COMPONENT]?.syncWave ?? CILIUM_DEFAULTS.syncWave),
      // `security.networkPolicies: audit`: the policies are rendered, Cilium logs what they would drop.
      policyAuditMode: config.security.networkPolicies === 'audit',
    }),
};

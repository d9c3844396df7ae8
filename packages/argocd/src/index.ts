import { serviceMonitorsWanted, type ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { ARGOCD_NAME, buildArgoCd } from './argocd.js';
import { argocdDefaults } from './defaults.js';

export { ARGOCD_NAME, buildArgoCd, mountedAgeSecret } from './argocd.js';
export { ARGOCD_INITIAL_ADMIN_SECRET, bootstrapPaths, BOOTSTRAP_DIR } from './bootstrap.js';
export { argocdDefaults, type ArgoCdSettings, type OidcSettings, type SopsSettings } from './defaults.js';

/** ArgoCD, registered under `components.argocd` in homelab.yaml; its ServiceMonitors follow the composition's Prometheus. */
export const argocdModule: ComponentModule<ResolvedConfig> = {
  name: ARGOCD_NAME,
  kind: 'component',
  build: (config, context) =>
    buildArgoCd(config, { serviceMonitors: serviceMonitorsWanted(context, config.components[ARGOCD_NAME]?.syncWave ?? argocdDefaults.syncWave) }),
};

import type { ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { ARGOCD_NAME, buildArgoCd } from './argocd.js';

export { ARGOCD_NAME, buildArgoCd } from './argocd.js';
export { argocdDefaults, type ArgoCdSettings, type OidcSettings, type SopsSettings } from './defaults.js';

/** ArgoCD, registered under `components.argocd` in homelab.yaml. */
export const argocdModule: ComponentModule<ResolvedConfig> = {
  name: ARGOCD_NAME,
  kind: 'component',
  build: (config) => buildArgoCd(config),
};

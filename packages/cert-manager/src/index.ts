import { serviceMonitorsWanted, type ComponentModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { certManager, COMPONENT } from './cert-manager.js';
import { certManagerDefaults } from './defaults.js';

export {
  certManager,
  clusterIssuerFor,
  wildcardCertificate,
  wildcardSecretName,
  CLUSTER_ISSUERS,
  CLOUDFLARE_API_TOKEN_SECRET,
  type CertManagerSettings,
  type ClusterIssuerRef,
  type IssuerEnvironment,
  type WildcardCertificateOptions,
} from './cert-manager.js';
export { certManagerDefaults } from './defaults.js';
export { CERT_MANAGER_CHART } from './versions.js';

/** Registers cert-manager with the aggregator under `components.cert-manager`; its ServiceMonitor follows the composition's Prometheus. */
export const certManagerModule: ComponentModule<ResolvedConfig> = {
  name: COMPONENT,
  kind: 'component',
  build: (config, context) =>
    certManager(config, { serviceMonitor: serviceMonitorsWanted(context, config.components[COMPONENT]?.syncWave ?? certManagerDefaults.syncWave) }),
};

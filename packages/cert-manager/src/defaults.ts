import type { CertManagerSettings } from './cert-manager.js';

/**
 * Every default of the cert-manager component, in one place. Nothing here is homelab-specific:
 * domains and the ACME email come from homelab.yaml.
 */
export const certManagerDefaults = {
  namespace: 'cert-manager',
  syncWave: -5,
  acmeServers: {
    staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
    production: 'https://acme-v02.api.letsencrypt.org/directory',
  },
  // Public resolvers (Cloudflare, Quad9): the LAN resolver answers internal names itself, so the
  // DNS-01 self-check must ask resolvers that see the public zone.
  dns01RecursiveNameservers: ['1.1.1.1:53', '9.9.9.9:53'],
  dns01RecursiveNameserversOnly: true,
  gatewayAPI: true,
  serviceMonitor: false,
  wildcardIssuer: 'production',
} satisfies CertManagerSettings;

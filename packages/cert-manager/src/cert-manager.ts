import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { merge, type Component, type Patch, type SecretDeclaration } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { certManagerDefaults } from './defaults.js';
import { CERT_MANAGER_CHART } from './versions.js';

const SOURCE = '@homelab/cert-manager';
/** Component name: ArgoCD Application, directory and key under `components:` in homelab.yaml. */
export const COMPONENT = 'cert-manager';

/** Which Let's Encrypt directory an issuer talks to. */
export type IssuerEnvironment = 'staging' | 'production';

/** Names of the ClusterIssuers this component creates, by environment. */
export const CLUSTER_ISSUERS = {
  staging: 'letsencrypt-staging',
  production: 'letsencrypt-production',
} as const satisfies Record<IssuerEnvironment, string>;

/** The Secret holding the Cloudflare API token the DNS-01 solver uses (namespace: the component's). */
export const CLOUDFLARE_API_TOKEN_SECRET = { name: 'cloudflare-api-token', key: 'api-token' } as const;

/** Settings of the cert-manager component. Defaults: `certManagerDefaults` (defaults.ts). */
export interface CertManagerSettings {
  /**
   * Namespace cert-manager runs in. ClusterIssuers read their secrets from it (the chart's
   * cluster resource namespace defaults to the release namespace). @default 'cert-manager'
   */
  namespace: string;
  /** ArgoCD sync wave: after Cilium (-10), before anything that asks for a certificate. @default -5 */
  syncWave: number;
  /**
   * ACME directory per environment.
   * @see https://letsencrypt.org/docs/staging-environment/
   * @default Let's Encrypt staging and production
   */
  acmeServers: Record<IssuerEnvironment, string>;
  /**
   * Recursive resolvers (`host:port` or an `https://` DoH URL) for the DNS-01 self-check.
   * @see https://cert-manager.io/docs/configuration/acme/dns01/#setting-nameservers-for-dns01-self-check
   * @default ['1.1.1.1:53', '9.9.9.9:53'] (public resolvers: the LAN DNS answers internal names itself)
   */
  dns01RecursiveNameservers: string[];
  /** Ask only `dns01RecursiveNameservers`, never the authoritative servers. @default true */
  dns01RecursiveNameserversOnly: boolean;
  /**
   * Turn on cert-manager's Gateway API support (gateway-shim, HTTP-01 through HTTPRoutes). Needs the
   * Gateway API CRDs installed first (their wave, -15, precedes this one). @default true
   */
  gatewayAPI: boolean;
  /**
   * Create a prometheus-operator ServiceMonitor. The chart has no switch that tolerates missing
   * CRDs, and prometheus-operator's CRDs do not exist at wave -5, so this stays off by default;
   * metrics are still served and announced through `prometheus.io/*` pod annotations. @default false
   */
  serviceMonitor: boolean;
  /** ClusterIssuer `wildcardCertificate()` uses when its caller names none. @default 'production' */
  wildcardIssuer: IssuerEnvironment;
}

/** The Helm values this package sets (a subset of the chart's values.yaml, checked by tests). */
export interface CertManagerValues {
  crds: { enabled: boolean; keep: boolean };
  global: { leaderElection: { namespace: string } };
  config: {
    apiVersion: 'controller.config.cert-manager.io/v1alpha1';
    kind: 'ControllerConfiguration';
    gatewayAPI: { enabled: boolean };
  };
  dns01RecursiveNameservers: string;
  dns01RecursiveNameserversOnly: boolean;
  prometheus: { enabled: boolean; servicemonitor: { enabled: boolean } };
}

/** A cert-manager `issuerRef` pointing at one of this component's ClusterIssuers. */
export interface ClusterIssuerRef {
  group: 'cert-manager.io';
  kind: 'ClusterIssuer';
  name: string;
}

/** Settings with the caller's overrides merged onto the defaults, checked. */
export function resolveSettings(overrides?: Patch<CertManagerSettings>): CertManagerSettings {
  const settings = merge<CertManagerSettings>(certManagerDefaults, overrides);
  settings.dns01RecursiveNameservers.forEach((server, index) => {
    if (!/^(https:\/\/\S+|[^\s:/,]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/.test(server)) {
      throw new Error(
        `${COMPONENT}: a DNS-01 recursive nameserver needs host:port or an https:// DoH URL ` +
          `(dns01RecursiveNameservers[${index}]: '${server}'). Add the port, e.g. '${server}:53'.`,
      );
    }
  });
  if (settings.dns01RecursiveNameserversOnly && settings.dns01RecursiveNameservers.length === 0) {
    throw new Error(
      `${COMPONENT}: dns01RecursiveNameserversOnly needs at least one nameserver (dns01RecursiveNameservers: []). ` +
        'List resolvers such as 1.1.1.1:53, or set dns01RecursiveNameserversOnly to false.',
    );
  }
  return settings;
}

/** The `issuerRef` of the ClusterIssuer for an environment. */
export function clusterIssuerFor(environment: IssuerEnvironment): ClusterIssuerRef {
  return { group: 'cert-manager.io', kind: 'ClusterIssuer', name: CLUSTER_ISSUERS[environment] };
}

/**
 * DNS zones the ACME solver answers for: the configured domains, minus any that lie inside another
 * (a `dnsZones` selector matches a zone and all its subdomains). Order follows `domains`.
 */
export function dnsZones(domains: ResolvedConfig['domains']): string[] {
  const all = [...new Set([domains.public, domains.internal])];
  return all.filter((zone) => !all.some((other) => other !== zone && zone.endsWith(`.${other}`)));
}

/** Helm values for the cert-manager chart. */
export function certManagerValues(settings: CertManagerSettings): CertManagerValues {
  return {
    crds: { enabled: true, keep: true },
    // Leader election in our own namespace: everything the release owns stays in it (chart default: kube-system).
    global: { leaderElection: { namespace: settings.namespace } },
    config: {
      apiVersion: 'controller.config.cert-manager.io/v1alpha1',
      kind: 'ControllerConfiguration',
      // 1.21 moved `enableGatewayAPI` here (the old top-level field still works, deprecated).
      gatewayAPI: { enabled: settings.gatewayAPI },
    },
    dns01RecursiveNameservers: settings.dns01RecursiveNameservers.join(','),
    dns01RecursiveNameserversOnly: settings.dns01RecursiveNameserversOnly,
    prometheus: { enabled: true, servicemonitor: { enabled: settings.serviceMonitor } },
  };
}

/** The Cloudflare API token Secret the DNS-01 solver reads. */
export function cloudflareTokenSecret(config: ResolvedConfig, settings: CertManagerSettings): SecretDeclaration {
  const zones = dnsZones(config.domains).join(', ');
  return {
    name: CLOUDFLARE_API_TOKEN_SECRET.name,
    namespace: settings.namespace,
    keys: [CLOUDFLARE_API_TOKEN_SECRET.key],
    description: `Cloudflare API token for cert-manager's DNS-01 challenges (ClusterIssuers ${Object.values(CLUSTER_ISSUERS).join(', ')}), external.`,
    values: {
      [CLOUDFLARE_API_TOKEN_SECRET.key]: {
        id: `${settings.namespace}/cloudflare-dns-token`,
        description:
          `Cloudflare API token for cert-manager's DNS-01 challenges (ClusterIssuers ${Object.values(CLUSTER_ISSUERS).join(', ')}). ` +
          `Create it at dash.cloudflare.com → My Profile → API Tokens with permissions Zone:DNS:Edit and Zone:Zone:Read, ` +
          `zone resources limited to: ${zones}.`,
      },
    },
  };
}

/** The Let's Encrypt ClusterIssuers, keyed by name, solving DNS-01 through Cloudflare. */
export function clusterIssuers(config: ResolvedConfig, settings: CertManagerSettings): Record<string, ClusterIssuer> {
  const secret = cloudflareTokenSecret(config, settings);
  const zones = dnsZones(config.domains);
  const issuers: Record<string, ClusterIssuer> = {};
  for (const environment of Object.keys(CLUSTER_ISSUERS) as IssuerEnvironment[]) {
    const name = CLUSTER_ISSUERS[environment];
    issuers[name] = new ClusterIssuer({
      metadata: {
        name,
        // Same Application as the chart (wave 0): apply once its Deployments, the admission
        // webhook among them, are healthy. (ArgoCD skips the dry run of CRs whose CRD is in the same sync.)
        annotations: { 'argocd.argoproj.io/sync-wave': '1' },
      },
      spec: {
        acme: {
          email: config.acme.email,
          server: settings.acmeServers[environment],
          privateKeySecretRef: { name: `${name}-account-key` },
          solvers: [
            {
              selector: { dnsZones: zones },
              dns01: { cloudflare: { apiTokenSecretRef: { name: secret.name, key: secret.keys[0]! } } },
            },
          ],
        },
      },
    });
  }
  return issuers;
}

/** Name of the Secret a `wildcardCertificate({ name })` writes its key pair to. */
export function wildcardSecretName(name: string): string {
  return `${name}-tls`;
}

export interface WildcardCertificateOptions {
  /** Certificate name; the Secret is `wildcardSecretName(name)`. */
  name: string;
  namespace: string;
  /** Bare domain: the certificate covers `*.<domain>` and `<domain>`. */
  domain: string;
  /** @default certManagerDefaults.wildcardIssuer ('production') */
  issuer?: IssuerEnvironment;
}

/** A Certificate for `*.<domain>` and `<domain>` from one of this component's ClusterIssuers. */
export function wildcardCertificate({ name, namespace, domain, issuer = certManagerDefaults.wildcardIssuer }: WildcardCertificateOptions): Certificate {
  if (domain === '' || domain.startsWith('*.') || domain.startsWith('.') || domain.endsWith('.')) {
    throw new Error(
      `${COMPONENT}: wildcardCertificate needs a bare domain (domain: '${domain}'). ` +
        "Pass the domain without '*.' or surrounding dots, e.g. 'int.example.com'.",
    );
  }
  return new Certificate({
    metadata: { name, namespace },
    spec: {
      secretName: wildcardSecretName(name),
      dnsNames: [`*.${domain}`, domain],
      issuerRef: clusterIssuerFor(issuer),
    },
  });
}

/** The cert-manager component: the chart, the Let's Encrypt ClusterIssuers and their Cloudflare token. */
export function certManager(config: ResolvedConfig, overrides?: Patch<CertManagerSettings>): Component {
  const settings = resolveSettings(overrides);
  return {
    name: COMPONENT,
    group: 'core',
    namespace: settings.namespace,
    syncWave: settings.syncWave,
    source: SOURCE,
    description: "TLS certificates from Let's Encrypt (DNS-01 through Cloudflare)",
    chart: CERT_MANAGER_CHART,
    values: { ...certManagerValues(settings) },
    // Every pod the chart renders (controller, webhook, cainjector, startupapicheck) runs as
    // non-root with RuntimeDefault seccomp, no privilege escalation and all capabilities dropped.
    podSecurity: 'restricted',
    // The controllers watch the API and serve its admission webhook; ACME and Cloudflare's API
    // (DNS-01) and the public resolvers of the self-check are on the internet.
    network: { kubeApi: { client: true, webhook: true }, internetEgress: true },
    // `crds.enabled`, the controllers' RBAC and the webhook configurations.
    clusterResources: ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    objects: clusterIssuers(config, settings),
    secrets: [cloudflareTokenSecret(config, settings)],
  };
}

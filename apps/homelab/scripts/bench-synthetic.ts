/**
 * Synthetic apps for the benchmark: realistic objects (Deployment, Service, PVC) per app. Exposed
 * apps also expose an internal host and declare their pods, as a real app does, so the derived
 * HTTPRoute, TLS check, DNS records and network policies grow with the app count too.
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { HomelabModule } from '../src/compose.js';

/** `plain`: objects only; `exposed`: objects, an internal exposure and the pods' selector. */
export type SyntheticKind = 'plain' | 'exposed';

function syntheticApp(index: number, kind: SyntheticKind): HomelabModule {
  const name = `bench-app-${String(index).padStart(4, '0')}`;
  const labels = { 'app.kubernetes.io/name': name };
  return {
    name,
    kind: 'app',
    build: (config) => ({
      name,
      group: 'apps',
      namespace: 'bench',
      source: '@homelab/cli (benchmark)',
      ...(kind === 'exposed'
        ? {
            exposes: [{ host: `${name}.${config.domains.internal}`, access: 'internal', service: { name, namespace: 'bench', port: 80 }, sso: 'none' }],
            network: { pods: { matchLabels: labels } },
          }
        : {}),
      objects: {
        deployment: new Deployment({
          metadata: { name, namespace: 'bench', labels },
          spec: {
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name,
                    image: `ghcr.io/example/${name}:1.0.0`,
                    ports: [{ name: 'http', containerPort: 8080 }],
                    volumeMounts: [{ name: 'config', mountPath: '/config' }],
                  },
                ],
                volumes: [{ name: 'config', persistentVolumeClaim: { claimName: name } }],
              },
            },
          },
        }),
        service: new Service({ metadata: { name, namespace: 'bench' }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }),
        claim: new PersistentVolumeClaim({
          metadata: { name, namespace: 'bench' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        }),
      },
    }),
  };
}

export function syntheticModules(count: number, kind: SyntheticKind): HomelabModule[] {
  return Array.from({ length: count }, (_, index) => syntheticApp(index, kind));
}

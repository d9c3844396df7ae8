/**
 * A custom app this homelab writes itself, against the public contract only: a HomelabModule
 * (name, kind, build) whose Component carries its own objects (classes from @homelab/core/models),
 * the Secret it needs and the host it exposes. Routes and network policies are derived from them.
 */
import type { ResolvedConfig } from '@homelab/config';
import type { Component, ComponentModule } from '@homelab/core';
import { appsV1, v1 } from '@homelab/core/models';
import { STORAGE_CLASSES } from '@homelab/nfs-csi';

const NAME = 'vaultwarden';
const PORT = 80;
/** The Secret the pod reads its admin token from, declared below so `homelab secrets init` generates it. */
const ADMIN_SECRET = { name: 'vaultwarden-admin', key: 'ADMIN_TOKEN' } as const;

export function vaultwarden(config: ResolvedConfig): Component {
  const namespace = NAME;
  const labels = { 'app.kubernetes.io/name': NAME };
  return {
    name: NAME,
    group: 'apps',
    namespace,
    source: 'another-homelab',
    description: 'Vaultwarden password manager (custom app)',
    objects: {
      data: new v1.PersistentVolumeClaim({
        metadata: { name: `${NAME}-data`, namespace },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: STORAGE_CLASSES.config, resources: { requests: { storage: '2Gi' } } },
      }),
      deployment: new appsV1.Deployment({
        metadata: { name: NAME, namespace, labels },
        spec: {
          replicas: 1,
          strategy: { type: 'Recreate' },
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: NAME,
                  image: 'vaultwarden/server:1.34.3',
                  ports: [{ name: 'http', containerPort: PORT }],
                  env: [
                    { name: 'DOMAIN', value: `https://${NAME}.${config.domains.internal}` },
                    { name: ADMIN_SECRET.key, valueFrom: { secretKeyRef: { name: ADMIN_SECRET.name, key: ADMIN_SECRET.key } } },
                  ],
                  volumeMounts: [{ name: 'data', mountPath: '/data' }],
                },
              ],
              volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `${NAME}-data` } }],
            },
          },
        },
      }),
      service: new v1.Service({
        metadata: { name: NAME, namespace, labels },
        spec: { selector: labels, ports: [{ name: 'http', port: PORT, targetPort: 'http' }] },
      }),
    },
    secrets: [
      {
        name: ADMIN_SECRET.name,
        namespace,
        keys: [ADMIN_SECRET.key],
        description: 'Vaultwarden admin page token',
        values: { [ADMIN_SECRET.key]: { id: `${NAME}/admin-token`, description: 'Vaultwarden admin page token', generate: { bytes: 48, encoding: 'base64url' } } },
      },
    ],
    // Its own sign-in: the Bitwarden clients cannot pass an SSO proxy.
    exposes: [{ host: `${NAME}.${config.domains.internal}`, access: 'internal', service: { name: NAME, namespace, port: PORT }, sso: 'none' }],
    network: { pods: { matchLabels: labels } },
  };
}

export const vaultwardenModule: ComponentModule<ResolvedConfig> = { name: NAME, kind: 'app', build: vaultwarden };

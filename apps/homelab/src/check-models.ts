/**
 * The schemas this project knows that no @kubernetes-models package covers, which generate,
 * validate and check pass to the check.
 */
import type { Models } from '@homelab/check';
import { Connector } from '@homelab/tailscale';

/** `apiVersion/Kind` of a model class, read from an instance (the class is the one place it is written). */
function modelKey(instance: { apiVersion: string; kind: string }): string {
  return `${instance.apiVersion}/${instance.kind}`;
}

/** Model classes for kinds the components build without a @kubernetes-models class. */
export const CHECK_MODELS: Models = {
  [modelKey(new Connector({ metadata: { name: 'schema' }, spec: {} }))]: Connector,
};

/**
 * Every name and default of the Alloy component, in one place. The Loki endpoint and the wave come
 * from @homelab/loki: Alloy depends on Loki, never the other way round.
 */
import { LOKI_DEFAULTS, LOKI_URLS } from '@homelab/loki';
import type { AlloySettings } from './alloy.js';

/** Component name: ArgoCD Application, Helm release and key under `components:` in homelab.yaml. */
export const ALLOY_COMPONENT = 'alloy';

/** Namespace of the DaemonSet: beside the Loki it ships to. */
export const ALLOY_NAMESPACE = 'observability';

/**
 * The non-root user the grafana/alloy image defines (UID and GID 473). Alloy runs as root unless
 * told otherwise; reading logs through the API needs no privilege.
 * @see https://grafana.com/docs/alloy/latest/configure/nonroot/
 */
export const ALLOY_IMAGE_USER = 473;

/** Documented defaults of `AlloySettings`; see the type for what each one means and why. */
export const ALLOY_DEFAULTS = {
  syncWave: LOKI_DEFAULTS.syncWave + 1,
  lokiPushUrl: LOKI_URLS.push,
  serviceMonitor: false,
  reporting: false,
} satisfies AlloySettings;

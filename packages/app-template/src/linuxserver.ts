/**
 * What every linuxserver.io image needs from its description, in one place. Their s6-overlay init
 * starts as root, creates the `abc` user with PUID/PGID, chowns `/config`, then runs the app as
 * that user: so the pod may not be `runAsNonRoot`, no `runAsUser`/`fsGroup` is set (the image
 * switches users itself), and the root filesystem stays writable (s6 writes /run, /etc/passwd).
 */
import type { ResolvedConfig } from '@homelab/config';
import { workloadDefaults } from './app-template.js';
import type { AppSecurityContext } from './description.js';

/**
 * The capabilities root needs for that init, added back after dropping all: CHOWN, DAC_OVERRIDE
 * and FOWNER (chown/chmod files it does not own), SETUID and SETGID (switch to `abc`) and KILL
 * (s6 signals the app, which runs under another uid, on shutdown). All are in the 'baseline' Pod
 * Security set.
 */
export const LINUXSERVER_CAPABILITIES: readonly string[] = Object.freeze(['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID']);

/** The parts of an `AppDescription` a linuxserver.io image needs; spread them into the description. */
export interface LinuxserverContainer {
  /** TZ from homelab.yaml `workloads.timezone`, PUID/PGID from `workloads.puid`/`.pgid`, then `env` of the options. */
  env: Record<string, string>;
  /** `linuxserverSecurityContext(capabilities)`. */
  securityContext: AppSecurityContext;
  /** 'baseline': root at start and capabilities of the baseline set rule out 'restricted'. */
  podSecurity: 'baseline';
}

export interface LinuxserverOptions {
  /** Capabilities added to the container (all others are dropped). @default LINUXSERVER_CAPABILITIES */
  capabilities?: readonly string[];
  /** Environment variables after TZ, PUID and PGID (the image's own settings, e.g. `WEBUI_PORT`). */
  env?: Record<string, string>;
}

/**
 * The container security context linuxserver.io's init needs: not `runAsNonRoot`, a writable root
 * filesystem, every capability dropped but `capabilities`. Meets the 'baseline' Pod Security level.
 */
export function linuxserverSecurityContext(capabilities: readonly string[] = LINUXSERVER_CAPABILITIES): AppSecurityContext {
  return { runAsNonRoot: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'], add: [...capabilities] } };
}

/**
 * Environment, security context and Pod Security level of a linuxserver.io image, from homelab.yaml
 * `workloads`: the init runs the app as PUID:PGID and sets the time zone from TZ.
 */
export function linuxserverContainer(config: Pick<ResolvedConfig, 'workloads'>, options: LinuxserverOptions = {}): LinuxserverContainer {
  const { puid, pgid } = config.workloads;
  return {
    env: { ...workloadDefaults(config).env, PUID: String(puid), PGID: String(pgid), ...options.env },
    securityContext: linuxserverSecurityContext(options.capabilities),
    podSecurity: 'baseline',
  };
}

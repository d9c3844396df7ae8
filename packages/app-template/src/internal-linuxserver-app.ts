/**
 * The whole build of the most common app: a linuxserver.io image with one HTTP port, reached on the
 * internal domain behind SSO, its volumes given by the caller. Sonarr, Radarr, Prowlarr and Bazarr
 * differ only in the facts this takes; an app that needs more (a public route, a LAN Service of its
 * own, settings for its security context) writes its description with the helpers instead.
 */
import type { ResolvedConfig } from '@homelab/config';
import { appComponent, type AppComponent, type AppComponentOptions } from './app-template.js';
import type { AppDescription, AppImage, AppProbe, AppResources, AppVolume } from './description.js';
import { linuxserverContainer } from './linuxserver.js';
import { appReach, lanServiceWhenAddressed } from './reach.js';

/** The settings of such an app package that pass through unchanged (its own defaults.ts documents them). */
export interface InternalLinuxserverAppSettings {
  image: AppImage;
  resources: AppResources;
  /** Capabilities added back after dropping all (see LINUXSERVER_CAPABILITIES). */
  capabilities: readonly string[];
  network: NonNullable<AppDescription['network']>;
}

/** What the app package knows about its app. */
export interface InternalLinuxserverApp {
  /** Names the release, Deployment, Service and `apps.<name>` in homelab.yaml; the default host label. */
  name: string;
  namespace: string;
  description: string;
  /** The port the app listens on; it becomes the `http` port the Service and the route serve. */
  port: number;
  /** The startup, liveness and readiness probe. */
  probe: AppProbe;
  /**
   * The app's volumes, keyed by name: passed in because this package names no StorageClass (the
   * caller takes them from @homelab/nfs-csi: `configVolume(size)` and, to share the library,
   * `mediaVolume()`).
   */
  persistence: Record<string, AppVolume>;
  settings: InternalLinuxserverAppSettings;
}

/**
 * The Component of a linuxserver.io app (`linuxserverContainer`: TZ/PUID/PGID from `workloads`,
 * root at start, `baseline`) on its `http` port, reached at `<name>.<domains.internal>` behind the
 * SSO proxy unless `apps.<name>` in homelab.yaml says otherwise, and a LoadBalancer only when
 * `apps.<name>.loadBalancerIP` is set (`lanServiceWhenAddressed`).
 */
export function internalLinuxserverApp(config: ResolvedConfig, app: InternalLinuxserverApp, options: AppComponentOptions): AppComponent {
  const { settings } = app;
  const reach = appReach(config, app.name, { port: 'http', internal: app.name, sso: 'proxy' });
  return appComponent(
    {
      name: app.name,
      namespace: app.namespace,
      description: app.description,
      image: settings.image,
      ports: { http: { port: app.port, http: true } },
      ...linuxserverContainer(config, { capabilities: settings.capabilities }),
      network: settings.network,
      probes: { startup: app.probe, liveness: app.probe, readiness: app.probe },
      resources: settings.resources,
      persistence: app.persistence,
      ...lanServiceWhenAddressed(reach, ['http']),
      exposes: reach.exposes,
    },
    options,
  );
}

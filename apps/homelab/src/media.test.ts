import { describe, expect, it } from 'vitest';
import { APP_TEMPLATE_CHART } from '@homelab/app-template';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, STORAGE_CLASSES } from '@homelab/nfs-csi';
import { configVariant, seedConfig } from '@homelab/testing';
import type { ResolvedConfig } from '@homelab/config';
import { composeComponents } from '@homelab/generator';
import { defaultModules } from './modules.js';

interface Mount {
  path: string;
  readOnly?: boolean;
  subPath?: string;
}
interface Persistence {
  type: string;
  existingClaim?: string;
  storageClass?: string;
  globalMounts?: Mount[];
}
interface AppValues {
  persistence?: Record<string, Persistence>;
  controllers: { main: { containers: { app: { env?: Record<string, unknown> } } } };
}

function appComponents(config: ResolvedConfig) {
  const composed = composeComponents(config, defaultModules);
  if (!composed.ok) throw new Error(JSON.stringify(composed.problems));
  return composed.components.filter((component) => component.chart?.name === APP_TEMPLATE_CHART.name);
}

describe('media apps share one filesystem (hardlinks only work within one)', () => {
  const config = seedConfig();
  const apps = appComponents(config);

  it('mount the one media claim at the one path, as the same user, and nothing else shadows it', () => {
    const users: string[] = [];
    for (const app of apps) {
      const values = app.values as unknown as AppValues;
      for (const [key, volume] of Object.entries(values.persistence ?? {})) {
        expect(volume.storageClass, `${app.name}.${key}: only the static media PV may use ${STORAGE_CLASSES.media}`).not.toBe(STORAGE_CLASSES.media);
        for (const mount of volume.globalMounts ?? []) {
          if (volume.existingClaim === MEDIA_CLAIM.name) {
            users.push(app.name);
            expect(app.namespace).toBe(MEDIA_CLAIM.namespace);
            expect(mount.path, `${app.name}.${key}`).toBe(MEDIA_MOUNT_PATH);
            expect(mount.subPath, `${app.name}.${key}: mount the whole tree`).toBeUndefined();
            expect(values.controllers.main.containers.app.env?.['PUID']).toBe(String(config.workloads.puid));
          } else {
            const shadows = mount.path === MEDIA_MOUNT_PATH || mount.path.startsWith(`${MEDIA_MOUNT_PATH}/`);
            expect(shadows, `${app.name}.${key} shadows the media tree`).toBe(false);
          }
        }
      }
    }
    expect(new Set(users)).toEqual(new Set(['plex', 'sonarr', 'radarr', 'qbittorrent', 'bazarr']));
  });

  it('Plex only reads the library', () => {
    const plex = apps.find((app) => app.name === 'plex')!;
    const media = Object.values((plex.values as unknown as AppValues).persistence ?? {}).find((volume) => volume.existingClaim === MEDIA_CLAIM.name)!;
    expect(media.globalMounts?.every((mount) => mount.readOnly)).toBe(true);
  });

  it('a disabled app drops out without touching the others', () => {
    const withoutSonarr = appComponents(configVariant((data) => {
      data.apps = { ...data.apps, sonarr: { enabled: false } };
    }));
    expect(withoutSonarr.map((app) => app.name).sort()).toEqual(apps.map((app) => app.name).filter((name) => name !== 'sonarr').sort());
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigMistake, type BuildContext } from '@homelab/core';
import { configVariant, seedConfig } from '@homelab/testing';
import { LOCAL_PATH_STORAGE_CLASS } from './defaults.js';
import { localPathModule } from './local-path.js';
import { volumeStorageClass } from './placement.js';

const nfsStorageClass = 'nfs-config';
const deployed: BuildContext = { components: [], ...localPathModule.provides };
const absent: BuildContext = { components: [] };
const chosen = (placement: 'node-local' | 'nfs') => configVariant((data) => (data['storage'] = { volumes: { loki: placement } }));

describe('volume placement', () => {
  const seed = seedConfig();

  it('puts a volume whose docs rule NFS out on the node-local class when one is deployed, else on NFS', () => {
    const rule = { volume: 'prometheus', nfsStorageClass, nfsUnsupported: true } as const;
    expect(volumeStorageClass(seed, deployed, rule)).toBe(LOCAL_PATH_STORAGE_CLASS);
    expect(volumeStorageClass(seed, absent, rule)).toBe(nfsStorageClass);
    expect(volumeStorageClass(seed, undefined, rule)).toBe(nfsStorageClass);
  });

  it('keeps other volumes on NFS unless homelab.yaml says node-local', () => {
    const rule = { volume: 'loki', nfsStorageClass, nfsUnsupported: false } as const;
    expect(volumeStorageClass(seed, deployed, rule)).toBe(nfsStorageClass);
    expect(volumeStorageClass(chosen('node-local'), deployed, rule)).toBe(LOCAL_PATH_STORAGE_CLASS);
  });

  it('follows an explicit nfs even where node-local is the default', () => {
    const config = configVariant((data) => (data['storage'] = { volumes: { prometheus: 'nfs' } }));
    expect(volumeStorageClass(config, deployed, { volume: 'prometheus', nfsStorageClass, nfsUnsupported: true })).toBe(nfsStorageClass);
  });

  it('rejects node-local without a node-local class, at the setting, with both fixes', () => {
    const attempt = () => volumeStorageClass(chosen('node-local'), absent, { volume: 'loki', nfsStorageClass, nfsUnsupported: false });
    expect(attempt).toThrow(ConfigMistake);
    expect(attempt).toThrow(
      "storage.volumes.loki: asks for node-local storage, but no component providing a node-local StorageClass is deployed (got 'node-local'). Enable local-path (components.local-path.enabled: true; a library composition adds localPathModule from @homelab/local-path to its module list), or set storage.volumes.loki: nfs.",
    );
  });
});

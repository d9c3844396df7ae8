import { describe, expect, it } from 'vitest';
import { seedConfig } from '@homelab/testing';
import { MEDIA_MOUNT_PATH } from './defaults.js';
import { nfsCsi, type NfsCsiObjects } from './nfs-csi.js';
import { configVolume, mediaVolume } from './volumes.js';

const config = seedConfig();
const objects = nfsCsi(config).objects as NfsCsiObjects;

describe('app volumes on this storage', () => {
  it('mediaVolume names the claim this component creates, read-write unless asked', () => {
    expect(mediaVolume()).toEqual({ type: 'existingClaim', claim: objects.mediaClaim.metadata!.name, mountPath: MEDIA_MOUNT_PATH, readOnly: false });
    expect(mediaVolume({ readOnly: true }).readOnly).toBe(true);
  });

  it('read-only changes nothing but the mount: the same claim at the same path (hardlinks need one tree at one place)', () => {
    expect(mediaVolume({ readOnly: true })).toEqual({ ...mediaVolume(), readOnly: true });
  });

  it('configVolume is a new claim of the given size on the dynamic config StorageClass this component creates', () => {
    const volume = configVolume('5Gi');
    expect(volume).toEqual({ type: 'claim', storageClass: objects.configStorageClass.metadata!.name, size: '5Gi', mountPath: '/config' });
    expect(configVolume('1Gi', { mountPath: '/app/data' })).toMatchObject({ size: '1Gi', mountPath: '/app/data' });
  });

  it('never hands the static media class to a new claim (it binds only the pre-bound media volume)', () => {
    expect(configVolume('5Gi').storageClass).not.toBe(objects.mediaStorageClass.metadata!.name);
  });
});

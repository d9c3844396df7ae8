import { describe, expect, it } from 'vitest';
import { imageFactorySchematicId, isOfficialExtensionName } from './image-factory.js';

describe('imageFactorySchematicId', () => {
  it('is the ID the Image Factory publishes for the empty schematic and for qemu-guest-agent alone', () => {
    expect(imageFactorySchematicId([])).toBe('376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba');
    expect(imageFactorySchematicId(['siderolabs/qemu-guest-agent'])).toBe('ce4c980550dd2ab1b17bbf2b08801c7eb59418eafe8f279833297925d67c7515');
  });

  it('depends on the order of the extensions (the factory hashes the list as written)', () => {
    const ab = imageFactorySchematicId(['siderolabs/iscsi-tools', 'siderolabs/qemu-guest-agent']);
    expect(ab).not.toBe(imageFactorySchematicId(['siderolabs/qemu-guest-agent', 'siderolabs/iscsi-tools']));
    expect(ab).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses names the factory would quote', () => {
    expect(isOfficialExtensionName('Qemu Agent')).toBe(false);
    expect(() => imageFactorySchematicId(['Qemu Agent'])).toThrow("'Qemu Agent' is not an official extension name");
  });
});

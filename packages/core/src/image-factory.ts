/**
 * The Sidero Labs Image Factory names every image by the ID of its schematic: the SHA-256 of the
 * schematic as the factory marshals it (YAML, four-space indentation; the empty schematic is
 * `customization: {}`). The Talos config (its installer image), the Proxmox ISO and `homelab
 * check` compute it here, so an ISO and the installed nodes agree on their extensions.
 */
import { createHash } from 'node:crypto';

/** An official extension's name as the factory lists it (`<org>/<name>`): a plain YAML scalar. */
const OFFICIAL_EXTENSION = /^[a-z0-9][a-z0-9._-]*\/[a-z0-9][a-z0-9._-]*$/;

export const isOfficialExtensionName = (name: string) => OFFICIAL_EXTENSION.test(name);

/**
 * The ID of the schematic that customises only the official system extensions, in this order.
 * Throws for a name the factory would quote (the ID would then differ): check names first with
 * isOfficialExtensionName.
 */
export function imageFactorySchematicId(officialExtensions: readonly string[]): string {
  const unnamed = officialExtensions.find((name) => !isOfficialExtensionName(name));
  if (unnamed !== undefined) throw new Error(`'${unnamed}' is not an official extension name`);
  const yaml =
    officialExtensions.length === 0
      ? 'customization: {}\n'
      : `customization:\n    systemExtensions:\n        officialExtensions:\n${officialExtensions.map((name) => `            - ${name}\n`).join('')}`;
  return createHash('sha256').update(yaml).digest('hex');
}

/**
 * `.sops.yaml` at the output root: the creation rule the `sops` tool applies to the secrets of this
 * tree, so `sops edit kubernetes/…/<name>.sops.yaml` encrypts exactly as `homelab secrets` does —
 * same files, same rule, the recipients of homelab.yaml.
 */
import { generatedHeader, toYaml, type ArtifactModule, type GeneratedFile } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { sopsDefaults } from '@homelab/sops';
import { SOPS_PATH_REGEX } from '@homelab/secrets';

export const SOPS_CONFIG_PATH = '.sops.yaml';

const SOURCE = '@homelab/generator';

/** One entry of `creation_rules` (sops' own field names). */
export interface SopsCreationRule {
  path_regex: string;
  encrypted_regex: string;
  /** Comma-separated age recipients. */
  age: string;
}

/** The rule for every SOPS file under kubernetes/: the Secret payload encrypted for `secrets.ageRecipients`. */
export function sopsCreationRule(config: Pick<ResolvedConfig, 'secrets'>): SopsCreationRule {
  return { path_regex: SOPS_PATH_REGEX, encrypted_regex: sopsDefaults.encryptedRegex, age: config.secrets.ageRecipients.join(',') };
}

export function sopsConfigFile(config: Pick<ResolvedConfig, 'secrets'>): GeneratedFile {
  const note =
    '# The sops tool reads this file: `sops edit <file>` under kubernetes/ encrypts to these recipients.\n' +
    '# Prefer `homelab secrets set|edit|rotate`, which follow the same rule and check keys.\n';
  return { path: SOPS_CONFIG_PATH, source: SOURCE, content: generatedHeader(SOURCE) + note + toYaml({ creation_rules: [sopsCreationRule(config)] }) };
}

/** Register in modules.ts `defaultArtifacts`. */
export const sopsConfigArtifact: ArtifactModule<ResolvedConfig> = {
  name: 'sops',
  build: (config) => [sopsConfigFile(config)],
};

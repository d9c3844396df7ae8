/** The artifacts every homelab gets from the generator itself, whatever its modules. */
import type { ArtifactModule } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { checkConfigArtifact } from './check-config.js';
import { overviewArtifact } from './overview.js';
import { sopsConfigArtifact } from './sops-config.js';

/** docs/homelab.md (the overview), .sops.yaml and .homelab-check.yaml. */
export const GENERATOR_ARTIFACTS: ArtifactModule<ResolvedConfig>[] = [overviewArtifact, sopsConfigArtifact, checkConfigArtifact];

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { formatProblem, loadConfigFile, validateConfig, type HomelabConfigInput, type ResolvedConfig } from '@homelab/config';
import { workspaceRoot } from './shared.js';

/** The seed homelab.yaml at the repository root. */
export function seedConfigPath(): string {
  return join(workspaceRoot(), 'homelab.yaml');
}

/** The seed config, checked and resolved like the CLI does. */
export function seedConfig(): ResolvedConfig {
  return loadConfigFile(seedConfigPath());
}

/** The seed homelab.yaml as raw data (a fresh copy each call), before checks and defaults. */
export function seedConfigData(): HomelabConfigInput {
  return load(readFileSync(seedConfigPath(), 'utf8')) as HomelabConfigInput;
}

/**
 * The seed config changed by `mutate`, then checked and resolved like a user's file; throws with
 * every formatted problem when the change makes it invalid. For late-binding tests.
 */
export function configVariant(mutate: (data: HomelabConfigInput) => void): ResolvedConfig {
  const data = seedConfigData();
  mutate(data);
  const result = validateConfig(data);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return result.config;
}

/** The seed config without its `apps` settings, so without fixed LoadBalancer IPs (Cilium picks them); tests that need one add it. */
export function seedConfigWithoutApps(): ResolvedConfig {
  return configVariant((data) => {
    data.apps = {};
  });
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { formatIpv4, formatProblem, loadConfigFile, parseIpv4, validateConfig, type HomelabConfigInput, type ResolvedConfig } from '@homelab/config';
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

/** The next `count` addresses of network.ranges.nodes that no node uses yet. */
export function freeNodeAddresses(data: HomelabConfigInput, count: number): string[] {
  const used = new Set(Object.values(data.nodes).map((node) => parseIpv4(node.ip)));
  const free: string[] = [];
  for (let next = parseIpv4(data.network.ranges.nodes.start); free.length < count; next++) if (!used.has(next)) free.push(formatIpv4(next));
  return free;
}

/** The seed grown to 3 control planes + 3 workers sharing a VIP (the last address of the node range). */
export function haConfig(): ResolvedConfig {
  return configVariant((data) => {
    const [cp2, cp3, w1, w2, w3] = freeNodeAddresses(data, 5);
    Object.assign(data.nodes, {
      'talos-cp02': { ip: cp2, role: 'controlplane' },
      'talos-cp03': { ip: cp3, role: 'controlplane' },
      'talos-w01': { ip: w1, role: 'worker' },
      'talos-w02': { ip: w2, role: 'worker' },
      'talos-w03': { ip: w3, role: 'worker' },
    });
    data.cluster.controlPlaneVIP = data.network.ranges.nodes.end;
  });
}

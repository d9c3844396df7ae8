/** For the "no homelab literal in a package's sources" tests: what the seed says, and what a package holds. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedConfigData } from './seed.js';

/**
 * Every string of the seed's homelab-specific sections (domains, network, hosts, nfs, acme,
 * secrets), its git repository URL and its time zone: values no package source may repeat.
 */
export function seedSectionLiterals(): Set<string> {
  const data = seedConfigData() as unknown as Record<string, unknown>;
  const literals = new Set<string>();
  const collect = (value: unknown): void => {
    if (typeof value === 'string') literals.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const section of ['domains', 'network', 'hosts', 'nfs', 'acme', 'secrets']) collect(data[section]);
  collect((data['gitops'] as Record<string, unknown>)['repoURL']);
  collect((data['workloads'] as Record<string, unknown>)['timezone']);
  return literals;
}

/** The non-test TypeScript sources directly in `dir`, as file name → text. */
export function packageSources(dir: string): Map<string, string> {
  const files = readdirSync(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
  return new Map(files.map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
}

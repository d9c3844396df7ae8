/**
 * Charts from Helm repositories, kept in a cache directory keyed by repository, chart and version
 * (`<dir>/<repository>/<chart>/<version>/Chart.yaml`), so that a second render runs offline. A
 * chart missing from the cache is fetched once with `helm pull` (HTTP repositories with `--repo`,
 * OCI registries — ArgoCD's scheme-less `ghcr.io/…` repoURLs — with `oci://`), unpacked beside its
 * final place and moved there whole, so an interrupted pull leaves nothing half-written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The per-user chart cache: `$XDG_CACHE_HOME/homelab/charts`, else `~/.cache/homelab/charts`. */
export function defaultChartCache(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache'), 'homelab', 'charts');
}

/** Whether ArgoCD treats a chart repoURL as an OCI registry (no http(s) scheme, or `oci://`). */
const isOci = (repoURL: string) => repoURL.startsWith('oci://') || !/^[a-z][a-z0-9+.-]*:\/\//i.test(repoURL);

/** The repository part of a cache path: the URL without scheme, credentials and trailing slash; one path segment per URL segment. */
export function repositoryKey(repoURL: string): string {
  const segments = repoURL
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/^[^@/]+@/, '')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
    .map((segment) => segment.replace(/[^A-Za-z0-9._-]/g, '_'));
  return segments.length > 0 ? join(...segments) : '_';
}

/** Where a chart lives in the cache. */
export function cachedChartDir(cache: string, repoURL: string, chart: string, version: string): string {
  return join(cache, repositoryKey(repoURL), chart, version);
}

export class ChartPullError extends Error {}

/**
 * The directory of `chart` at `version` from `repoURL`, pulled into `cache` with `helm` when it is
 * not there yet. Throws ChartPullError (with helm's message) when the pull fails.
 */
export function chartDir(helm: string, cache: string, repoURL: string, chart: string, version: string): string {
  const target = cachedChartDir(cache, repoURL, chart, version);
  if (existsSync(join(target, 'Chart.yaml'))) return target;
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.pull-${version}-`));
  try {
    const reference = isOci(repoURL) ? [`oci://${repoURL.replace(/^oci:\/\//, '').replace(/\/+$/, '')}/${chart}`] : [chart, '--repo', repoURL];
    const result = spawnSync(helm, ['pull', ...reference, '--version', version, '--untar', '--untardir', staging], { encoding: 'utf8' });
    if (result.status !== 0) {
      const message = (result.stderr || result.error?.message || '').trim().split('\n')[0] ?? '';
      throw new ChartPullError(`helm pull ${reference.join(' ')} --version ${version} failed: ${message}`);
    }
    if (!existsSync(join(staging, chart, 'Chart.yaml'))) throw new ChartPullError(`helm pull of ${chart} ${version} from ${repoURL} did not unpack ${chart}/Chart.yaml`);
    renameSync(join(staging, chart), target);
    return target;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

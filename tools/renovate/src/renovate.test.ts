/**
 * renovate.json against the pins it must keep current: every version pinned in a
 * packages/*\/src/versions.ts is extracted by exactly one custom manager, with the chart name,
 * registry and image the code itself uses, so no pin is invisible to Renovate.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  commentProblems,
  compile,
  coverageProblems,
  extractDependencies,
  filePattern,
  managersFor,
  pinsOf,
  readRenovateConfig,
  WORKSPACE_ROOT,
  type Dependency,
} from './managers.js';

const config = readRenovateConfig();
const versionFiles = readdirSync(join(WORKSPACE_ROOT, 'packages'))
  .map((name) => `packages/${name}/src/versions.ts`)
  .filter((path) => existsSync(join(WORKSPACE_ROOT, path)));

const read = (path: string) => readFileSync(join(WORKSPACE_ROOT, path), 'utf8');
const load = async (path: string) => (await import(pathToFileURL(join(WORKSPACE_ROOT, path)).href)) as Record<string, unknown>;
const regexVersioning = (versioning: string) => new RegExp(versioning.replace(/^regex:/, ''), 'u');

describe('renovate.json', () => {
  it('has a custom regex manager for Helm charts, images, GitHub releases and tags, Terraform providers, dashboards', () => {
    expect(config.customManagers.every((manager) => manager.customType === 'regex')).toBe(true);
    const datasources = config.customManagers.flatMap((manager) =>
      manager.datasourceTemplate ? [manager.datasourceTemplate] : [...manager.matchStrings.join().matchAll(/\(\?<datasource>([^)]*)\)/g)].flatMap((m) => m[1]!.split('|')),
    );
    expect(datasources.sort()).toEqual(['custom.grafana-dashboards', 'docker', 'github-releases', 'github-tags', 'helm', 'terraform-provider']);
    expect(Object.keys(config.customDatasources ?? {})).toEqual(['grafana-dashboards']);
  });

  it('uses only regular expressions RE2 accepts: no lookaround, no backreferences', () => {
    const patterns = [
      ...config.customManagers.flatMap((manager) => [...manager.matchStrings, ...manager.managerFilePatterns]),
      ...(config.packageRules ?? []).flatMap((rule) => (rule.versioning?.startsWith('regex:') ? [rule.versioning.slice(6)] : [])),
    ];
    for (const pattern of patterns) {
      expect(pattern, pattern).not.toMatch(/\(\?[=!]|\(\?<[=!]|\\[1-9]|\\k</);
      expect(() => compile(pattern), pattern).not.toThrow();
    }
  });

  it('hands every versions.ts to the managers and leaves the generated tree alone', () => {
    expect(versionFiles.length).toBeGreaterThan(10);
    for (const path of versionFiles) expect(managersFor(config, path).length, path).toBe(config.customManagers.length);
    expect(managersFor(config, 'kubernetes/core/cilium.yaml')).toEqual([]);
    expect(config.ignorePaths).toEqual(expect.arrayContaining(['kubernetes/**', 'talos/**', 'terraform/**']));
  });
});

describe.each(versionFiles)('%s', (path) => {
  it('has every pin seen by exactly one manager, with the names and registry the code uses', async () => {
    const text = read(path);
    const pins = pinsOf(await load(path));
    expect(pins.length).toBeGreaterThan(0);
    expect(coverageProblems(text, pins, extractDependencies(text, config, path))).toEqual([]);
  });

  it('has no `// renovate:` comment that disagrees with what Renovate extracts', () => {
    const text = read(path);
    expect(commentProblems(text, extractDependencies(text, config, path))).toEqual([]);
  });

  it('pins versions the versioning Renovate applies can parse', () => {
    const text = read(path);
    for (const dep of extractDependencies(text, config, path)) {
      const rule = (config.packageRules ?? []).find(
        (candidate) =>
          candidate.versioning?.startsWith('regex:') &&
          (candidate.matchDatasources ?? [dep.datasource]).includes(dep.datasource) &&
          (candidate.matchPackageNames ?? []).some((pattern) => dep.depName.startsWith(pattern.replace(/\*+$/, ''))),
      );
      const versioning = rule?.versioning ?? dep.versioning;
      if (versioning?.startsWith('regex:')) expect(dep.currentValue, `${dep.depName} with ${versioning}`).toMatch(regexVersioning(versioning));
      else expect(dep.currentValue, dep.depName).toMatch(/^v?\d+(\.\d+)*([-+.][0-9A-Za-z.-]+)?$/);
    }
  });
});

describe('the coverage oracle', () => {
  const path = 'packages/example/src/versions.ts';
  const check = (text: string, exports: Record<string, unknown>) => coverageProblems(text, pinsOf(exports), extractDependencies(text, config, path));

  it('accepts a HelmChart, an image, a provider, a commented release and a dashboard', () => {
    const text = [
      "export const CHART = { repo: 'https://charts.example', name: 'thing', version: '1.2.3' };",
      "export const IMAGE = { repository: 'ghcr.io/example/thing', tag: 'v2.0.0' };",
      "export const PROVIDER = { source: 'example/thing', version: '0.1.0' };",
      '// renovate: datasource=github-releases depName=example/tool',
      "export const TOOL_VERSION = 'v3.1.0';",
      "export const DASHBOARDS = { thing: { gnetId: 42, revision: 7, folder: 'X' } };",
    ].join('\n');
    expect(
      check(text, {
        CHART: { repo: 'https://charts.example', name: 'thing', version: '1.2.3' },
        IMAGE: { repository: 'ghcr.io/example/thing', tag: 'v2.0.0' },
        PROVIDER: { source: 'example/thing', version: '0.1.0' },
        TOOL_VERSION: 'v3.1.0',
        DASHBOARDS: { thing: { gnetId: 42, revision: 7, folder: 'X' } },
      }),
    ).toEqual([]);
  });

  it('reports a pin no manager sees: a bare version without its comment, an image in another shape', () => {
    const text = ["export const TOOL_VERSION = 'v3.1.0';", "export const IMAGE = { image: 'ghcr.io/example/thing:v2', version: '2.0.0' };"].join('\n');
    expect(check(text, { TOOL_VERSION: 'v3.1.0', IMAGE: { image: 'ghcr.io/example/thing:v2', version: '2.0.0' } })).toEqual([
      "TOOL_VERSION = 'v3.1.0': no manager sees it",
      "IMAGE.version = '2.0.0': no manager sees it",
    ]);
  });

  it('reports a chart whose fields are in an order the manager does not read (it would be invisible)', () => {
    const text = "export const CHART = { name: 'thing', repo: 'https://charts.example', version: '1.2.3' };";
    expect(check(text, { CHART: { name: 'thing', repo: 'https://charts.example', version: '1.2.3' } })).toEqual(["CHART.version = '1.2.3': no manager sees it"]);
  });

  it('reports an OCI chart, which the helm datasource cannot look up', () => {
    const text = "export const CHART = { repo: 'oci://ghcr.io/charts', name: 'thing', version: '1.2.3' };";
    expect(check(text, { CHART: { repo: 'oci://ghcr.io/charts', name: 'thing', version: '1.2.3' } })).toEqual(["CHART.version = '1.2.3': no manager sees it"]);
  });

  it('reports a pin two managers see', () => {
    const text = ['// renovate: datasource=github-tags depName=example/crds', "  version: '1.0.0', source: 'example/crds',", "  version: '1.0.0',"].join('\n');
    const deps: Dependency[] = extractDependencies(text, config, path);
    expect(deps.map((dep) => dep.datasource).sort()).toEqual(['github-tags', 'terraform-provider']);
    expect(coverageProblems(text, [{ path: 'CRDS.version', value: '1.0.0', literals: ["'1.0.0'"], expect: {} }], deps)).toEqual([
      "'1.0.0' (CRDS.version): seen 2 times, by managers 3, 2",
    ]);
  });

  it('reports a renovate comment that names another package than the code', () => {
    const text = ['export const CHART = {', '  // renovate: datasource=helm registryUrl=https://old.example depName=thing', "  repo: 'https://charts.example',", "  name: 'thing',", "  version: '1.2.3',", '};'].join('\n');
    expect(commentProblems(text, extractDependencies(text, config, path))).toEqual([
      'line 2: comment says registryUrl=https://old.example, Renovate uses https://charts.example',
    ]);
  });

  it('reads managerFilePatterns as Renovate does (/regex/)', () => {
    expect(filePattern('/(^|/)packages/[^/]+/src/versions\\.ts$/').test('packages/x/src/versions.ts')).toBe(true);
    expect(filePattern('/(^|/)packages/[^/]+/src/versions\\.ts$/').test('packages/x/src/other.ts')).toBe(false);
  });
});

describe('the minimum Renovate', () => {
  it('renovate.json states it, and the Renovate the real-CLI tests run (tools/oracles.json) meets it', () => {
    const description = (JSON.parse(read('renovate.json')) as { description: string }).description;
    const minimum = /Needs Renovate (\d+) or later/.exec(description)?.[1];
    expect(minimum, 'renovate.json description: "Needs Renovate <major> or later"').toBeDefined();
    const pinned = (JSON.parse(read('tools/oracles.json')) as { renovate: { version: string } }).renovate.version;
    expect(Number(pinned.split('.')[0])).toBeGreaterThanOrEqual(Number(minimum));
  });
});

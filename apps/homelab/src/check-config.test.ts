import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump, load } from 'js-yaml';
import { checkFiles, checkTree, formatFinding, NFS_EXPORT_REQUIREMENTS, nfsExportRequirementsText, type Finding } from '@homelab/check';
import { describeObject, hasGeneratedHeader, type Component, type GeneratedFile } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { Connector } from '@homelab/tailscale';
import { configVariant, seedConfig, sharedDir } from '@homelab/testing';
import { CHECK_CONFIG_PATH, chartValueEntries, checkConfigArtifact, checkConfigFile, composeHomelab, renderHomelab } from '@homelab/generator';
import { CHECK_MODELS } from './check-models.js';
import { defaultArtifacts, defaultModules } from './modules.js';

const seed = seedConfig();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function components(config: ResolvedConfig): Component[] {
  const composed = composeHomelab(config, defaultModules);
  if (!composed.ok) throw new Error(JSON.stringify(composed, null, 2));
  return composed.components;
}

function rendered(config: ResolvedConfig): GeneratedFile[] {
  const result = renderHomelab(config, defaultModules, { artifacts: defaultArtifacts });
  if (!result.ok) throw new Error(JSON.stringify(result, null, 2));
  return result.files;
}

function writeFiles(files: readonly GeneratedFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'homelab-check-config-'));
  dirs.push(dir);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
  return dir;
}

interface CheckConfig {
  chartObjects: string[];
  external: string[];
  roots: string[];
}

/** The file's lines for an entry: `  - <value>  # <comment>`. */
const commentOf = (content: string, value: string) => content.split('\n').find((line) => line.startsWith(`  - ${value}  # `))?.split('  # ')[1];

describe('.homelab-check.yaml', () => {
  const all = components(seed);
  const file = checkConfigFile(all);
  const config = load(file.content) as CheckConfig;

  it('is a generated file at the output root, rendered by the registered artifact', () => {
    expect(file.path).toBe(CHECK_CONFIG_PATH);
    expect(file.path).toBe('.homelab-check.yaml');
    expect(hasGeneratedHeader(file.content)).toBe(true);
    expect(rendered(seed).find((candidate) => candidate.path === CHECK_CONFIG_PATH)?.content).toBe(file.content);
    expect(checkConfigArtifact.build(seed, all)).toEqual([file]);
  });

  it("vouches for every exposure's Service as a chart object and declares every declared secret external, each vouched for by its components", () => {
    const services = new Map<string, Set<string>>();
    const secrets = new Map<string, Set<string>>();
    const add = (map: Map<string, Set<string>>, key: string, component: string) => map.set(key, new Set([...(map.get(key) ?? []), component]));
    for (const component of all) {
      for (const exposure of component.exposes ?? []) add(services, `Service/${exposure.service.namespace}/${exposure.service.name}`, component.name);
      for (const secret of component.secrets ?? []) add(secrets, `Secret/${secret.namespace}/${secret.name}`, component.name);
    }
    expect(services.size).toBeGreaterThan(3);
    expect(secrets.size).toBeGreaterThan(3);
    expect(new Set(config.chartObjects)).toEqual(new Set(services.keys()));
    expect(config.chartObjects).toHaveLength(services.size);
    expect(new Set(config.external)).toEqual(new Set(secrets.keys()));
    expect(config.external).toHaveLength(secrets.size);
    for (const [key, owners] of [...services, ...secrets]) {
      const comment = commentOf(file.content, key);
      expect(comment, key).toBeDefined();
      for (const owner of owners) expect(comment, key).toContain(owner);
    }
    const plex = all.find((component) => component.name === 'plex')!;
    for (const exposure of plex.exposes!) expect(commentOf(file.content, `Service/${exposure.service.namespace}/${exposure.service.name}`)).toContain(exposure.host);
  });

  it('lists the component files holding Kubernetes objects as roots: applied by hand', () => {
    const handApplied = all.flatMap((component) => (component.files ?? []).filter((candidate) => /\.ya?ml$/.test(candidate.path) && /^kind: /m.test(candidate.content)).map((candidate) => candidate.path));
    expect(handApplied.length).toBeGreaterThan(0);
    expect(config.roots).toEqual(handApplied.sort());
    const markdown = all.flatMap((component) => (component.files ?? []).filter((candidate) => candidate.path.endsWith('.md')));
    expect(markdown.length).toBeGreaterThan(0);
    for (const doc of markdown) expect(config.roots).not.toContain(doc.path);
  });

  it('follows the config: a disabled app takes its Service and secrets out, a new domain changes nothing but the comments', () => {
    const withoutPlex = load(checkConfigFile(components(configVariant((data) => void ((data as any).apps.plex.enabled = false)))).content) as CheckConfig;
    expect(config.chartObjects).toContain('Service/media/plex');
    expect(withoutPlex.chartObjects).not.toContain('Service/media/plex');
    expect(withoutPlex.chartObjects.length).toBe(config.chartObjects.length - 1);
    expect(withoutPlex.external).toEqual(config.external); // plex declares no secret
    const moved = checkConfigFile(components(configVariant((data) => void (data.domains = { public: 'example.org', internal: 'int.example.org' }))));
    expect((load(moved.content) as CheckConfig).chartObjects).toEqual(config.chartObjects);
    expect((load(moved.content) as CheckConfig).external).toEqual(config.external);
    expect(moved.content).toContain('.int.example.org (internal)');
    expect(moved.content).not.toContain(seed.domains.public);
  });
});

/**
 * The seed's csi-driver-nfs StorageClasses and PersistentVolumes, as check names them: check cannot
 * see their exports' options, so each gets the one information finding that states them.
 */
function nfsObjects(config: ResolvedConfig): string[] {
  const { driver } = NFS_EXPORT_REQUIREMENTS;
  return components(config)
    .flatMap((component) => Object.values(component.objects ?? {}))
    .filter((object) => {
      const raw = object as Record<string, any>;
      return (raw['kind'] === 'StorageClass' && raw['provisioner'] === driver) || (raw['kind'] === 'PersistentVolume' && raw['spec']?.csi?.driver === driver);
    })
    .map((object) => describeObject(object))
    .sort();
}

/** Nothing but the NFS export information, once per NFS object. */
function expectOnlyNfsInformation(findings: readonly Finding[]) {
  expect(findings.filter((finding) => finding.hint !== nfsExportRequirementsText()).map(formatFinding)).toEqual([]);
  expect(findings.map((finding) => `${finding.severity} ${finding.object}`).sort()).toEqual(nfsObjects(seed).map((object) => `info ${object}`));
}

describe('the generated tree, checked by homelab check', () => {
  it('yields no finding but the NFS export information, written to a fresh directory', async () => {
    expect(nfsObjects(seed).length).toBeGreaterThan(0);
    const report = await checkTree(writeFiles(rendered(seed)), { models: CHECK_MODELS });
    expectOnlyNfsInformation(report.findings);
    expect(report.stats.reachedApplications).toBe(report.stats.applications);
    expect(report.stats.applications).toBeGreaterThan(10);
  });

  it('yields the same in memory (what generate and validate check)', async () => {
    const files = rendered(seed);
    const report = await checkFiles(new Map(files.map((candidate) => [candidate.path, candidate.content])), { models: CHECK_MODELS });
    expectOnlyNfsInformation(report.findings);
  });

  it('would report what the config vouches for, were it not declared', async () => {
    const files = rendered(seed).filter((candidate) => candidate.path !== CHECK_CONFIG_PATH);
    const report = await checkFiles(new Map(files.map((candidate) => [candidate.path, candidate.content])), { models: CHECK_MODELS });
    expect(report.findings.filter((finding) => finding.check === 'references').length).toBeGreaterThan(0);
    expect(report.findings.some((finding) => finding.check === 'reachability' && finding.file === 'kubernetes/bootstrap/argocd/namespace.yaml')).toBe(true);
  });
});

const shared = sharedDir();
if (!shared) console.warn('../shared not found: the check of the generated tree against the real chart values (check --chart-schemas) is SKIPPED');

describe.skipIf(!shared)('the generated tree, checked with --chart-schemas ../shared/chart-schemas (the real charts)', () => {
  const chartSchemas = join(shared!, 'chart-schemas');
  const chartValueFindings = async (files: readonly GeneratedFile[]) =>
    (await checkTree(writeFiles(files), { models: CHECK_MODELS, chartSchemas })).findings.filter((finding) => finding.check === 'chart-values').map(formatFinding);

  it('yields no chart-values finding: the unlisted values the components declare are allowed', async () => {
    expect(await chartValueFindings(rendered(seed))).toEqual([]);
  });

  it('reports every declared unlisted value once the allowance is gone (none is stale)', async () => {
    const declared = [...chartValueEntries(components(seed)).values()].flat().map((entry) => entry.value);
    expect(declared).toContain('configs.params."server.insecure"');
    const files = rendered(seed).map((candidate) => (candidate.path === CHECK_CONFIG_PATH ? { ...candidate, content: candidate.content.split('\nchartValues:')[0]! + '\n' } : candidate));
    const findings = await chartValueFindings(files);
    expect(findings).toHaveLength(declared.length);
    for (const path of declared) expect(findings.some((finding) => finding.includes(`values key '${path}' is not in the values.yaml`))).toBe(true);
  });

  it('still reports an unknown dotted key (kept as one quoted key, not two levels)', async () => {
    const valuesPath = 'kubernetes/core/argocd/values.yaml';
    const files = rendered(seed).map((candidate) => {
      if (candidate.path !== valuesPath) return candidate;
      const values = load(candidate.content) as { configs: { params: Record<string, unknown> } };
      values.configs.params['server.insecur'] = true;
      return { ...candidate, content: dump(values) };
    });
    const findings = await chartValueFindings(files);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(`${valuesPath} Application/argocd/argocd: values key 'configs.params."server.insecur"' is not in the values.yaml of chart argo-cd`);
  });
});

describe('CHECK_MODELS', () => {
  it("validates the tailscale Connector with the package's own schema", async () => {
    const sample = new Connector({ metadata: { name: 'router' }, spec: { subnetRouter: { advertiseRoutes: ['10.0.0.0/24'] } } });
    expect(Object.keys(CHECK_MODELS)).toEqual([`${sample.apiVersion}/${sample.kind}`]);
    const tree = (spec: object) =>
      new Map([
        ['apps/root.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: { name: root, namespace: argocd }\nspec: { project: default, destination: { server: https://kubernetes.default.svc, namespace: argocd }, source: { repoURL: https://git.example.com/x.git, path: apps, targetRevision: main } }\n'],
        ['apps/connector.yaml', `apiVersion: ${sample.apiVersion}\nkind: ${sample.kind}\nmetadata: { name: router }\nspec: ${JSON.stringify(spec)}\n`],
      ]);
    const schema = async (spec: object) => (await checkFiles(tree(spec), { models: CHECK_MODELS })).findings.filter((finding) => finding.check === 'schema').map((finding) => `${finding.severity} ${finding.problem}`);
    expect(await schema(sample.spec)).toEqual([]);
    expect(await schema({ subnetRouter: { advertiseRoutes: ['not-a-cidr'] } })).toEqual([expect.stringMatching(/^error fails the tailscale\.com\/v1alpha1 Connector schema: /)]);
    const unvalidated = (await checkFiles(tree(sample.spec))).findings.filter((finding) => finding.check === 'schema');
    expect(unvalidated.map((finding) => `${finding.severity} ${finding.problem}`)).toEqual(['info no schema known for tailscale.com/v1alpha1 Connector']);
  });
});

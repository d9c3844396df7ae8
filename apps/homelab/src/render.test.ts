import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dump, load, loadAll } from 'js-yaml';
import { Service } from 'kubernetes-models/v1/Service';
import { generatedHeader, hasGeneratedHeader, type GeneratedFile } from '@homelab/core';
import { formatProblem, type ResolvedConfig } from '@homelab/config';
import { renderHomelab } from './render.js';
import { defaultModules, EXPOSURE_PROVIDERS, SSO_PROVIDER_MODULE } from './modules.js';
import { composeComponents, type HomelabModule } from './compose.js';
import { alloyModule } from '@homelab/alloy';
import { argocdModule } from '@homelab/argocd';
import { certManagerModule } from '@homelab/cert-manager';
import { ciliumModule } from '@homelab/cilium';
import { kubePrometheusStackModule } from '@homelab/kube-prometheus-stack';
import { lokiModule } from '@homelab/loki';
import { configVariant, findOracle, seedConfig } from '@homelab/testing';

const seed = seedConfig();

function render(config: ResolvedConfig = seed, modules: HomelabModule[] = defaultModules): GeneratedFile[] {
  const result = renderHomelab(config, modules);
  if (!result.ok) throw new Error(JSON.stringify(result, null, 2));
  return result.files;
}

interface Source {
  path?: string;
  ref?: string;
  chart?: string;
  helm?: { valueFiles?: string[] };
}
interface ApplicationDoc {
  kind: string;
  metadata: { name: string };
  spec: { source?: Source; sources?: Source[] };
}

/**
 * Walks the tree the way ArgoCD does from kubernetes/bootstrap/app-of-apps/root.yaml: directory
 * sources (non-recursive, plain files) and Helm value files referenced through `$values`.
 */
function reachableFiles(files: GeneratedFile[]): Set<string> {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const reached = new Set<string>();
  const visitDir = (dir: string) => {
    for (const file of files) {
      if (dirname(file.path) !== dir || !/\.ya?ml$/.test(file.path) || reached.has(file.path)) continue;
      reached.add(file.path);
      for (const doc of loadAll(file.content) as ApplicationDoc[]) if (doc?.kind === 'Application') visitApplication(doc);
    }
  };
  const visitApplication = (app: ApplicationDoc) => {
    for (const source of app.spec.sources ?? [app.spec.source!]) {
      if (source.path) visitDir(source.path);
      for (const valueFile of source.helm?.valueFiles ?? []) {
        const path = valueFile.replace(/^\$values\//, '');
        expect(byPath.has(path), `${app.metadata.name} references ${valueFile}`).toBe(true);
        reached.add(path);
      }
    }
  };
  const root = byPath.get('kubernetes/bootstrap/app-of-apps/root.yaml')!;
  reached.add(root.path);
  visitApplication(load(root.content) as ApplicationDoc);
  return reached;
}

describe('the rendered default homelab', () => {
  const files = render();

  it('has every Kubernetes manifest reachable from the root Application', () => {
    const reached = reachableFiles(files);
    const manifests = files.filter((file) => file.path.startsWith('kubernetes/') && /\.ya?ml$/.test(file.path) && !file.path.startsWith('kubernetes/bootstrap/argocd/'));
    const unreachable = manifests.map((file) => file.path).filter((path) => !reached.has(path));
    expect(unreachable).toEqual([]);
  });

  it('hands every Kubernetes manifest over with its documents, exactly what parsing the file yields', () => {
    const manifests = files.filter((file) => file.path.startsWith('kubernetes/') && /\.ya?ml$/.test(file.path));
    expect(manifests.filter((file) => !file.documents).map((file) => file.path)).toEqual([]);
    for (const file of files.filter((f) => f.documents)) expect(loadAll(file.content), file.path).toStrictEqual(file.documents);
  });

  it('writes every YAML file byte for byte as js-yaml dumps its documents (core renders faster, never differently)', () => {
    for (const file of files.filter((f) => f.documents)) {
      expect(file.content, file.path).toBe(generatedHeader(file.source) + dump(file.documents![0], { lineWidth: -1, noRefs: true, indent: 2 }));
    }
  });

  it('puts the generated header on every YAML file, naming the source package', () => {
    for (const file of files.filter((f) => /\.ya?ml$/.test(f.path))) {
      expect(hasGeneratedHeader(file.content), file.path).toBe(true);
      expect(file.content, file.path).toContain(`from ${file.source}.`);
    }
  });

  it('is byte-identical across renders', () => {
    expect(render().map((f) => [f.path, f.content])).toEqual(files.map((f) => [f.path, f.content]));
  });

  it('writes files in sorted, stable order with unique paths', () => {
    const paths = files.map((file) => file.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('contains no homelab literal that the config does not supply: changing the domain changes every host', () => {
    const other = render(configVariant((data) => {
      data.domains = { public: 'example.org', internal: 'lab.example.org' };
    }));
    const text = other.map((file) => file.content).join('\n');
    expect(text).not.toContain(seed.domains.internal);
    expect(text).toContain('lab.example.org');
  });

  const yamllint = findOracle('yamllint', 'the YAML 1.1 safety check (yamllint)') !== undefined;

  it.skipIf(!yamllint)('passes yamllint, truthy rule included (no YAML 1.1 boolean traps)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'homelab-yamllint-'));
    for (const file of files.filter((f) => /\.ya?ml$/.test(f.path))) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.content);
    }
    const config = JSON.stringify({
      extends: 'default',
      rules: { 'line-length': 'disable', 'document-start': 'disable', truthy: { 'allowed-values': ['true', 'false'], 'check-keys': true } },
    });
    expect(() => execFileSync('yamllint', ['-s', '-d', config, dir], { encoding: 'utf8' })).not.toThrow();
  });
});

describe('derived objects', () => {
  const exposing: HomelabModule = {
    name: 'fixture-whoami',
    kind: 'app',
    build: (config) => ({
      name: 'fixture-whoami',
      group: 'apps',
      namespace: 'fixture-whoami',
      source: '@homelab/test',
      objects: { service: new Service({ metadata: { name: 'fixture-whoami', namespace: 'fixture-whoami' }, spec: { ports: [{ port: 80 }] } }) },
      exposes: [
        { host: `fixture-whoami.${config.domains.internal}`, access: 'internal', service: { name: 'fixture-whoami', namespace: 'fixture-whoami', port: 80 }, sso: 'none' },
        { host: `fixture-whoami.${config.domains.public}`, access: 'public', service: { name: 'fixture-whoami', namespace: 'fixture-whoami', port: 80 }, sso: 'none' },
      ],
    }),
  };

  it("turns an internal exposure into an HTTPRoute in the exposing component's manifests", () => {
    const files = render(seed, [...defaultModules, exposing]);
    const route = files.find((file) => file.path === 'kubernetes/apps/fixture-whoami/manifests/HTTPRoute-fixture-whoami.yaml');
    expect(route).toBeDefined();
    const doc = load(route!.content) as { spec: { hostnames: string[] } };
    expect(doc.spec.hostnames).toEqual([`fixture-whoami.${seed.domains.internal}`]);
    expect(files.filter((file) => file.path.includes('HTTPRoute-fixture-whoami'))).toHaveLength(1);
  });

  it('reports an exposure the gateway cannot serve as an output problem, writing nothing', () => {
    const bad: HomelabModule = { ...exposing, build: (config) => ({ ...(exposing.build(config) as object), exposes: [{ host: 'fixture-whoami.elsewhere.net', access: 'internal', service: { name: 'fixture-whoami', namespace: 'fixture-whoami', port: 80 }, sso: 'none' }] }) as never };
    const result = renderHomelab(seed, [...defaultModules, bad]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.outputProblems[0]!.problem).toContain("internal host is not covered by the internal gateway's '*.int.lorenzodebie.be' listener");
  });

  it('drops a disabled app and everything derived from it: Application, values, route, tunnel rule', () => {
    const config = configVariant((data) => {
      data.apps = { ...data.apps, overseerr: { enabled: false } };
    });
    const files = render(config);
    expect(files.some((file) => file.path.includes('overseerr'))).toBe(false);
    const tunnel = files.find((file) => file.path === 'kubernetes/core/cloudflared/values.yaml')!.content;
    expect(render().find((file) => file.path === 'kubernetes/core/cloudflared/values.yaml')!.content).toContain('overseerr.media.svc');
    expect(tunnel).not.toContain('overseerr');
  });

  it('merges a values override from homelab.yaml onto the chart values', () => {
    const config = configVariant((data) => {
      data.components = { 'cert-manager': { values: { replicaCount: 2, crds: { keep: null } } } };
    });
    const values = load(render(config).find((file) => file.path === 'kubernetes/core/cert-manager/values.yaml')!.content) as Record<string, any>;
    expect(values['replicaCount']).toBe(2);
    expect(values['crds']).toEqual({ enabled: true });
  });
});

describe('exposure providers', () => {
  it('rejects an exposure whose provider is disabled, naming the setting that fixes it', () => {
    const config = configVariant((data) => {
      data.components = { 'gateway-api': { enabled: false } };
    });
    const result = renderHomelab(config, defaultModules);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.outputProblems).toEqual([]);
    expect(!result.ok && result.configProblems.map(formatProblem)).toContain(
      `components.gateway-api.enabled: argocd exposes argocd.${seed.domains.internal} (internal), but internal-gateway is not deployed (got 'false'). Set components.gateway-api.enabled: true in homelab.yaml, or stop exposing argocd that way.`,
    );
  });

  // The two ways a homelab is composed: homelab.yaml switches modules of the CLI's list off; a
  // library user leaves modules out of the list, where no homelab.yaml setting can bring them back.
  const problemsOf = (config: ResolvedConfig, modules: HomelabModule[]): string[] => {
    const result = renderHomelab(config, modules);
    if (result.ok) throw new Error('expected the render to fail');
    expect(result.outputProblems).toEqual([]);
    return result.configProblems.map(formatProblem);
  };
  const without = (name: string) => defaultModules.filter((module) => module.name !== name);
  // Only the listed modules are known: a library composition's config names no other component or app.
  const libraryConfig: ResolvedConfig = { ...seed, components: {}, apps: {} };
  const argocdHost = `argocd.${seed.domains.internal}`;

  it('CLI style: SSO asked for while authentik is disabled in homelab.yaml names the setting', () => {
    const config = configVariant((data) => {
      data.components = { authentik: { enabled: false } };
    });
    expect(problemsOf(config, defaultModules)).toContain(
      `components.authentik.enabled: argocd asks for SSO on ${argocdHost}, but authentik is not deployed, so it would be served unprotected (got 'false'). Enable authentik (components.authentik.enabled: true).`,
    );
  });

  it('CLI style: a node-local volume asked for while local-path is disabled names the setting and both fixes', () => {
    const config = configVariant((data) => {
      data.components = { 'local-path': { enabled: false } };
      data.storage = { volumes: { loki: 'node-local' } };
    });
    expect(problemsOf(config, defaultModules)).toEqual([
      "storage.volumes.loki: asks for node-local storage, but no component providing a node-local StorageClass is deployed (got 'node-local'). Enable local-path (components.local-path.enabled: true; a library composition adds localPathModule from @homelab/local-path to its module list), or set storage.volumes.loki: nfs.",
    ]);
  });

  it('library style: SSO asked for while the module list lacks authentik names the module to add, or SSO off', () => {
    const problems = problemsOf(libraryConfig, without('authentik'));
    expect(problems).toContain(
      `components.argocd: argocd asks for SSO on ${argocdHost}, but authentik is not in the module list, so it would be served unprotected (got 'oidc'). Add authentikModule (from @homelab/authentik) to the module list, or turn SSO off for argocd (sso: 'none' on its exposure of ${argocdHost}).`,
    );
    const radarr = problems.find((problem) => problem.startsWith('apps.radarr.sso:'));
    expect(radarr).toBe(
      `apps.radarr.sso: radarr asks for SSO on radarr.${seed.domains.internal}, but authentik is not in the module list, so it would be served unprotected (got 'proxy'). Add authentikModule (from @homelab/authentik) to the module list, or set apps.radarr.sso: none.`,
    );
    expect(problems.join('\n')).not.toContain('components.authentik.enabled');
  });

  it('library style: an exposure whose provider module is not in the list names the module to add', () => {
    expect(problemsOf(libraryConfig, without('gateway-api'))).toContain(
      `components.argocd: argocd exposes ${argocdHost} (internal), but internal-gateway is not in the module list (gateway-api builds it) (got '${argocdHost}'). Add gatewayApiModule (from @homelab/gateway-api) to the module list, or stop exposing argocd that way.`,
    );
  });

  it.each([...Object.values(EXPOSURE_PROVIDERS), SSO_PROVIDER_MODULE].map((provider) => [provider.module.export, provider] as const))(
    'names a real export: %s of its package builds the provider component',
    async (_export, provider) => {
      const exported = ((await import(provider.module.package)) as Record<string, HomelabModule>)[provider.module.export];
      expect(exported?.name).toBe(provider.module.name);
      const composition = composeComponents(libraryConfig, [exported!]);
      expect(composition.ok && composition.components.map((component) => component.name)).toContain(provider.component);
      expect(provider.path).toBe(`components.${provider.module.name}.enabled`);
    },
  );
});

describe('ServiceMonitors follow the prometheus-operator CRDs', () => {
  const ciliumValues = (config: ResolvedConfig) =>
    load(render(config).find((file) => file.path === 'kubernetes/core/cilium/values.yaml')!.content) as { prometheus: { serviceMonitor: { enabled: boolean } } };

  it('are on while kube-prometheus-stack brings the CRDs in an earlier wave', () => {
    expect(ciliumValues(seed).prometheus.serviceMonitor.enabled).toBe(true);
  });

  it('follow the composition, not the CLI: any module list with a Prometheus turns every ServiceMonitor on, one without turns them off', () => {
    const serviceMonitorSwitches = (modules: HomelabModule[]) => {
      // Only the listed modules are known: the config names no other component or app.
      const composition = composeComponents({ ...seed, components: {}, apps: {} }, modules);
      if (!composition.ok) throw new Error(JSON.stringify(composition.problems));
      const byName = new Map(composition.components.map((component) => [component.name, component.values as Record<string, unknown>]));
      const at = (name: string, path: string) => path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], byName.get(name));
      return [
        at('cilium', 'prometheus.serviceMonitor.enabled'),
        at('cilium', 'operator.prometheus.serviceMonitor.enabled'),
        at('cert-manager', 'prometheus.servicemonitor.enabled'),
        ...['controller', 'server', 'repoServer', 'applicationSet'].map((part) => at('argocd', `${part}.metrics.serviceMonitor.enabled`)),
        at('loki', 'monitoring.serviceMonitor.enabled'),
        at('alloy', 'serviceMonitor.enabled'),
      ];
    };
    // A library consumer's list, built from the packages' public modules (no defaultModules).
    const consumer = [ciliumModule, certManagerModule, argocdModule, lokiModule, alloyModule];
    expect(serviceMonitorSwitches([...consumer, kubePrometheusStackModule])).toEqual(Array(9).fill(true));
    expect(serviceMonitorSwitches(consumer)).toEqual(Array(9).fill(false));
  });

  it('are off when observability is disabled, so the first sync cannot fail on a missing CRD', () => {
    const config = configVariant((data) => {
      data.components = { 'kube-prometheus-stack': { enabled: false }, loki: { enabled: false }, alloy: { enabled: false } };
    });
    expect(ciliumValues(config).prometheus.serviceMonitor.enabled).toBe(false);
    const paths = render(config).map((file) => file.path);
    expect(paths.filter((path) => path.startsWith('kubernetes/observability'))).toEqual([]);
    expect(paths).not.toContain('kubernetes/bootstrap/app-of-apps/observability.yaml');
  });
});

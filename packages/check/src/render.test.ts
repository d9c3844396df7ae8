import { afterAll, describe, expect, it } from 'vitest';
import { cachedChartDir, defaultChartCache, repositoryKey } from './chart-cache.js';
import { crdApiVersions, helmTemplateArgs, kubeVersionArg, pinnedKubeVersion } from './render.js';
import { dirSource, Tree, type KubeDoc } from './tree.js';
import { removeTrees, writeTree } from './test-support/fixtures.js';

afterAll(removeTrees);

describe('helm template arguments (ArgoCD repo-server order)', () => {
  it('runs in the chart directory: release, namespace, kube version, parameters, values files, api versions, CRDs', () => {
    expect(
      helmTemplateArgs({
        releaseName: 'web',
        namespace: 'shop',
        kubeVersion: '1.34',
        parameters: [{ name: 'a', value: '1', forceString: false }, { name: 'b', value: '2', forceString: true }],
        valueFiles: ['/repo/base.yaml', '/tmp/inline.yaml'],
        apiVersions: ['example.com/v1', 'example.com/v1/Widget'],
        includeCrds: true,
        skipSchemaValidation: true,
        skipTests: true,
      }),
    ).toEqual([
      'template', '.', '--name-template', 'web', '--namespace', 'shop', '--kube-version', '1.34',
      '--set', 'a=1', '--set-string', 'b=2', '--values', '/repo/base.yaml', '--values', '/tmp/inline.yaml',
      '--api-versions', 'example.com/v1', '--api-versions', 'example.com/v1/Widget', '--include-crds', '--skip-schema-validation', '--skip-tests',
    ]);
    expect(helmTemplateArgs({ releaseName: 'web', parameters: [], valueFiles: [], apiVersions: [], includeCrds: false, skipSchemaValidation: false, skipTests: false })).toEqual(['template', '.', '--name-template', 'web']);
  });

  it('passes the Kubernetes version as ArgoCD reports a cluster’s: major.minor', () => {
    expect(kubeVersionArg('v1.34.1')).toBe('1.34');
    expect(kubeVersionArg('1.31')).toBe('1.31');
    expect(kubeVersionArg('latest')).toBeUndefined();
  });

  it('reads the pinned version from a talhelper talconfig.yaml in the tree', () => {
    const tree = new Tree(dirSource(writeTree({ 'talos/talconfig.yaml': 'clusterName: lab\nkubernetesVersion: v1.33.2\n' })));
    expect(pinnedKubeVersion(tree)).toEqual({ version: 'v1.33.2', file: 'talos/talconfig.yaml' });
    expect(pinnedKubeVersion(new Tree(dirSource(writeTree({ 'README.md': '#' }))))).toBeUndefined();
  });

  it('serves group/version and group/version/Kind of every served CRD version', () => {
    const crd = (versions: object[]) => ({ kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io', raw: { spec: { group: 'example.com', names: { kind: 'Widget' }, versions } } }) as unknown as KubeDoc;
    expect(crdApiVersions([crd([{ name: 'v1', served: true }, { name: 'v1beta1', served: false }, { name: 'v2' }])])).toEqual(['example.com/v1', 'example.com/v1/Widget', 'example.com/v2', 'example.com/v2/Widget']);
  });
});

describe('chart cache', () => {
  it('keys charts by repository, chart and version', () => {
    expect(repositoryKey('https://bjw-s-labs.github.io/helm-charts/')).toBe('bjw-s-labs.github.io/helm-charts');
    expect(repositoryKey('oci://ghcr.io/user:token@x')).toBe('ghcr.io/user_token_x');
    expect(repositoryKey('ghcr.io/home-operations/charts')).toBe('ghcr.io/home-operations/charts');
    expect(cachedChartDir('/cache', 'https://helm.cilium.io', 'cilium', '1.19.6')).toBe('/cache/helm.cilium.io/cilium/1.19.6');
    expect(defaultChartCache({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/homelab/charts');
    expect(defaultChartCache({ HOME: '/home/me' })).toBe('/home/me/.cache/homelab/charts');
  });
});

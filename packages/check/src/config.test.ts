import { afterAll, describe, expect, it } from 'vitest';
import { externalMatcher, loadSettings, parseExternal } from './config.js';
import { removeTrees, writeTree } from './test-support/fixtures.js';

afterAll(removeTrees);

describe('settings', () => {
  it('parses external objects: Kind/namespace/name or Kind/name', () => {
    expect(parseExternal('Secret/media/plex')).toEqual({ kind: 'Secret', namespace: 'media', name: 'plex' });
    expect(parseExternal('StorageClass/local-path')).toEqual({ kind: 'StorageClass', name: 'local-path' });
    expect(() => parseExternal('Secret')).toThrow("--external: 'Secret' is not Kind/namespace/name or Kind/name (e.g. Secret/media/plex-token, StorageClass/local-path)");
    expect(() => parseExternal('Secret//x')).toThrow(/is not Kind\/namespace\/name/);
  });

  it('matches external objects by kind, namespace and name globs', () => {
    const isExternal = externalMatcher({ external: [parseExternal('Secret/media/*-token'), parseExternal('StorageClass/local-path')] });
    expect(isExternal('Secret', 'media', 'plex-token')).toBe(true);
    expect(isExternal('Secret', 'other', 'plex-token')).toBe(false);
    expect(isExternal('ConfigMap', 'media', 'plex-token')).toBe(false);
    expect(isExternal('StorageClass', undefined, 'local-path')).toBe(true);
  });

  it('looks literal entries up exactly: kind, namespace or none (cluster-scoped), name', () => {
    const isExternal = externalMatcher({ external: ['Secret/media/plex', 'Secret/*/shared', 'Namespace/media', 'Service/web-*/api'].map((spec) => parseExternal(spec)) });
    expect(isExternal('Secret', 'media', 'plex')).toBe(true);
    expect(isExternal('Secret', 'other', 'plex')).toBe(false);
    expect(isExternal('Secret', undefined, 'plex')).toBe(false);
    expect(isExternal('ConfigMap', 'media', 'plex')).toBe(false);
    expect(isExternal('Secret', 'anywhere', 'shared')).toBe(true);
    expect(isExternal('Namespace', undefined, 'media')).toBe(true);
    expect(isExternal('Namespace', 'media', 'media')).toBe(false);
    expect(isExternal('Service', 'web-1', 'api')).toBe(true);
    expect(isExternal('Service', 'web-1', 'api-2')).toBe(false);
  });

  it('reads .homelab-check.yaml, adds command-line options and rejects unknown keys', () => {
    const dir = writeTree({ '.homelab-check.yaml': 'external: [Secret/a/b]\nsecretKeys: { a/b: [token] }\nrepoURLs: [https://example.com/x.git]\npodSecurity: { defaultEnforce: restricted }\n' });
    const settings = loadSettings(dir, { external: ['Namespace/monitoring'], chartSchemas: '/schemas' });
    expect(settings.external).toEqual([{ kind: 'Secret', namespace: 'a', name: 'b' }, { kind: 'Namespace', name: 'monitoring' }]);
    expect(settings.repoURLs).toEqual(['https://example.com/x.git']);
    expect(settings.secretKeys).toEqual({ 'a/b': ['token'] });
    expect(() => loadSettings(writeTree({ '.homelab-check.yaml': 'secretKeys: { b: [token] }\n' }))).toThrow("secretKeys: 'b' is not namespace/name");
    expect(loadSettings(writeTree({ '.homelab-check.yaml': "unscraped: [argocd/argocd, 'media/*']\n" })).unscraped).toEqual(['argocd/argocd', 'media/*']);
    expect(() => loadSettings(writeTree({ '.homelab-check.yaml': 'unscraped: [argocd]\n' }))).toThrow(".homelab-check.yaml: unscraped[0]: 'argocd' is not the namespace/name of an Application (e.g. argocd/argocd)");
    expect(settings.defaultPodSecurity).toBe('restricted');
    expect(settings.chartSchemas).toBe('/schemas');
    expect(() => loadSettings(writeTree({ '.homelab-check.yaml': 'externals: []\n' }))).toThrow(
      ".homelab-check.yaml: unknown key 'externals' (known: external, chartObjects, repoURLs, roots, ignore, chartValues, secretKeys, unscraped, podSecurity)",
    );
    expect(() => loadSettings(writeTree({ '.homelab-check.yaml': 'podSecurity: { defaultEnforce: strict }\n' }))).toThrow(/defaultEnforce must be one of privileged, baseline, restricted/);
  });
});

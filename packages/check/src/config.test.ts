import { afterAll, describe, expect, it } from 'vitest';
import { isExternal, loadSettings, parseExternal } from './config.js';
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
    const settings = { external: [parseExternal('Secret/media/*-token'), parseExternal('StorageClass/local-path')] };
    expect(isExternal(settings, 'Secret', 'media', 'plex-token')).toBe(true);
    expect(isExternal(settings, 'Secret', 'other', 'plex-token')).toBe(false);
    expect(isExternal(settings, 'ConfigMap', 'media', 'plex-token')).toBe(false);
    expect(isExternal(settings, 'StorageClass', undefined, 'local-path')).toBe(true);
  });

  it('reads .homelab-check.yaml, adds command-line options and rejects unknown keys', () => {
    const dir = writeTree({ '.homelab-check.yaml': 'external: [Secret/a/b]\nrepoURLs: [https://example.com/x.git]\npodSecurity: { defaultEnforce: restricted }\n' });
    const settings = loadSettings(dir, { external: ['Namespace/monitoring'], chartSchemas: '/schemas' });
    expect(settings.external).toEqual([{ kind: 'Secret', namespace: 'a', name: 'b' }, { kind: 'Namespace', name: 'monitoring' }]);
    expect(settings.repoURLs).toEqual(['https://example.com/x.git']);
    expect(settings.defaultPodSecurity).toBe('restricted');
    expect(settings.chartSchemas).toBe('/schemas');
    expect(() => loadSettings(writeTree({ '.homelab-check.yaml': 'externals: []\n' }))).toThrow(
      ".homelab-check.yaml: unknown key 'externals' (known: external, repoURLs, roots, ignore, chartValues, podSecurity)",
    );
    expect(() => loadSettings(writeTree({ '.homelab-check.yaml': 'podSecurity: { defaultEnforce: strict }\n' }))).toThrow(/defaultEnforce must be one of privileged, baseline, restricted/);
  });
});

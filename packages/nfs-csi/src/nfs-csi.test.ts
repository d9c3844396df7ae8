import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { renderComponents, validateObjects, type Component } from '@homelab/core';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig, seedConfigData } from '@homelab/testing';
import { MEDIA_CLAIM, MEDIA_MOUNT_PATH, NFS_CSI_DRIVER, STORAGE_CLASSES, nfsCsiDefaults } from './defaults.js';
import { SUBDIR_VARIABLES, nfsCsi, nfsCsiModule, nfsCsiObjects, nfsCsiValues, type NfsCsiObjects } from './nfs-csi.js';
import { NFS_CSI_CHART } from './versions.js';
import * as api from './index.js';

const config = seedConfig();
const seed: Record<string, any> = seedConfigData();

const objectsOf = (component: Component) => component.objects as NfsCsiObjects;
const chartDir = chartSchemaDir('csi-driver-nfs');

describe('nfs-csi component', () => {
  const component = nfsCsi(config);

  it('is a core component in its namespace, at its sync wave, with the pinned chart', () => {
    expect(component).toMatchObject({
      name: nfsCsiModule.name,
      group: 'core',
      namespace: nfsCsiDefaults.namespace,
      syncWave: nfsCsiDefaults.syncWave,
      source: '@homelab/nfs-csi',
      chart: NFS_CSI_CHART,
    });
  });

  it('is deployed before workloads at the default wave consume storage', () => {
    expect(component.syncWave).toBeLessThan(0);
  });

  it('asks for a privileged namespace (the node plugin is privileged and uses host paths)', () => {
    expect(component.podSecurity).toBe('privileged');
  });

  it('registers under the name the aggregator applies homelab.yaml settings by', () => {
    const built = [nfsCsiModule.build(config)].flat();
    expect(built.map((c) => c.name)).toEqual([nfsCsiModule.name]);
    expect(JSON.stringify(built[0])).toEqual(JSON.stringify(component));
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual(['MEDIA_CLAIM', 'MEDIA_MOUNT_PATH', 'STORAGE_CLASSES', 'configVolume', 'mediaVolume', 'nfsCsi', 'nfsCsiDefaults', 'nfsCsiModule']);
  });

  it('takes overrides with merge() semantics and leaves the defaults alone', () => {
    const before = JSON.stringify(nfsCsiDefaults);
    const patched = nfsCsi(config, { syncWave: -8, media: { capacity: '8Ti' } });
    expect(patched.syncWave).toBe(-8);
    expect(objectsOf(patched).mediaVolume.spec?.capacity?.['storage']).toBe('8Ti');
    // untouched siblings keep their defaults
    expect(objectsOf(patched).configStorageClass.parameters?.['subDir']).toBe(nfsCsiDefaults.config.subDir);
    expect(JSON.stringify(nfsCsiDefaults)).toBe(before);
  });
});

describe('chart values', () => {
  const values = nfsCsiValues(nfsCsiDefaults);

  describe.skipIf(!chartDir)('conformance with csi-driver-nfs ' + NFS_CSI_CHART.version, () => {
    it('uses only keys of the chart values.yaml', () => {
      expect(checkChartValues(chartDir!, values)).toEqual([]);
    });

    it('would catch a misspelt key (the oracle is not vacuous)', () => {
      expect(checkChartValues(chartDir!, { ...values, controler: { replicas: 1 } })).toEqual(["controler: not a key of the chart's values.yaml"]);
    });

    it('uses the kubelet directory the chart defaults to, which is the one Talos uses', () => {
      const defaults = load(readFileSync(`${chartDir}/values.yaml`, 'utf8')) as { kubeletDir: string; driver: { name: string } };
      expect(values.kubeletDir).toBe(defaults.kubeletDir);
      expect(values.driver.name).toBe(defaults.driver.name);
    });
  });

  it('installs no snapshot machinery: no sidecar, no snapshot controller, no CRDs, no VolumeSnapshotClass', () => {
    expect(values.controller.enableSnapshotter).toBe(false);
    expect(values.externalSnapshotter.enabled).toBe(false);
    expect(values.externalSnapshotter.customResourceDefinitions.enabled).toBe(false);
    expect(values.volumeSnapshotClass.create).toBe(false);
  });

  it('creates no StorageClass from the chart (ours are typed objects)', () => {
    expect(values.storageClass.create).toBe(false);
    expect(values).not.toHaveProperty('storageClasses');
  });

  it('runs the controller with the configured replicas', () => {
    expect(values.controller.replicas).toBe(nfsCsiDefaults.controllerReplicas);
    expect(nfsCsiValues({ ...nfsCsiDefaults, controllerReplicas: 2 }).controller.replicas).toBe(2);
  });

  it('names the driver that every StorageClass and the static volume refer to', () => {
    const objects = nfsCsiObjects(config, nfsCsiDefaults);
    expect(values.driver.name).toBe(NFS_CSI_DRIVER);
    expect(objects.configStorageClass.provisioner).toBe(values.driver.name);
    expect(objects.mediaVolume.spec?.csi?.driver).toBe(values.driver.name);
  });
});

describe('objects', () => {
  const objects = nfsCsiObjects(config, nfsCsiDefaults);

  it('all pass their upstream schemas', () => {
    expect(validateObjects(Object.values(objects))).toEqual([]);
  });

  it('carry the exported StorageClass names', () => {
    expect(objects.configStorageClass.metadata?.name).toBe(STORAGE_CLASSES.config);
    expect(objects.mediaStorageClass.metadata?.name).toBe(STORAGE_CLASSES.media);
  });

  it('nfs-config provisions a retained, expandable sub-directory per claim of the config export', () => {
    const sc = objects.configStorageClass;
    expect(sc.parameters).toEqual({ server: config.nfs.server, share: config.nfs.exports.config, subDir: nfsCsiDefaults.config.subDir });
    expect(sc).toMatchObject({ reclaimPolicy: 'Retain', volumeBindingMode: 'Immediate', allowVolumeExpansion: true });
    expect(sc.mountOptions).toEqual(nfsCsiDefaults.mountOptions);
    expect(sc.mountOptions).toContain('nfsvers=4.1');
  });

  it('nfs-config lays volumes out as <namespace>/<claim> with variables csi-driver-nfs replaces', () => {
    const subDir = objects.configStorageClass.parameters?.['subDir'] ?? '';
    const variables = [...subDir.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]);
    expect(variables).toEqual(['pvc.metadata.namespace', 'pvc.metadata.name']);
    for (const variable of variables) expect(SUBDIR_VARIABLES).toContain(variable);
    expect(subDir.replace(/\$\{[^}]*\}/g, '')).toBe('/');
  });

  it('nfs-config is the default StorageClass unless turned off', () => {
    const key = 'storageclass.kubernetes.io/is-default-class';
    expect(objects.configStorageClass.metadata?.annotations?.[key]).toBe('true');
    const off = nfsCsiObjects(config, { ...nfsCsiDefaults, config: { ...nfsCsiDefaults.config, defaultClass: false } });
    expect(off.configStorageClass.metadata?.annotations?.[key]).toBeUndefined();
    expect(objects.mediaStorageClass.metadata?.annotations?.[key]).toBeUndefined();
  });

  it('nfs-media provisions nothing, so only the pre-bound static volume can serve it', () => {
    expect(objects.mediaStorageClass).toMatchObject({ provisioner: 'kubernetes.io/no-provisioner', reclaimPolicy: 'Retain', volumeBindingMode: 'Immediate' });
    expect(objects.mediaStorageClass.parameters).toBeUndefined();
  });

  it('the media volume mounts the media export of the NFS server with the shared mount options', () => {
    const spec = objects.mediaVolume.spec!;
    expect(spec.csi?.volumeAttributes).toEqual({ server: config.nfs.server, share: config.nfs.exports.media });
    expect(spec.csi?.volumeHandle).toBe(`${config.nfs.server}#${config.nfs.exports.media}#`);
    expect(spec).toMatchObject({ accessModes: ['ReadWriteMany'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: STORAGE_CLASSES.media });
    expect(spec.mountOptions).toEqual(nfsCsiDefaults.mountOptions);
  });
});

describe('media volume and claim are bound to each other', () => {
  const { mediaVolume: pv, mediaClaim: pvc } = nfsCsiObjects(config, nfsCsiDefaults);

  it('the volume reserves exactly the exported claim', () => {
    expect(pv.spec?.claimRef).toMatchObject({ kind: 'PersistentVolumeClaim', namespace: pvc.metadata?.namespace, name: pvc.metadata?.name });
    expect({ namespace: pvc.metadata?.namespace, name: pvc.metadata?.name }).toEqual(MEDIA_CLAIM);
  });

  it('the claim names the volume', () => {
    expect(pvc.spec?.volumeName).toBe(pv.metadata?.name);
  });

  it('both use the static class, the same access mode, and the request fits the capacity', () => {
    expect(pvc.spec?.storageClassName).toBe(pv.spec?.storageClassName);
    expect(pvc.spec?.accessModes).toEqual(pv.spec?.accessModes);
    expect(pvc.spec?.resources?.requests?.['storage']).toBe(pv.spec?.capacity?.['storage']);
  });

  it('capacity is a package default that an override changes on both sides', () => {
    expect(pv.spec?.capacity?.['storage']).toBe(nfsCsiDefaults.media.capacity);
    const big = objectsOf(nfsCsi(config, { media: { capacity: '20Ti' } }));
    expect(big.mediaVolume.spec?.capacity?.['storage']).toBe('20Ti');
    expect(big.mediaClaim.spec?.resources?.requests?.['storage']).toBe('20Ti');
  });

  it('exports an absolute mount path media apps share', () => {
    expect(MEDIA_MOUNT_PATH).toMatch(/^\/[a-z]+$/);
  });
});

describe('late binding: server and shares follow homelab.yaml', () => {
  const base = objectsOf(nfsCsi(config));

  function expectServerAndShares(objects: NfsCsiObjects, server: string, media: string, configExport: string) {
    expect(objects.configStorageClass.parameters).toMatchObject({ server, share: configExport });
    expect(objects.mediaVolume.spec?.csi?.volumeAttributes).toEqual({ server, share: media });
    expect(objects.mediaVolume.spec?.csi?.volumeHandle).toBe(`${server}#${media}#`);
  }

  it('an IP address in nfs.server and new export paths', () => {
    const changed = configVariant((data) => {
      data['nfs'] = { server: '10.99.0.7', exports: { media: '/srv/nfs/library', config: '/srv/nfs/kube' } };
    });
    const objects = objectsOf(nfsCsi(changed));
    expectServerAndShares(objects, '10.99.0.7', '/srv/nfs/library', '/srv/nfs/kube');
    expect(objects.mediaVolume.spec?.csi?.volumeHandle).not.toBe(base.mediaVolume.spec?.csi?.volumeHandle);
  });

  it('a host name in nfs.server resolves to that host, and follows a change of its address', () => {
    const range = seed['network']['ranges']['infrastructure'] as { start: string; end: string };
    const taken = new Set(Object.values(seed['hosts'] as Record<string, { ip: string }>).map((host) => host.ip));
    // a free infrastructure address, derived from the seed's IP plan
    const prefix = range.start.split('.').slice(0, 3).join('.');
    const first = Number(range.start.split('.')[3]);
    const last = Number(range.end.split('.')[3]);
    const free = Array.from({ length: last - first + 1 }, (_, i) => `${prefix}.${first + i}`).find((ip) => !taken.has(ip))!;
    const changed = configVariant((data) => {
      data['hosts']['nas'] = { ip: free };
      data['nfs']['server'] = 'nas';
    });
    expect(changed.nfs.server).toBe(free);
    expectServerAndShares(objectsOf(nfsCsi(changed)), free, seed['nfs']['exports']['media'], seed['nfs']['exports']['config']);
    expect(base.configStorageClass.parameters?.['server']).not.toBe(free);
  });

  it('the seed config resolves its host reference to the host address', () => {
    const ref = seed['nfs']['server'] as string;
    const expected = seed['hosts'][ref]?.ip ?? ref;
    expectServerAndShares(base, expected, seed['nfs']['exports']['media'], seed['nfs']['exports']['config']);
  });
});

describe('settings errors name the field, the value and the fix', () => {
  it('rejects a capacity that is not a quantity', () => {
    expect(() => nfsCsi(config, { media: { capacity: '1TB' } })).toThrow(
      "nfs-csi: media capacity is not a Kubernetes quantity (media.capacity: '1TB'). Use a size such as 1Ti or 500Gi.",
    );
  });

  it('rejects a subDir variable the driver would leave verbatim', () => {
    expect(() => nfsCsi(config, { config: { subDir: '${pvc.namespace}/${pvc.metadata.name}' } })).toThrow(
      "nfs-csi: subDir uses ${pvc.namespace}, which csi-driver-nfs does not replace (config.subDir: '${pvc.namespace}/${pvc.metadata.name}'). Use only ${pvc.metadata.namespace}, ${pvc.metadata.name}, ${pv.metadata.name}.",
    );
  });

  it('rejects zero controller replicas', () => {
    expect(() => nfsCsi(config, { controllerReplicas: 0 })).toThrow(
      "nfs-csi: controller replicas must be a whole number of at least 1 (controllerReplicas: '0'). Use 1, or at most the number of nodes.",
    );
  });
});

describe('rendered tree', () => {
  const target = { repoURL: config.gitops.repoURL, revision: config.gitops.revision };
  const component = nfsCsi(config);
  const files = renderComponents([component], target);
  const dir = `kubernetes/${component.group}/${component.name}`;

  it('writes one file per object, the claim qualified by its own namespace', () => {
    const manifests = files.filter((file) => file.path.startsWith(`${dir}/manifests/`)).map((file) => file.path.slice(dir.length + '/manifests/'.length));
    expect(manifests.sort()).toEqual(
      [
        `PersistentVolume-${MEDIA_CLAIM.name}.yaml`,
        `PersistentVolumeClaim-${MEDIA_CLAIM.namespace}-${MEDIA_CLAIM.name}.yaml`,
        `StorageClass-${STORAGE_CLASSES.config}.yaml`,
        `StorageClass-${STORAGE_CLASSES.media}.yaml`,
      ].sort(),
    );
  });

  it('keeps the subDir template verbatim through YAML', () => {
    const file = files.find((f) => f.path === `${dir}/manifests/StorageClass-${STORAGE_CLASSES.config}.yaml`)!;
    const parsed = load(file.content) as { parameters: Record<string, string> };
    expect(parsed.parameters['subDir']).toBe(nfsCsiDefaults.config.subDir);
  });

  it('is the same bytes every run', () => {
    expect(renderComponents([nfsCsi(config)], target)).toEqual(files);
  });
});

describe('package sources', () => {
  const srcDir = fileURLToPath(new URL('.', import.meta.url));
  const sources = readdirSync(srcDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => ({ name, text: readFileSync(`${srcDir}/${name}`, 'utf8').toLowerCase() }));

  /** Values only this homelab has, read from homelab.yaml (the cluster name is left out: it is also the npm scope). */
  function homelabLiterals(data: Record<string, any>): string[] {
    const found = new Set<string>();
    const walk = (value: unknown) => {
      if (typeof value === 'string' && /^\d{1,3}(\.\d{1,3}){3}(\/\d+)?$/.test(value)) found.add(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(data);
    for (const value of [data['domains']['public'], data['domains']['internal'], data['gitops']['repoURL'], data['acme']['email']]) found.add(value);
    for (const value of Object.values(data['nfs']['exports'] as Record<string, string>)) found.add(value);
    for (const name of [...Object.keys(data['hosts']), ...Object.keys(data['nodes'])]) found.add(name);
    for (const key of data['secrets']['ageRecipients'] as string[]) found.add(key);
    return [...found].map((value) => value.toLowerCase());
  }

  const literals = homelabLiterals(seed);

  it('contain no homelab-specific literal', () => {
    expect(sources.length).toBeGreaterThan(0);
    expect(literals.length).toBeGreaterThan(5);
    const hits = sources.flatMap(({ name, text }) => literals.filter((literal) => text.includes(literal)).map((literal) => `${name}: ${literal}`));
    expect(hits).toEqual([]);
  });

  it('the literal check does find them in rendered output (it is not vacuous)', () => {
    const rendered = JSON.stringify(nfsCsi(config).objects).toLowerCase();
    expect(literals.filter((literal) => rendered.includes(literal))).toEqual(
      expect.arrayContaining([config.nfs.server, config.nfs.exports.media, config.nfs.exports.config]),
    );
  });
});

describe('declarations for the security layers', () => {
  it('calls the API; lets ArgoCD create its CSIDriver and RBAC (StorageClasses and the PV are objects)', () => {
    const component = nfsCsi(config);
    expect(component.network).toEqual({ kubeApi: { client: true } });
    expect(component.clusterResources).toEqual(['CSIDriver', 'ClusterRole', 'ClusterRoleBinding']);
  });
});

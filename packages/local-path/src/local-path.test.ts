import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { Pod } from 'kubernetes-models/v1/Pod';
import { renderComponents, validateObjects, type Component } from '@homelab/core';
import { packageSources, seedConfig, seedSectionLiterals } from '@homelab/testing';
import { CONFIG_MAP_NAME, CONFIG_MOUNT_PATH, HEALTH_PORT, LOCAL_PATH_PROVISIONER, LOCAL_PATH_ROOT, LOCAL_PATH_STORAGE_CLASS, localPathDefaults } from './defaults.js';
import { LOCAL_PATH_COMPONENT, helperPod, localPath, localPathModule, localPathObjects, provisionerConfig, type LocalPathObjects } from './local-path.js';
import { HELPER_IMAGE, LOCAL_PATH_PROVISIONER_IMAGE } from './versions.js';
import * as api from './index.js';

const config = seedConfig();
const objectsOf = (component: Component) => component.objects as LocalPathObjects;

describe('local-path component', () => {
  const component = localPath(config);

  it('is a core component in its namespace, before the workloads that claim its volumes', () => {
    expect(component).toMatchObject({ name: LOCAL_PATH_COMPONENT, group: 'core', namespace: localPathDefaults.namespace, syncWave: localPathDefaults.syncWave, source: '@homelab/local-path' });
    expect(component.syncWave).toBeLessThan(0);
    expect(component.chart).toBeUndefined();
  });

  it('asks for a privileged namespace: its helper pods run as root on a hostPath', () => {
    expect(component.podSecurity).toBe('privileged');
  });

  it('declares its node directory, so Talos mounts it into the kubelet', () => {
    expect(component.hostDirectories).toEqual([LOCAL_PATH_ROOT]);
    expect(provisionerConfig().nodePathMap.flatMap((entry) => entry.paths)).toEqual(component.hostDirectories);
  });

  it('calls the Kubernetes API from its provisioner pods, and serves no metrics', () => {
    const labels = objectsOf(component).deployment.spec?.template.metadata?.labels;
    expect(component.network).toEqual({ pods: { matchLabels: labels }, kubeApi: { client: true }, metricsPorts: [] });
  });

  it('provides the node-local StorageClass to the composition under the name its StorageClass has', () => {
    expect(localPathModule.provides).toEqual({ nodeLocalStorage: { storageClass: objectsOf(component).storageClass.metadata?.name } });
    expect(localPathModule.name).toBe(component.name);
    expect(JSON.stringify(localPathModule.build(config))).toBe(JSON.stringify(component));
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual(['LOCAL_PATH_COMPONENT', 'LOCAL_PATH_PROVISIONER', 'LOCAL_PATH_ROOT', 'LOCAL_PATH_STORAGE_CLASS', 'localPath', 'localPathDefaults', 'localPathModule', 'volumeStorageClass']);
  });

  it('takes overrides with merge() semantics and leaves the defaults alone', () => {
    const before = JSON.stringify(localPathDefaults);
    const patched = localPath(config, { namespace: 'storage', reclaimPolicy: 'Delete' });
    expect(patched.namespace).toBe('storage');
    expect(objectsOf(patched).storageClass.reclaimPolicy).toBe('Delete');
    expect(objectsOf(patched).deployment.metadata?.namespace).toBe('storage');
    expect(objectsOf(patched).clusterRoleBinding.subjects?.[0]?.namespace).toBe('storage');
    expect(patched.syncWave).toBe(localPathDefaults.syncWave);
    expect(JSON.stringify(localPathDefaults)).toBe(before);
  });

  it('rejects a reclaim policy Kubernetes does not have, naming the setting and the fix', () => {
    expect(() => localPath(config, { reclaimPolicy: 'Recycle' as never })).toThrow("local-path: is not a reclaim policy (reclaimPolicy: 'Recycle'). Use Retain or Delete.");
  });
});

describe('objects', () => {
  const objects = localPathObjects(localPathDefaults);

  it('all pass their upstream schemas', () => {
    expect(Object.keys(objects).length).toBe(8);
    expect(validateObjects(Object.values(objects))).toEqual([]);
  });

  it('the StorageClass binds on the consuming pod\'s node and keeps data when a claim goes', () => {
    expect(objects.storageClass).toMatchObject({
      metadata: { name: LOCAL_PATH_STORAGE_CLASS },
      provisioner: LOCAL_PATH_PROVISIONER,
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Retain',
      allowVolumeExpansion: false,
    });
  });

  it('is not the default StorageClass (workloads choose it)', () => {
    expect(objects.storageClass.metadata?.annotations).toBeUndefined();
  });

  it('runs the pinned provisioner image with its config file from the ConfigMap', () => {
    const pod = objects.deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(container.image).toBe(`${LOCAL_PATH_PROVISIONER_IMAGE.repository}:${LOCAL_PATH_PROVISIONER_IMAGE.tag}`);
    const configFile = container.command![container.command!.indexOf('--config') + 1]!;
    const mount = container.volumeMounts!.find((m) => configFile.startsWith(m.mountPath))!;
    expect(pod.volumes!.find((volume) => volume.name === mount.name)?.configMap?.name).toBe(objects.config.metadata?.name);
    expect(Object.keys(objects.config.data ?? {})).toContain(configFile.slice(mount.mountPath.length));
    expect(container.env).toContainEqual({ name: 'CONFIG_MOUNT_PATH', value: CONFIG_MOUNT_PATH });
    expect(objects.config.metadata?.name).toBe(CONFIG_MAP_NAME);
  });

  it('probes the health port it tells the provisioner to listen on', () => {
    const container = objects.deployment.spec!.template.spec!.containers[0]!;
    expect(container.ports).toEqual([{ name: 'health', containerPort: HEALTH_PORT, protocol: 'TCP' }]);
    expect(container.env).toContainEqual({ name: 'HEALTH_PORT', value: String(HEALTH_PORT) });
    for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) expect(probe?.httpGet?.port).toBe('health');
  });

  it('runs as its ServiceAccount, which the ClusterRole and the namespaced Role are bound to', () => {
    const account = objects.deployment.spec!.template.spec!.serviceAccountName;
    expect(account).toBe(objects.serviceAccount.metadata?.name);
    const subject = { kind: 'ServiceAccount', name: account, namespace: objects.serviceAccount.metadata?.namespace };
    expect(objects.clusterRoleBinding.subjects).toEqual([subject]);
    expect(objects.roleBinding.subjects).toEqual([subject]);
    expect(objects.clusterRoleBinding.roleRef).toMatchObject({ kind: 'ClusterRole', name: objects.clusterRole.metadata?.name });
    expect(objects.roleBinding.roleRef).toMatchObject({ kind: 'Role', name: objects.role.metadata?.name });
  });

  it('may write PersistentVolumes cluster-wide but manage pods only in its own namespace', () => {
    const verbsOn = (rules: { resources?: string[]; verbs: string[] }[] | undefined, resource: string) => rules?.filter((rule) => rule.resources?.includes(resource)).flatMap((rule) => rule.verbs) ?? [];
    expect(verbsOn(objects.clusterRole.rules, 'persistentvolumes')).toEqual(expect.arrayContaining(['create', 'delete']));
    expect(verbsOn(objects.clusterRole.rules, 'pods')).toEqual(['get', 'list', 'watch']);
    expect(verbsOn(objects.role.rules, 'pods')).toEqual(expect.arrayContaining(['create', 'delete']));
    expect(objects.role.metadata?.namespace).toBe(localPathDefaults.namespace);
  });

  it('config.json keeps every node\'s volumes below the declared root', () => {
    expect(JSON.parse(objects.config.data!['config.json']!)).toEqual({ nodePathMap: [{ node: 'DEFAULT_PATH_FOR_NON_LISTED_NODES', paths: [LOCAL_PATH_ROOT] }] });
    expect(LOCAL_PATH_ROOT.startsWith('/var/')).toBe(true);
  });

  it('the setup and teardown scripts create and remove exactly $VOL_DIR, failing on any error', () => {
    const { setup, teardown } = objects.config.data!;
    for (const script of [setup!, teardown!]) expect(script.split('\n').slice(0, 2)).toEqual(['#!/bin/sh', 'set -eu']);
    expect(setup).toContain('mkdir -m 0777 -p "$VOL_DIR"');
    expect(teardown).toContain('rm -rf "$VOL_DIR"');
  });

  it('helperPod.yaml is a valid Pod on the pinned helper image, without what the provisioner forbids in it', () => {
    const template = load(objects.config.data!['helperPod.yaml']!) as Record<string, any>;
    expect(template).toEqual(helperPod().toJSON());
    expect(() => new Pod(template).validate()).not.toThrow();
    expect(template['spec']['containers'][0]['image']).toBe(`${HELPER_IMAGE.repository}:${HELPER_IMAGE.tag}`);
    for (const key of ['securityContext', 'volumes', 'initContainers', 'nodeName', 'serviceAccountName', 'hostNetwork', 'hostPID']) expect(template['spec']).not.toHaveProperty(key);
  });
});

describe('rendered tree', () => {
  const target = { repoURL: config.gitops.repoURL, revision: config.gitops.revision };
  const component = localPath(config);
  const files = renderComponents([component], target);
  const dir = `kubernetes/${component.group}/${component.name}`;

  it('writes one file per object', () => {
    const manifests = files.filter((file) => file.path.startsWith(`${dir}/manifests/`));
    expect(manifests).toHaveLength(Object.keys(component.objects!).length);
    expect(manifests.map((file) => file.path)).toContain(`${dir}/manifests/StorageClass-${LOCAL_PATH_STORAGE_CLASS}.yaml`);
  });

  it('is the same bytes every run', () => {
    expect(renderComponents([localPath(config)], target)).toEqual(files);
  });
});

describe('package sources', () => {
  const sources = packageSources(fileURLToPath(new URL('.', import.meta.url)));
  const literals = [...seedSectionLiterals()].filter((literal) => literal.length > 3);

  it('contain no homelab-specific literal', () => {
    expect(sources.size).toBeGreaterThan(3);
    expect(literals.length).toBeGreaterThan(5);
    const hits = [...sources].flatMap(([name, text]) => literals.filter((literal) => text.includes(literal)).map((literal) => `${name}: ${literal}`));
    expect(hits).toEqual([]);
  });
});

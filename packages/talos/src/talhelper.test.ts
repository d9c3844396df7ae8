/**
 * The real talhelper as oracle: `validate talconfig` and `genconfig` accept the generated
 * talconfig.yaml, and the machine configs it generates carry the facts derived from homelab.yaml.
 * Offline: the secret bundle comes from `talhelper gensecret` in the test's directory (plain YAML,
 * which talhelper reads without sops), and `--offline-mode` computes the Image Factory schematic
 * ID locally instead of registering it (the only network call genconfig makes).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { KUBEPRISM_PORT } from '@homelab/cilium';
import { parseCidr, type ResolvedConfig } from '@homelab/config';
import type { Component } from '@homelab/core';
import { LOCAL_PATH_ROOT, localPath } from '@homelab/local-path';
import { findOracle, haConfig, seedConfig } from '@homelab/testing';
import { buildTalos, KUBERNETES_VERSION, TALOS_VERSION } from './index.js';

const talhelper = findOracle('talhelper', 'talhelper validate/genconfig on the generated talconfig.yaml');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function run(cwd: string, ...args: string[]) {
  const result = spawnSync(talhelper!, args, { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: cwd } });
  if (result.status !== 0) throw new Error(`talhelper ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

type Doc = Record<string, any>;

/** talhelper's output for the config: each node's machine config documents, and the talosconfig. */
function generate(config: ResolvedConfig, components: readonly Pick<Component, 'hostDirectories'>[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'talhelper-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'talconfig.yaml'), buildTalos(config, undefined, components)[0]!.content);
  const validation = run(dir, 'validate', 'talconfig', 'talconfig.yaml');
  writeFileSync(join(dir, 'talsecret.yaml'), run(dir, 'gensecret').stdout);
  run(dir, 'genconfig', '--offline-mode', '--config-file', 'talconfig.yaml', '--secret-file', 'talsecret.yaml', '--out-dir', 'clusterconfig');
  const machine = (hostname: string) => loadAll(readFileSync(join(dir, 'clusterconfig', `${config.cluster.name}-${hostname}.yaml`), 'utf8')) as Doc[];
  const talosconfig = load(readFileSync(join(dir, 'clusterconfig', 'talosconfig'), 'utf8')) as Doc;
  return { validation: `${validation.stdout}${validation.stderr}`, machine, talosconfig };
}

const ofKind = (docs: Doc[], kind: string) => docs.filter((doc) => doc['kind'] === kind);
const mainDoc = (docs: Doc[]) => docs.find((doc) => doc['version'] === 'v1alpha1' && doc['machine'])!;

describe.skipIf(!talhelper).each([
  ['seed (1 control plane)', seedConfig()],
  ['3 control planes + 3 workers', haConfig()],
])('talhelper on the talconfig.yaml of the %s config', (_name, config) => {
  const output = talhelper ? generate(config) : undefined!;
  const prefix = parseCidr(config.network.subnet)!.prefix;

  it('validates without an error (a version warning at most)', () => {
    expect(output.validation).not.toMatch(/\* ERROR/i);
  });

  it.each(config.nodes.map((node) => [node.name, node] as const))('%s: its address, role, disk, nameservers, route', (_hostname, node) => {
    const docs = output.machine(node.name);
    const machine = mainDoc(docs);
    expect(machine['machine'].type).toBe(node.role === 'controlplane' ? 'controlplane' : 'worker');
    expect(machine['machine'].install.disk).toBe(node.installDisk);
    expect(machine['machine'].install.image).toMatch(new RegExp(`:${TALOS_VERSION}$`));
    expect(ofKind(docs, 'HostnameConfig').map((doc) => doc['hostname'])).toEqual([node.name]);
    expect(ofKind(docs, 'ResolverConfig').flatMap((doc) => doc['nameservers'].map((entry: Doc) => entry['address']))).toEqual(config.network.nameservers);
    const links = ofKind(docs, 'LinkConfig');
    expect(links.flatMap((doc) => doc['addresses'].map((entry: Doc) => entry['address']))).toEqual([`${node.ip}/${prefix}`]);
    expect(links.flatMap((doc) => doc['routes'].map((entry: Doc) => entry['gateway']))).toEqual([config.network.gateway]);
    const vips = ofKind(docs, 'Layer2VIPConfig').map((doc) => doc['name']);
    expect(vips).toEqual(node.role === 'controlplane' && config.cluster.controlPlaneVIP ? [config.cluster.controlPlaneVIP] : []);
  });

  it.each(config.nodes.map((node) => [node.name, node] as const))('%s: no CNI, no kube-proxy, KubePrism on the port Cilium uses', (_hostname, node) => {
    const machine = mainDoc(output.machine(node.name));
    expect(machine['cluster'].network.cni).toEqual({ name: 'none' });
    expect(machine['cluster'].proxy.disabled).toBe(true);
    expect(machine['machine'].features.kubePrism).toEqual({ enabled: true, port: KUBEPRISM_PORT });
    expect(machine['cluster'].controlPlane.endpoint).toBe(config.cluster.endpoint);
    expect(machine['machine'].kubelet.image).toMatch(new RegExp(`:${KUBERNETES_VERSION}$`));
    expect(machine['machine'].kubelet.nodeIP.validSubnets).toEqual([config.network.subnet]);
  });

  it('writes a talosconfig reaching every control plane', () => {
    const context = output.talosconfig['contexts'][output.talosconfig['context']];
    const controlPlanes = config.nodes.filter((node) => node.role === 'controlplane').map((node) => node.ip);
    expect(output.talosconfig['context']).toBe(config.cluster.name);
    expect(context.endpoints).toEqual(controlPlanes);
  });
});

describe.skipIf(!talhelper)('talhelper on the talconfig.yaml of a homelab with node-local storage', () => {
  const config = haConfig();
  const output = talhelper ? generate(config, [localPath(config)]) : undefined!;

  it('validates without an error', () => {
    expect(output.validation).not.toMatch(/\* ERROR/i);
  });

  it.each(config.nodes.map((node) => [node.name] as const))("%s: the kubelet sees local-path's host directory, rshared", (hostname) => {
    expect(mainDoc(output.machine(hostname))['machine'].kubelet.extraMounts).toEqual([
      { destination: LOCAL_PATH_ROOT, type: 'bind', source: LOCAL_PATH_ROOT, options: ['bind', 'rshared', 'rw'] },
    ]);
  });
});

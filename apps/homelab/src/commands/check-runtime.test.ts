/**
 * `homelab check` on the seed tree broken one runtime class at a time (issue 17): each variant is
 * rejected with exit 1 and an error naming the object and the fix.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { nfsExportRequirementsText } from '@homelab/check';
import { runCli } from '../testing/run-cli.js';
import { checkCommand } from './check.js';

const WORKSPACE = fileURLToPath(new URL('../../../../', import.meta.url));
const trees: string[] = [];
afterAll(() => {
  for (const tree of trees) rmSync(tree, { recursive: true, force: true });
});

const check = (dir: string) => runCli(['check', dir], { cwd: '/', commands: [checkCommand] });

/** A copy of the seed tree (what ArgoCD, talhelper and Terraform read) with one file changed by `edit`. */
function brokenSeed(path: string, edit: (text: string) => string): string {
  const root = mkdtempSync(join(tmpdir(), 'homelab-check-runtime-'));
  trees.push(root);
  const files = execFileSync('git', ['ls-files', '.homelab-check.yaml', 'kubernetes', 'talos', 'terraform'], { cwd: WORKSPACE, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of files) cpSync(join(WORKSPACE, file), join(root, file), { recursive: true });
  const before = readFileSync(join(root, path), 'utf8');
  const after = edit(before);
  expect(after, `the edit of ${path} changes it`).not.toBe(before);
  writeFileSync(join(root, path), after);
  return root;
}

/** A YAML edit: `change` alters the parsed document in place. */
const yamlEdit = (change: (doc: Record<string, unknown>) => void) => (text: string) => {
  const doc = load(text) as Record<string, unknown>;
  change(doc);
  return dump(doc);
};

const errorsOf = (out: string[]) => out.filter((line) => line.startsWith('  error '));

describe('homelab check, runtime classes on the seed tree', () => {
  it('passes the seed tree as generated', async () => {
    const result = await check(brokenSeed('.homelab-check.yaml', (text) => `${text}\n`));
    // The only findings are the NFS export requirements, one per NFS object (see check.test.ts).
    const info = result.outLines.filter((line) => line.startsWith('  info '));
    for (const line of info) expect(line).toContain(nfsExportRequirementsText());
    expect(result.outLines.at(-1)).toMatch(new RegExp(`^✔ 0 errors, 0 warnings, ${info.length} info `));
    expect(result.code).toBe(0);
  });

  it("rejects a chart value reading a key the declared Secret does not hold (cloudflared's PEM)", async () => {
    const dir = brokenSeed(
      'kubernetes/core/cloudflared/values.yaml',
      yamlEdit((values) => {
        (values['tunnelSecrets'] as { existingPemFileSecret: { key: string } }).existingPemFileSecret.key = 'cert.pem';
      }),
    );
    const result = await check(dir);
    expect(errorsOf(result.outLines)).toEqual([
      "  error kubernetes/core/cloudflared/values.yaml Secret/cloudflared/cloudflared-credentials: chart cloudflared (Application/argocd/cloudflared) reads key 'cert.pem' of it (tunnelSecrets.existingPemFileSecret.key), but it holds only 'credentials.json'. Reference one of its keys, or add 'cert.pem' to the Secret (for a generated tree, to its declaration)",
    ]);
    expect(result.code).toBe(1);
  });

  it("rejects a policy keeping an API client from kube-apiserver (Loki's rules sidecar)", async () => {
    const dir = brokenSeed(
      'kubernetes/observability/loki/manifests/CiliumNetworkPolicy-loki.yaml',
      yamlEdit((policy) => {
        const spec = policy['spec'] as { egress: { toEntities?: string[] }[] };
        spec.egress = spec.egress.filter((rule) => !rule.toEntities?.includes('kube-apiserver'));
      }),
    );
    const result = await check(dir);
    expect(errorsOf(result.outLines)).toEqual([
      "  error kubernetes/observability/loki/manifests/CiliumNetworkPolicy-loki.yaml CiliumNetworkPolicy/observability/loki: restricts the egress of chart loki's pods (release loki, Application/argocd/loki) but allows no kube-apiserver, and the rules sidecar (k8s-sidecar) watching ConfigMaps calls the Kubernetes API. Allow it (an egress rule with toEntities: [kube-apiserver]; for a generated tree, the component declares network.kubeApi.client), or switch the API client off in the values",
    ]);
    expect(result.code).toBe(1);
  });

  it("rejects a chart's metrics switched off while the tree runs a Prometheus (ArgoCD's controller)", async () => {
    const dir = brokenSeed(
      'kubernetes/core/argocd/values.yaml',
      yamlEdit((values) => {
        (values['controller'] as { metrics: { enabled: boolean } }).metrics.enabled = false;
      }),
    );
    const result = await check(dir);
    expect(errorsOf(result.outLines)).toEqual([
      "  error kubernetes/core/argocd/values.yaml Application/argocd/argocd: the tree runs a Prometheus, but chart argo-cd has controller.metrics.enabled off, so its metrics are never scraped. Set controller.metrics.enabled: true (for a generated tree, the module reads core's serviceMonitorsWanted from the composition), or list argocd/argocd under unscraped: in .homelab-check.yaml to leave its metrics unscraped on purpose",
    ]);
    expect(result.code).toBe(1);
  });

  it('rejects metrics a chart always serves once no PodMonitor scrapes them (cloudflared)', async () => {
    const dir = brokenSeed('kubernetes/core/cloudflared/manifests/PodMonitor-cloudflared.yaml', yamlEdit((monitor) => {
      (monitor['spec'] as { podMetricsEndpoints: { port: string }[] }).podMetricsEndpoints[0]!.port = 'metrics';
    }));
    const result = await check(dir);
    expect(errorsOf(result.outLines)).toEqual([
      "  error kubernetes/core/cloudflared/values.yaml Application/argocd/cloudflared: the tree runs a Prometheus, but no PodMonitor scrapes port active-con-stat of chart cloudflared's pods (release cloudflared): cloudflared's metrics server (port 2000) is never scraped, and the chart creates no monitor for it. Add a PodMonitor in cloudflared selecting app.kubernetes.io/instance: cloudflared with podMetricsEndpoints [{ port: active-con-stat }] (for a generated tree, the component's monitor follows core's serviceMonitorsWanted), or list argocd/cloudflared under unscraped: in .homelab-check.yaml to leave its metrics unscraped on purpose",
    ]);
    expect(result.code).toBe(1);
  });

  it("rejects an API client the chart runs only because its configuration says so (Alloy's Kubernetes discovery)", async () => {
    const dir = brokenSeed(
      'kubernetes/observability/alloy/manifests/CiliumNetworkPolicy-alloy.yaml',
      yamlEdit((policy) => {
        const spec = policy['spec'] as { egress: { toEntities?: string[] }[] };
        spec.egress = spec.egress.filter((rule) => !rule.toEntities?.includes('kube-apiserver'));
      }),
    );
    const result = await check(dir);
    expect(errorsOf(result.outLines)).toEqual([
      "  error kubernetes/observability/alloy/manifests/CiliumNetworkPolicy-alloy.yaml CiliumNetworkPolicy/observability/alloy: restricts the egress of chart alloy's pods (release alloy, Application/argocd/alloy) but allows no kube-apiserver, and Alloy (its configuration runs Kubernetes components such as discovery.kubernetes) calls the Kubernetes API. Allow it (an egress rule with toEntities: [kube-apiserver]; for a generated tree, the component declares network.kubeApi.client), or switch the API client off in the values",
    ]);
    expect(result.code).toBe(1);
  });

  it('rejects a Proxmox VM whose guest agent disagrees with its Talos extensions', async () => {
    const dir = brokenSeed('terraform/proxmox/main.tf.json', (text) => text.replace(/"agent": \{\s*"enabled": true\s*\}/, '"agent": { "enabled": false }'));
    const result = await check(dir);
    expect(errorsOf(result.outLines)).toEqual([
      '  error terraform/proxmox/main.tf.json proxmox_virtual_environment_vm/talos_cp01: has the QEMU guest agent off, while talos/talconfig.yaml installs siderolabs/qemu-guest-agent on node talos-cp01: Proxmox cannot shut the node down through it nor show its addresses. Set agent.enabled: true (in a generated tree both facts come from one declaration: the Talos system extensions)',
    ]);
    expect(result.code).toBe(1);
  });

  it('rejects a subnet router advertising the nodes’ subnet without egress to host', async () => {
    const dir = brokenSeed(
      'kubernetes/core/tailscale/manifests/CiliumNetworkPolicy-tailscale.yaml',
      yamlEdit((policy) => {
        for (const rule of (policy['spec'] as { egress: { toEntities?: string[] }[] }).egress) {
          if (rule.toEntities) rule.toEntities = rule.toEntities.filter((entity) => entity !== 'host');
        }
      }),
    );
    const result = await check(dir);
    expect(errorsOf(result.outLines)).toEqual([
      "  error kubernetes/core/tailscale/manifests/CiliumNetworkPolicy-tailscale.yaml CiliumNetworkPolicy/tailscale/tailscale: restricts the egress of Connector/subnet-router's subnet router, whose routes (192.168.30.0/24) hold node talos-cp01 (192.168.30.50), but allows no host: node addresses are not 'world', so talosctl and kubectl over the tailnet cannot reach them. Allow toEntities: [host, remote-node] (for a generated tree, the component declares network.nodes)",
    ]);
    expect(result.code).toBe(1);
  });
});

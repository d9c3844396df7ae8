/**
 * `nx run check:bench`: how long `homelab check` takes on a synthetic ArgoCD tree of 250 and 1,000
 * Applications (an app-of-apps, each Application a Deployment, Service, PVC, SOPS Secret and
 * HTTPRoute in its own namespace, shared Gateway and StorageClass). Whole processes are timed
 * (start-up included), median of several runs. Targets: 1,000 Applications in under 10 s, per-app
 * cost growing at most 1.5× from 250 to 1,000. Exits 1 when a target is missed, or when the tree
 * does not check clean (the checks must really run). A benchmark, deliberately not a unit test.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dump } from 'js-yaml';

const SELF = fileURLToPath(import.meta.url);
const RUNS = 5;
const TARGET_MS = 10_000;
const REPO = 'https://git.example.com/bench.git';

function write(root: string, path: string, docs: object[]): void {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, docs.map((doc) => dump(doc)).join('---\n'));
}

const application = (name: string, path: string, namespace: string, wave?: number) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd', ...(wave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } } : {}) },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace },
    source: { repoURL: REPO, targetRevision: 'main', path },
    syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
  },
});

/** Writes a tree of `count` Applications; returns how many objects ArgoCD would apply. */
export function syntheticTree(root: string, count: number): number {
  write(root, 'apps/root.yaml', [application('root', 'apps', 'argocd')]);
  write(root, 'platform/argocd.yaml', [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data: { 'resource.customizations.health.argoproj.io_Application': 'hs = {}\nreturn hs\n' } },
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', metadata: { name: 'sops' }, spec: { discover: { fileName: '*.sops.yaml' } } },
  ]);
  write(root, 'apps/platform.yaml', [application('platform', 'platform', 'gateway', -10)]);
  write(root, 'apps/gateway-api.yaml', [
    {
      ...application('gateway-api', 'config/crd/standard', 'kube-system', -20),
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'kube-system' }, source: { repoURL: 'https://github.com/kubernetes-sigs/gateway-api', targetRevision: 'v1.4.1', path: 'config/crd/standard' } },
    },
  ]);
  write(root, 'platform/platform.yaml', [
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/fast' },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'internal', namespace: 'gateway' }, spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } }] } },
  ]);
  for (let i = 0; i < count; i++) {
    const name = `app-${String(i).padStart(4, '0')}`;
    const labels = { app: name };
    write(root, `apps/${name}.yaml`, [application(name, `manifests/${name}`, name, i % 5)]);
    write(root, `manifests/${name}/workload.yaml`, [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: name, annotations: { 'argocd.argoproj.io/sync-wave': '1' } },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [{ name, image: `example/${name}:1.0`, envFrom: [{ secretRef: { name } }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
              volumes: [{ name: 'data', persistentVolumeClaim: { claimName: name } }],
            },
          },
        },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: name }, spec: { selector: labels, ports: [{ port: 80 }] } },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: name }, spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name, namespace: name },
        spec: { parentRefs: [{ name: 'internal', namespace: 'gateway' }], hostnames: [`${name}.example.com`], rules: [{ backendRefs: [{ name, port: 80 }] }] },
      },
    ]);
    write(root, `manifests/${name}/${name}.sops.yaml`, [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: name }, data: { token: 'ENC[AES256_GCM,data:AAAA,iv:BBBB,tag:CCCC,type:str]' }, sops: { mac: 'ENC[AES256_GCM,data:DDDD]', lastmodified: '2026-01-01T00:00:00Z', version: '3.11.0' } },
    ]);
  }
  return 2 + 3 + count * 6; // platform and gateway-api Applications, argocd-cm, StorageClass and Gateway; six per app
}

/** Runs one check in this process and prints `<errors> <applied objects>` for the parent. */
async function run(dir: string): Promise<void> {
  const { checkTree } = await import('./check.js');
  const report = await checkTree(dir);
  const errors = report.findings.filter((finding) => finding.severity === 'error');
  for (const finding of errors.slice(0, 5)) console.error(`${finding.file} ${finding.object}: ${finding.problem}`);
  console.log(`${errors.length} ${report.stats.appliedObjects}`);
}

function timeRun(dir: string): { ms: number; errors: number; applied: number } {
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [SELF, 'run', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const [errors, applied] = out.trim().split(' ').map(Number);
  return { ms, errors: errors!, applied: applied! };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function bench(): number {
  const work = mkdtempSync(join(tmpdir(), 'homelab-check-bench-'));
  try {
    let ok = true;
    const perApp: Record<number, number> = {};
    console.log('Applications   check (median)   per app   target');
    for (const count of [0, 250, 1000]) {
      const dir = join(work, `apps-${count}`);
      const expected = syntheticTree(dir, count);
      const runs = Array.from({ length: RUNS }, () => timeRun(dir));
      const bad = runs.find((result) => result.errors !== 0 || result.applied !== expected);
      if (bad) {
        console.log(`${count} apps: expected 0 errors and ${expected} applied objects, got ${bad.errors} errors and ${bad.applied}`);
        ok = false;
      }
      const ms = median(runs.map((result) => result.ms));
      perApp[count] = ms;
      const pass = count !== 1000 || ms <= TARGET_MS;
      ok &&= pass;
      const each = count > 0 ? `${((ms - perApp[0]!) / count).toFixed(2)}ms` : '-';
      console.log(`${String(count).padStart(12)} ${ms.toFixed(0).padStart(14)}ms ${each.padStart(9)}   ${count === 1000 ? `≤${TARGET_MS / 1000} s ${pass ? 'ok' : 'MISSED'}` : ''}`);
    }
    const growth = (perApp[1000]! - perApp[0]!) / 1000 / ((perApp[250]! - perApp[0]!) / 250);
    const linear = growth <= 1.5;
    ok &&= linear;
    console.log(`growth 250 → 1,000 Applications: per-app cost ×${growth.toFixed(2)} (linear ≤ 1.5) ${linear ? 'ok' : 'MISSED'}`);
    return ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const [mode, dir] = process.argv.slice(2);
if (mode === 'run') await run(dir!);
else process.exitCode = bench();

import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { podSecurityViolations } from './pod-security.js';
import { application, deployment, removeTrees, rootApp, writeTree, type FixtureContent } from './test-support/fixtures.js';

afterAll(removeTrees);

const podSecurity = async (files: Record<string, FixtureContent>) =>
  (await checkTree(writeTree({ 'apps/root.yaml': rootApp(), ...files }))).findings.filter((finding) => finding.check === 'pod-security');

const namespace = (name: string, enforce: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': enforce } } });

const agent = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'monitoring' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent' } },
      spec: {
        hostNetwork: true,
        hostPID: true,
        containers: [{ name: 'agent', image: 'example/agent:1.0', securityContext: { privileged: true }, volumeMounts: [{ name: 'proc', mountPath: '/host/proc' }] }],
        volumes: [{ name: 'proc', hostPath: { path: '/proc' } }],
      },
    },
  },
};

describe('pod security', () => {
  it('reports pods needing host namespaces, hostPath and privilege in a namespace enforcing baseline', async () => {
    const files = { 'apps/monitoring.yaml': application('monitoring'), 'manifests/monitoring/namespace.yaml': namespace('monitoring', 'baseline'), 'manifests/monitoring/agent.yaml': agent };
    expect(await podSecurity(files)).toEqual([
      {
        check: 'pod-security',
        severity: 'error',
        file: 'manifests/monitoring/agent.yaml',
        object: 'DaemonSet/monitoring/agent',
        problem: "needs hostNetwork, hostPID, hostPath volume 'proc', privileged container 'agent', which namespace monitoring forbids (enforce: baseline, from manifests/monitoring/namespace.yaml)",
        hint: 'Its pods are rejected at admission: drop what baseline forbids, or raise the namespace\'s pod-security.kubernetes.io/enforce level',
      },
    ]);
    expect(await podSecurity({ ...files, 'manifests/monitoring/namespace.yaml': namespace('monitoring', 'privileged') })).toEqual([]);
  });

  it("reads the level from an Application's managedNamespaceMetadata when no Namespace object sets it", async () => {
    const app = (enforce: string) => application('monitoring', { managedNamespaceLabels: { 'pod-security.kubernetes.io/enforce': enforce } });
    expect((await podSecurity({ 'apps/monitoring.yaml': app('restricted'), 'manifests/monitoring/agent.yaml': agent })).map((finding) => finding.problem.replace(/.*which/, 'which'))).toEqual([
      'which namespace monitoring forbids (enforce: restricted, from Application/argocd/monitoring managedNamespaceMetadata)',
    ]);
    expect(await podSecurity({ 'apps/monitoring.yaml': app('privileged'), 'manifests/monitoring/agent.yaml': agent })).toEqual([]);
  });

  it('uses the cluster default from .homelab-check.yaml for namespaces without a label', async () => {
    const files = { 'apps/monitoring.yaml': application('monitoring'), 'manifests/monitoring/agent.yaml': agent };
    expect(await podSecurity(files)).toEqual([]);
    expect((await podSecurity({ ...files, '.homelab-check.yaml': 'podSecurity: { defaultEnforce: baseline }\n' })).map((finding) => finding.problem.replace(/.*which/, 'which'))).toEqual([
      'which namespace monitoring forbids (enforce: baseline, the default)',
    ]);
  });

  it('applies the restricted profile', () => {
    const pod = deployment('web', 'web') as { spec: { template: { spec: Record<string, unknown> } } };
    expect(podSecurityViolations(pod.spec.template.spec, 'baseline')).toEqual([]);
    expect(podSecurityViolations(pod.spec.template.spec, 'restricted')).toEqual([
      "allowPrivilegeEscalation not false in container 'web'",
      "runAsNonRoot not true for container 'web'",
      "no RuntimeDefault seccompProfile for container 'web'",
      "capabilities not dropped (ALL) in container 'web'",
    ]);
    const hardened = {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'web', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    };
    expect(podSecurityViolations(hardened, 'restricted')).toEqual([]);
    expect(podSecurityViolations({ ...hardened, volumes: [{ name: 'nfs', nfs: { server: 'nas', path: '/x' } }] }, 'restricted')).toEqual(["volume 'nfs' of a type restricted forbids"]);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { imageFactorySchematicId } from '@homelab/core';
import { checkFiles, checkTree } from './check.js';
import { formatFinding, type Finding } from './finding.js';
import { CHART_API_CLIENTS, CHART_NFS_UNSUPPORTED_VOLUMES, CHART_PROMETHEUS, CHART_SECRET_REFS, CHART_SERVICE_MONITORS, CHART_SUBCHARTS, NFS_EXPORT_REQUIREMENTS, NODE_LOCAL_PROVISIONERS } from './defaults.js';
import { isMap } from './tree.js';
import { helmTruthy, valueAt } from './switches.js';
import { application, chartSchemasDir, deployment, removeTrees, rootApp, WORKSPACE, writeTree } from './test-support/fixtures.js';

afterAll(removeTrees);

/** The generated seed tree (what ArgoCD, talhelper and Terraform read), held in memory. */
function seedTree(): Map<string, string> {
  const paths = execFileSync('git', ['ls-files', '.homelab-check.yaml', 'kubernetes', 'talos', 'terraform'], { cwd: WORKSPACE, encoding: 'utf8' }).split('\n').filter(Boolean);
  return new Map(paths.map((path) => [path, readFileSync(join(WORKSPACE, path), 'utf8')]));
}

/** The seed tree with one YAML file changed by `edit` (which changes the parsed document in place). */
function seedWith(path: string, edit: (doc: Record<string, unknown>) => void): Map<string, string> {
  const files = seedTree();
  const doc = load(files.get(path)!) as Record<string, unknown>;
  edit(doc);
  files.set(path, dump(doc));
  return files;
}

const runtimeFindings = async (files: Map<string, string>): Promise<Finding[]> => (await checkFiles(files)).findings.filter((finding) => finding.check === 'runtime');

const seedPresent = existsSync(join(WORKSPACE, 'homelab.yaml')) && existsSync(join(WORKSPACE, 'kubernetes'));
if (!seedPresent) console.warn('runtime.test: skipped, the seed tree (homelab.yaml, kubernetes/) is absent from the repository root');

describe.skipIf(!seedPresent)('runtime checks on the seed tree', () => {
  it('find nothing in the seed tree as generated (nor does any other check, but for what it cannot validate here)', async () => {
    // Connector's schema comes from @homelab/tailscale, which the CLI passes (models); this package does not know it.
    const findings = (await checkFiles(seedTree())).findings.filter((finding) => finding.severity !== 'info');
    expect(findings.map(formatFinding)).toEqual([]);
  });

  describe('Secret keys chart values read', () => {
    it("report cloudflared's PEM read from a key its credentials Secret does not hold", async () => {
      const files = seedWith('kubernetes/core/cloudflared/values.yaml', (values) => {
        (values['tunnelSecrets'] as { existingPemFileSecret: { key: string } }).existingPemFileSecret.key = 'cert.pem';
      });
      expect(await runtimeFindings(files)).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: 'kubernetes/core/cloudflared/values.yaml',
          object: 'Secret/cloudflared/cloudflared-credentials',
          problem: "chart cloudflared (Application/argocd/cloudflared) reads key 'cert.pem' of it (tunnelSecrets.existingPemFileSecret.key), but it holds only 'credentials.json'",
          hint: "Reference one of its keys, or add 'cert.pem' to the Secret (for a generated tree, to its declaration)",
        },
      ]);
    });

    it("report the chart's default key when the values name the Secret but not the key", async () => {
      const files = seedWith('kubernetes/core/cloudflared/values.yaml', (values) => {
        delete (values['tunnelSecrets'] as { existingPemFileSecret: { key?: string } }).existingPemFileSecret.key;
      });
      const [finding] = await runtimeFindings(files);
      expect(finding?.problem).toContain("reads key 'cert.pem' of it (tunnelSecrets.existingPemFileSecret.key)");
    });

    it("report an existing-Secret value naming a Secret nobody declares", async () => {
      const files = seedWith('kubernetes/core/cloudflared/values.yaml', (values) => {
        (values['tunnelSecrets'] as { existingPemFileSecret: { name: string } }).existingPemFileSecret.name = 'cloudflared-origin-cert';
      });
      expect(await runtimeFindings(files)).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: 'kubernetes/core/cloudflared/values.yaml',
          object: 'Secret/cloudflared/cloudflared-origin-cert',
          problem: "chart cloudflared (Application/argocd/cloudflared) reads key 'credentials.json' of it (tunnelSecrets.existingPemFileSecret.name), but neither the tree nor .homelab-check.yaml declares it, and the chart does not create it",
          hint: 'Fix the name, add the Secret (a *.sops.yaml file), or declare it with its keys (external: and secretKeys: in .homelab-check.yaml)',
        },
      ]);
    });

    it('report an env secretKeyRef in any chart’s values reading an undeclared key', async () => {
      const files = seedWith('kubernetes/core/authentik/values.yaml', (values) => {
        const env = (values['global'] as { env: { valueFrom: { secretKeyRef: { key: string } } }[] }).env;
        env[0]!.valueFrom.secretKeyRef.key = 'secret_key';
      });
      const findings = await runtimeFindings(files);
      expect(findings.map((finding) => [finding.object, finding.problem])).toEqual([
        ['Secret/authentik/authentik-secrets', "chart authentik (Application/argocd/authentik) reads key 'secret_key' of it (global.env.0.valueFrom.secretKeyRef), but it holds only 'postgresql-password', 'secret-key'"],
      ]);
    });

    it("report the keys other charts' values read: Grafana's admin Secret, Authentik's PostgreSQL password, the tailscale operator's OAuth volume", async () => {
      const files = seedWith('kubernetes/observability/kube-prometheus-stack/values.yaml', (values) => {
        (values['grafana'] as { admin: { passwordKey: string } }).admin.passwordKey = 'password';
      });
      const authentik = load(files.get('kubernetes/core/authentik/values.yaml')!) as { postgresql: { auth: { secretKeys: Record<string, string> } } };
      delete authentik.postgresql.auth.secretKeys['userPasswordKey'];
      files.set('kubernetes/core/authentik/values.yaml', dump(authentik));
      const tailscale = load(files.get('kubernetes/core/tailscale/values.yaml')!) as { oauthSecretVolume: { secret: { secretName: string } } };
      tailscale.oauthSecretVolume.secret.secretName = 'tailscale-oauth';
      files.set('kubernetes/core/tailscale/values.yaml', dump(tailscale));
      expect((await runtimeFindings(files)).map((finding) => [finding.file, finding.object, finding.problem])).toEqual([
        [
          'kubernetes/core/authentik/values.yaml',
          'Secret/authentik/authentik-secrets',
          "chart authentik (Application/argocd/authentik) reads key 'password' of it (postgresql.auth.secretKeys.userPasswordKey), but it holds only 'postgresql-password', 'secret-key'",
        ],
        [
          'kubernetes/core/tailscale/values.yaml',
          'Secret/tailscale/tailscale-oauth',
          "chart tailscale-operator (Application/argocd/tailscale) reads key 'client_id' of it (oauthSecretVolume.secret.secretName), but neither the tree nor .homelab-check.yaml declares it, and the chart does not create it",
        ],
        [
          'kubernetes/core/tailscale/values.yaml',
          'Secret/tailscale/tailscale-oauth',
          "chart tailscale-operator (Application/argocd/tailscale) reads key 'client_secret' of it (oauthSecretVolume.secret.secretName), but neither the tree nor .homelab-check.yaml declares it, and the chart does not create it",
        ],
        [
          'kubernetes/observability/kube-prometheus-stack/values.yaml',
          'Secret/observability/grafana-admin',
          "chart kube-prometheus-stack (Application/argocd/kube-prometheus-stack) reads key 'password' of it (grafana.admin.passwordKey), but it holds only 'admin-password', 'admin-user'",
        ],
      ]);
    });

    it("report ArgoCD's $secret:key references and secret volume items in any chart's values reading a key the Secret lacks", async () => {
      const files = seedWith('kubernetes/core/argocd/values.yaml', (values) => {
        const configs = values['configs'] as { cm: Record<string, string> };
        configs.cm['oidc.config'] = configs.cm['oidc.config']!.replace('$argocd-oidc:client-secret', '$argocd-oidc:clientSecret');
        const repoServer = values['repoServer'] as { volumes: { secret?: { items: { key: string }[] } }[] };
        repoServer.volumes.find((volume) => volume.secret)!.secret!.items[0]!.key = 'age.key';
      });
      expect((await runtimeFindings(files)).map((finding) => [finding.object, finding.problem])).toEqual([
        ['Secret/argocd/argocd-oidc', "chart argo-cd (Application/argocd/argocd) reads key 'clientSecret' of it (configs.cm.oidc.config), but it holds only 'client-secret'"],
        ['Secret/argocd/sops-age', "chart argo-cd (Application/argocd/argocd) reads key 'age.key' of it (repoServer.volumes.2.secret.items.0.key), but it holds only 'keys.txt'"],
      ]);
    });

    it("report an issuer reading a key its external Secret's secretKeys: does not declare (cert-manager's Cloudflare token)", async () => {
      const ISSUER = 'kubernetes/core/cert-manager/manifests/ClusterIssuer-letsencrypt-production.yaml';
      const files = seedTree();
      files.set(ISSUER, files.get(ISSUER)!.replace('key: api-token', 'key: token'));
      expect(await runtimeFindings(files)).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: ISSUER,
          object: 'ClusterIssuer/letsencrypt-production',
          problem:
            "Application/argocd/cert-manager applies it, and it reads key 'token' of Secret/cert-manager/cloudflare-api-token (spec.acme.solvers[0].dns01.cloudflare.apiTokenSecretRef), but secretKeys: in .homelab-check.yaml declares only 'api-token'",
          hint: 'It fails when it reads the key: reference one of its keys, or add the key to the Secret and to its secretKeys: entry',
        },
      ]);
    });

    it('report a key that secretKeys: no longer declares (the declaration is where the keys come from)', async () => {
      const files = seedTree();
      files.set('.homelab-check.yaml', files.get('.homelab-check.yaml')!.replace('cloudflared/cloudflared-credentials: [credentials.json]', 'cloudflared/cloudflared-credentials: [token]'));
      const findings = await runtimeFindings(files);
      expect(findings.map((finding) => finding.object)).toEqual(['Secret/cloudflared/cloudflared-credentials', 'Secret/cloudflared/cloudflared-credentials']);
      expect(findings.every((finding) => finding.problem.includes("holds only 'token'"))).toBe(true);
    });
  });

  describe('kube-apiserver egress of API clients', () => {
    const withoutApiServer = (policy: Record<string, unknown>) => {
      const spec = policy['spec'] as { egress: { toEntities?: string[] }[] };
      spec.egress = spec.egress.filter((rule) => !rule.toEntities?.includes('kube-apiserver'));
    };

    it("report Loki's policy once it allows no kube-apiserver, since the chart's rules sidecar watches ConfigMaps", async () => {
      const files = seedWith('kubernetes/observability/loki/manifests/CiliumNetworkPolicy-loki.yaml', withoutApiServer);
      expect(await runtimeFindings(files)).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: 'kubernetes/observability/loki/manifests/CiliumNetworkPolicy-loki.yaml',
          object: 'CiliumNetworkPolicy/observability/loki',
          problem:
            "restricts the egress of chart loki's pods (release loki, Application/argocd/loki) but allows no kube-apiserver, and the rules sidecar (k8s-sidecar) watching ConfigMaps calls the Kubernetes API",
          hint: 'Allow it (an egress rule with toEntities: [kube-apiserver]; for a generated tree, the component declares network.kubeApi.client), or switch the API client off in the values',
        },
      ]);
    });

    it('accept it when the values switch the API client off', async () => {
      const files = seedWith('kubernetes/observability/loki/manifests/CiliumNetworkPolicy-loki.yaml', withoutApiServer);
      const values = load(files.get('kubernetes/observability/loki/values.yaml')!) as Record<string, unknown>;
      files.set('kubernetes/observability/loki/values.yaml', dump({ ...values, sidecar: { rules: { enabled: false } } }));
      expect(await runtimeFindings(files)).toEqual([]);
    });

    it("name every API client of a chart, and only those its values leave on (kube-prometheus-stack's operator and Grafana sidecars)", async () => {
      const POLICY = 'kubernetes/observability/kube-prometheus-stack/manifests/CiliumNetworkPolicy-kube-prometheus-stack.yaml';
      const VALUES = 'kubernetes/observability/kube-prometheus-stack/values.yaml';
      const files = seedWith(POLICY, withoutApiServer);
      const [finding] = await runtimeFindings(files);
      expect(finding?.problem).toContain("and prometheus-operator, kube-state-metrics, Grafana's dashboards sidecar (k8s-sidecar) watching ConfigMaps, Grafana's datasources sidecar (k8s-sidecar) watching ConfigMaps call the Kubernetes API");
      const values = load(files.get(VALUES)!) as Record<string, unknown>;
      files.set(VALUES, dump({ ...values, kubeStateMetrics: { enabled: false }, grafana: { ...(values['grafana'] as object), enabled: false } }));
      expect((await runtimeFindings(files)).map((each) => each.problem)).toEqual([expect.stringContaining('and prometheus-operator calls the Kubernetes API')]);
    });

    it('find the Prometheus pods the operator starts by the labels it gives them (the custom resource name), not the release', async () => {
      const files = seedWith('kubernetes/observability/kube-prometheus-stack/manifests/CiliumNetworkPolicy-kube-prometheus-stack.yaml', withoutApiServer);
      // The scraper policy also selects the Prometheus pods, and its `cluster` entity holds kube-apiserver: take it away too.
      const SCRAPER = 'kubernetes/observability/kube-prometheus-stack/manifests/CiliumNetworkPolicy-kube-prometheus-stack-metrics-scraper.yaml';
      const scraper = load(files.get(SCRAPER)!) as { spec: { egress: { toEntities?: string[] }[] } };
      scraper.spec.egress = scraper.spec.egress.filter((rule) => !rule.toEntities?.includes('cluster'));
      files.set(SCRAPER, dump(scraper));
      // Each finding sits at the first policy restricting those pods, the one an operator edits.
      expect((await runtimeFindings(files)).map((finding) => [finding.object, finding.problem.split(' but ')[0]])).toEqual([
        [
          'CiliumNetworkPolicy/observability/kube-prometheus-stack-metrics-scraper',
          "restricts the egress of chart kube-prometheus-stack's pods (app.kubernetes.io/name=prometheus, app.kubernetes.io/instance=kube-prometheus-stack-prometheus, of release kube-prometheus-stack, Application/argocd/kube-prometheus-stack)",
        ],
        ['CiliumNetworkPolicy/observability/kube-prometheus-stack', "restricts the egress of chart kube-prometheus-stack's pods (release kube-prometheus-stack, Application/argocd/kube-prometheus-stack)"],
      ]);
    });

    it("derive Alloy's API use from the components its configuration runs", async () => {
      const POLICY = 'kubernetes/observability/alloy/manifests/CiliumNetworkPolicy-alloy.yaml';
      const VALUES = 'kubernetes/observability/alloy/values.yaml';
      const files = seedWith(POLICY, withoutApiServer);
      expect((await runtimeFindings(files)).map((finding) => [finding.object, finding.problem])).toEqual([
        [
          'CiliumNetworkPolicy/observability/alloy',
          "restricts the egress of chart alloy's pods (release alloy, Application/argocd/alloy) but allows no kube-apiserver, and Alloy (its configuration runs Kubernetes components such as discovery.kubernetes) calls the Kubernetes API",
        ],
      ]);
      const values = load(files.get(VALUES)!) as { alloy: { configMap: { content: string } } };
      values.alloy.configMap.content = 'loki.source.file "logs" {\n  targets = []\n  forward_to = []\n}\n';
      files.set(VALUES, dump(values));
      expect(await runtimeFindings(files)).toEqual([]);
    });

    it("report Authentik's policy without kube-apiserver, as its worker manages outposts through the chart's ServiceAccount", async () => {
      const files = seedWith('kubernetes/core/authentik/manifests/CiliumNetworkPolicy-authentik.yaml', withoutApiServer);
      expect((await runtimeFindings(files)).map((finding) => [finding.object, finding.problem.split(' but ')[1]])).toEqual([
        ['CiliumNetworkPolicy/authentik/authentik', 'allows no kube-apiserver, and the worker managing outposts through the ServiceAccount the chart creates calls the Kubernetes API'],
      ]);
    });

    it("report every chart whose controller calls the API (cert-manager's policy without kube-apiserver)", async () => {
      const files = seedWith('kubernetes/core/cert-manager/manifests/CiliumNetworkPolicy-cert-manager.yaml', withoutApiServer);
      expect((await runtimeFindings(files)).map((finding) => [finding.object, finding.problem.split(' but ')[0]])).toEqual([
        ['CiliumNetworkPolicy/cert-manager/cert-manager', "restricts the egress of chart cert-manager's pods (release cert-manager, Application/argocd/cert-manager)"],
      ]);
    });
  });

  describe('the QEMU guest agent of Proxmox VMs and the Talos extensions', () => {
    const MAIN_TF = 'terraform/proxmox/main.tf.json';
    const withAgent = (enabled: boolean) => {
      const files = seedTree();
      const body = JSON.parse(files.get(MAIN_TF)!) as { resource: { proxmox_virtual_environment_vm: Record<string, { agent: { enabled: boolean } }> } };
      for (const vm of Object.values(body.resource.proxmox_virtual_environment_vm)) vm.agent.enabled = enabled;
      files.set(MAIN_TF, JSON.stringify(body, null, 2));
      return files;
    };

    it('report a VM with the agent off while its Talos node installs qemu-guest-agent', async () => {
      expect(await runtimeFindings(withAgent(false))).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: MAIN_TF,
          object: 'proxmox_virtual_environment_vm/talos_cp01',
          problem:
            'has the QEMU guest agent off, while talos/talconfig.yaml installs siderolabs/qemu-guest-agent on node talos-cp01: Proxmox cannot shut the node down through it nor show its addresses',
          hint: 'Set agent.enabled: true (in a generated tree both facts come from one declaration: the Talos system extensions)',
        },
      ]);
    });

    it('report a VM with the agent on while its Talos node installs no qemu-guest-agent', async () => {
      const files = seedTree();
      files.set('talos/talconfig.yaml', files.get('talos/talconfig.yaml')!.replace('- siderolabs/qemu-guest-agent', '- siderolabs/iscsi-tools'));
      const findings = await runtimeFindings(files);
      expect(findings.map((finding) => [finding.severity, finding.object, finding.hint])).toEqual([
        ['error', 'proxmox_virtual_environment_vm/talos_cp01', "Add siderolabs/qemu-guest-agent to the node's schematic officialExtensions, or set agent.enabled: false"],
      ]);
    });

    it("warn about a VM enabling the agent that boots an ISO of another schematic than its node's", async () => {
      const files = seedTree();
      const vanilla = imageFactorySchematicId([]);
      files.set(MAIN_TF, files.get(MAIN_TF)!.replace(/\/image\/[0-9a-f]{64}\//, `/image/${vanilla}/`));
      const node = imageFactorySchematicId(['siderolabs/qemu-guest-agent']);
      expect(await runtimeFindings(files)).toEqual([
        {
          check: 'runtime',
          severity: 'warning',
          file: MAIN_TF,
          object: 'proxmox_virtual_environment_vm/talos_cp01',
          problem: `enables the QEMU guest agent, which node talos-cp01 installs, but boots an ISO of Image Factory schematic ${vanilla.slice(0, 12)}…, not the node's ${node.slice(0, 12)}… (siderolabs/qemu-guest-agent): unless that ISO holds siderolabs/qemu-guest-agent too, nothing answers before Talos is installed, and the first apply waits agent.timeout (15 minutes by default) for the VM`,
          hint: `Download the ISO of schematic ${node} (in a generated tree both come from one declaration: the Talos system extensions)`,
        },
      ]);
      // A schematic the check cannot compute (kernel arguments) is not judged.
      const talconfig = load(files.get('talos/talconfig.yaml')!) as { controlPlane: { schematic: { customization: Record<string, unknown> } } };
      talconfig.controlPlane.schematic.customization['extraKernelArgs'] = ['net.ifnames=0'];
      files.set('talos/talconfig.yaml', dump(talconfig));
      expect(await runtimeFindings(files)).toEqual([]);
    });

    it("read a node's own schematic before its group's (talhelper's precedence)", async () => {
      const files = seedTree();
      const talconfig = load(files.get('talos/talconfig.yaml')!) as { nodes: Record<string, unknown>[] };
      talconfig.nodes[0]!['schematic'] = { customization: { systemExtensions: { officialExtensions: [] } } };
      files.set('talos/talconfig.yaml', dump(talconfig));
      expect((await runtimeFindings(files)).map((finding) => finding.problem)).toEqual([expect.stringContaining('installs no siderolabs/qemu-guest-agent on node talos-cp01')]);
      expect(await runtimeFindings(seedWith('talos/talconfig.yaml', (doc) => {
        (doc['nodes'] as Record<string, unknown>[])[0]!['schematic'] = { customization: { systemExtensions: { officialExtensions: ['siderolabs/qemu-guest-agent'] } } };
        delete doc['controlPlane'];
      }))).toEqual([]);
    });
  });

  describe('node egress of tailnet subnet routers', () => {
    const POLICY = 'kubernetes/core/tailscale/manifests/CiliumNetworkPolicy-tailscale.yaml';
    const dropEntities = (...dropped: string[]) => (policy: Record<string, unknown>) => {
      for (const rule of (policy['spec'] as { egress: { toEntities?: string[] }[] }).egress) {
        if (rule.toEntities) rule.toEntities = rule.toEntities.filter((entity) => !dropped.includes(entity));
      }
    };

    it("report the operator namespace's policy once it allows no host, as the Connector advertises the nodes' subnet", async () => {
      expect(await runtimeFindings(seedWith(POLICY, dropEntities('host')))).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: POLICY,
          object: 'CiliumNetworkPolicy/tailscale/tailscale',
          problem:
            "restricts the egress of Connector/subnet-router's subnet router, whose routes (192.168.30.0/24) hold node talos-cp01 (192.168.30.50), but allows no host: node addresses are not 'world', so talosctl and kubectl over the tailnet cannot reach them",
          hint: 'Allow toEntities: [host, remote-node] (for a generated tree, the component declares network.nodes)',
        },
      ]);
    });

    it('name every missing entity', async () => {
      const [finding] = await runtimeFindings(seedWith(POLICY, dropEntities('host', 'remote-node')));
      expect(finding?.problem).toContain('but allows no host or remote-node:');
    });

    it('accept routes that hold no node address', async () => {
      const files = seedWith(POLICY, dropEntities('host', 'remote-node'));
      const connector = 'kubernetes/core/tailscale/manifests/Connector-subnet-router.yaml';
      files.set(connector, files.get(connector)!.replace('192.168.30.0/24', '192.168.40.0/24'));
      expect(await runtimeFindings(files)).toEqual([]);
    });
  });

  describe('volumes of workloads that do not support NFS', () => {
    const VALUES = 'kubernetes/observability/kube-prometheus-stack/values.yaml';
    const STORAGE_CLASS = 'prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName';
    /** The NFS StorageClass and the node-local one the seed tree creates, read from their manifests. */
    const seedClasses = () => {
      const classes = [...seedTree()].filter(([path]) => /\/StorageClass-[^/]+\.yaml$/.test(path)).map(([, text]) => load(text) as { metadata: { name: string; annotations?: Record<string, string> }; provisioner: string });
      return {
        nfs: classes.find((sc) => sc.provisioner === NFS_EXPORT_REQUIREMENTS.driver && sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')!.metadata.name,
        nodeLocal: classes.filter((sc) => NODE_LOCAL_PROVISIONERS.includes(sc.provisioner)).map((sc) => sc.metadata.name),
      };
    };
    const prometheusSpec = (values: Record<string, unknown>) => (values['prometheus'] as { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: Record<string, unknown> } } } }).prometheusSpec;

    it('the seed tree keeps Prometheus and Alertmanager off NFS, on the node-local class it creates', async () => {
      const { nodeLocal } = seedClasses();
      expect(nodeLocal).toHaveLength(1);
      const values = load(seedTree().get(VALUES)!) as Record<string, unknown>;
      expect(valueAt([values], STORAGE_CLASS).value).toBe(nodeLocal[0]);
      expect(valueAt([values], 'alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName').value).toBe(nodeLocal[0]);
      expect((await runtimeFindings(seedTree())).filter((finding) => finding.problem.includes('provisions on NFS'))).toEqual([]);
    });

    it("warn when Prometheus' TSDB is put on the NFS StorageClass, naming the values file, the value and the node-local class to use", async () => {
      const { nfs, nodeLocal } = seedClasses();
      const files = seedWith(VALUES, (values) => (prometheusSpec(values).storageSpec.volumeClaimTemplate.spec['storageClassName'] = nfs));
      expect(await runtimeFindings(files)).toEqual([
        {
          check: 'runtime',
          severity: 'warning',
          file: VALUES,
          object: 'Application/argocd/kube-prometheus-stack',
          problem: `chart kube-prometheus-stack keeps Prometheus' TSDB on StorageClass ${nfs} (${STORAGE_CLASS}), which ${NFS_EXPORT_REQUIREMENTS.driver} provisions on NFS: ${CHART_NFS_UNSUPPORTED_VOLUMES['kube-prometheus-stack']![0]!.why}`,
          hint: `Set ${STORAGE_CLASS} to ${nodeLocal[0]}, the node-local StorageClass the tree creates (for a generated tree, storage.volumes.prometheus: node-local in homelab.yaml, with components.local-path enabled)`,
        },
      ]);
    });

    it('warn about a claim without a class when the default class is NFS, and about Alertmanager too', async () => {
      const files = seedWith(VALUES, (values) => {
        delete prometheusSpec(values).storageSpec.volumeClaimTemplate.spec['storageClassName'];
        (values['alertmanager'] as { alertmanagerSpec: { storage: { volumeClaimTemplate: { spec: Record<string, unknown> } } } }).alertmanagerSpec.storage.volumeClaimTemplate.spec['storageClassName'] = seedClasses().nfs;
      });
      // In report order (sorted by problem).
      const problems = (await runtimeFindings(files)).map((finding) => finding.problem.split(':')[0]);
      expect(problems).toEqual([
        `chart kube-prometheus-stack keeps Alertmanager's silences and notification log on StorageClass ${seedClasses().nfs} (alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName), which ${NFS_EXPORT_REQUIREMENTS.driver} provisions on NFS`,
        `chart kube-prometheus-stack keeps Prometheus' TSDB on StorageClass ${seedClasses().nfs}, the default class, which ${NFS_EXPORT_REQUIREMENTS.driver} provisions on NFS`,
      ]);
    });

    it("warn about a prometheus-operator Prometheus of the tree whose claim is on NFS, naming its file and the fix", async () => {
      const { nfs, nodeLocal } = seedClasses();
      const files = seedTree();
      const file = 'kubernetes/observability/loki/manifests/Prometheus-extra.yaml';
      const claim = { spec: { storageClassName: nfs, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
      files.set(file, dump({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: { name: 'extra', namespace: 'observability' }, spec: { storage: { volumeClaimTemplate: claim } } }));
      const findings = (await runtimeFindings(files)).filter((finding) => finding.file === file);
      expect(findings).toEqual([
        {
          check: 'runtime',
          severity: 'warning',
          file,
          object: 'Prometheus/observability/extra',
          problem: `Application/argocd/loki applies it, and it keeps Prometheus' TSDB on StorageClass ${nfs} (spec.storage.volumeClaimTemplate.spec.storageClassName), which ${NFS_EXPORT_REQUIREMENTS.driver} provisions on NFS: ${CHART_NFS_UNSUPPORTED_VOLUMES['kube-prometheus-stack']![0]!.why}`,
          hint: `Set spec.storage.volumeClaimTemplate.spec.storageClassName to ${nodeLocal[0]}, the node-local StorageClass the tree creates`,
        },
      ]);
    });

    it('say nothing when the workload is off', async () => {
      const files = seedWith(VALUES, (values) => {
        prometheusSpec(values).storageSpec.volumeClaimTemplate.spec['storageClassName'] = seedClasses().nfs;
        values['prometheus'] = { ...(values['prometheus'] as object), enabled: false };
      });
      expect(await runtimeFindings(files)).toEqual([]);
    });
  });

  describe('metrics and ServiceMonitors of charts when the tree runs a Prometheus', () => {
    const switchOff = (values: Record<string, unknown>) => {
      ((values['controller'] as { metrics: { serviceMonitor: { enabled: boolean } } }).metrics.serviceMonitor.enabled = false);
    };

    it("report ArgoCD's controller ServiceMonitor switched off", async () => {
      expect(await runtimeFindings(seedWith('kubernetes/core/argocd/values.yaml', switchOff))).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: 'kubernetes/core/argocd/values.yaml',
          object: 'Application/argocd/argocd',
          problem: 'the tree runs a Prometheus, but chart argo-cd has controller.metrics.serviceMonitor.enabled off, so its metrics are never scraped',
          hint: "Set controller.metrics.serviceMonitor.enabled: true (for a generated tree, the module reads core's serviceMonitorsWanted from the composition), or list argocd/argocd under unscraped: in .homelab-check.yaml to leave its metrics unscraped on purpose",
        },
      ]);
    });

    it("report ArgoCD's metrics switched off while its ServiceMonitors stay on (the reviewed seed: metrics off, dashboard shipped)", async () => {
      const metricsOff = (values: Record<string, unknown>) => {
        for (const part of ['controller', 'server']) (values[part] as { metrics: { enabled: boolean } }).metrics.enabled = false;
      };
      expect((await runtimeFindings(seedWith('kubernetes/core/argocd/values.yaml', metricsOff))).map((finding) => [finding.severity, finding.object, finding.problem])).toEqual([
        ['error', 'Application/argocd/argocd', 'the tree runs a Prometheus, but chart argo-cd has controller.metrics.enabled off, so its metrics are never scraped'],
        ['error', 'Application/argocd/argocd', 'the tree runs a Prometheus, but chart argo-cd has server.metrics.enabled off, so its metrics are never scraped'],
      ]);
    });

    it("report a chart whose metrics are off by default when its values leave them unset (Authentik's server)", async () => {
      const unset = (values: Record<string, unknown>) => {
        delete (values['server'] as Record<string, unknown>)['metrics'];
      };
      const [finding, ...others] = await runtimeFindings(seedWith('kubernetes/core/authentik/values.yaml', unset));
      expect(others).toEqual([]);
      expect(finding).toMatchObject({
        severity: 'error',
        object: 'Application/argocd/authentik',
        problem: 'the tree runs a Prometheus, but chart authentik has server.metrics.enabled and server.metrics.serviceMonitor.enabled off, so its metrics are never scraped',
        hint: "Set server.metrics.enabled: true and server.metrics.serviceMonitor.enabled: true (for a generated tree, the module reads core's serviceMonitorsWanted from the composition), or list argocd/authentik under unscraped: in .homelab-check.yaml to leave its metrics unscraped on purpose",
      });
    });

    it("report Cilium's Envoy metrics unscraped, unless its values switch the Envoy DaemonSet off", async () => {
      const CILIUM = 'kubernetes/core/cilium/values.yaml';
      const files = seedWith(CILIUM, (values) => {
        delete values['envoy'];
      });
      expect((await runtimeFindings(files)).map((finding) => [finding.object, finding.problem])).toEqual([
        ['Application/argocd/cilium', 'the tree runs a Prometheus, but chart cilium has envoy.prometheus.serviceMonitor.enabled off, so its metrics are never scraped'],
      ]);
      files.set(CILIUM, dump({ ...(load(files.get(CILIUM)!) as object), envoy: { enabled: false } }));
      expect(await runtimeFindings(files)).toEqual([]);
    });

    it('report metrics a chart always serves without a monitor once no PodMonitor scrapes them (cloudflared)', async () => {
      const MONITOR = 'kubernetes/core/cloudflared/manifests/PodMonitor-cloudflared.yaml';
      const files = seedTree();
      files.delete(MONITOR);
      expect(await runtimeFindings(files)).toEqual([
        {
          check: 'runtime',
          severity: 'error',
          file: 'kubernetes/core/cloudflared/values.yaml',
          object: 'Application/argocd/cloudflared',
          problem: "the tree runs a Prometheus, but no PodMonitor scrapes port active-con-stat of chart cloudflared's pods (release cloudflared): cloudflared's metrics server (port 2000) is never scraped, and the chart creates no monitor for it",
          hint: "Add a PodMonitor in cloudflared selecting app.kubernetes.io/instance: cloudflared with podMetricsEndpoints [{ port: active-con-stat }] (for a generated tree, the component's monitor follows core's serviceMonitorsWanted), or list argocd/cloudflared under unscraped: in .homelab-check.yaml to leave its metrics unscraped on purpose",
        },
      ]);
      // A monitor selecting the pods by the chart's name label too, from another namespace, still counts; one scraping another port does not.
      const monitor = load(seedTree().get(MONITOR)!) as { metadata: { namespace: string }; spec: Record<string, unknown> & { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: { port: string }[] } };
      monitor.metadata.namespace = 'observability';
      monitor.spec['namespaceSelector'] = { matchNames: ['cloudflared'] };
      monitor.spec.selector.matchLabels['app.kubernetes.io/name'] = 'cloudflared';
      files.set('kubernetes/observability/kube-prometheus-stack/manifests/PodMonitor-cloudflared.yaml', dump(monitor));
      expect(await runtimeFindings(files)).toEqual([]);
      monitor.spec.podMetricsEndpoints[0]!.port = 'http';
      files.set('kubernetes/observability/kube-prometheus-stack/manifests/PodMonitor-cloudflared.yaml', dump(monitor));
      expect((await runtimeFindings(files)).map((finding) => finding.object)).toEqual(['Application/argocd/cloudflared']);
    });

    it('say nothing of an Application listed under unscraped: in .homelab-check.yaml (metrics off on purpose), and only of it', async () => {
      const files = seedWith('kubernetes/core/argocd/values.yaml', switchOff);
      files.delete('kubernetes/core/cloudflared/manifests/PodMonitor-cloudflared.yaml');
      const objects = async () => (await runtimeFindings(files)).map((finding) => finding.object);
      expect(await objects()).toEqual(['Application/argocd/argocd', 'Application/argocd/cloudflared']);
      files.set('.homelab-check.yaml', `${files.get('.homelab-check.yaml')!}unscraped: [argocd/argocd]\n`);
      expect(await objects()).toEqual(['Application/argocd/cloudflared']);
      files.set('.homelab-check.yaml', files.get('.homelab-check.yaml')!.replace('unscraped: [argocd/argocd]', "unscraped: ['argocd/*']"));
      expect(await objects()).toEqual([]);
    });

    it('warn about an unscraped: entry naming no Application that deploys a chart', async () => {
      const files = seedTree();
      files.set('.homelab-check.yaml', `${files.get('.homelab-check.yaml')!}unscraped: [argocd/argocd, argocd/argo-cd]\n`);
      const findings = await runtimeFindings(files);
      expect(findings.map((finding) => [finding.severity, finding.file, finding.object, finding.problem])).toEqual([
        ['warning', '.homelab-check.yaml', 'unscraped[1]', "'argocd/argo-cd' names no Application of the tree that deploys a chart"],
      ]);
      expect(findings[0]!.hint).toMatch(/^Correct it to the namespace\/name of such an Application \(.*argocd\/argocd.*\), or remove the entry$/);
    });

    it('say nothing without a Prometheus', async () => {
      const files = seedWith('kubernetes/core/argocd/values.yaml', switchOff);
      const values = load(files.get('kubernetes/observability/kube-prometheus-stack/values.yaml')!) as Record<string, unknown>;
      files.set('kubernetes/observability/kube-prometheus-stack/values.yaml', dump({ ...values, prometheus: { ...(values['prometheus'] as object), enabled: false } }));
      expect(await runtimeFindings(files)).toEqual([]);
    });
  });
});

describe('Secret keys pods read', () => {
  const tree = (keys: string) =>
    writeTree({
      'apps/root.yaml': rootApp(),
      'apps/web.yaml': application('web'),
      'manifests/web/deployment.yaml': deployment('web', 'web', {
        containers: [{ name: 'web', image: 'example/web:1.0', env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'web-token', key: 'token' } } }] }],
      }),
      '.homelab-check.yaml': `external: [Secret/web/web-token]\nsecretKeys:\n  web/web-token: [${keys}]\n`,
    });

  it('report a pod reading a key that secretKeys: does not declare for an external Secret', async () => {
    const findings = (await checkTree(tree('api-token'))).findings;
    expect(findings).toEqual([
      {
        check: 'runtime',
        severity: 'error',
        file: 'manifests/web/deployment.yaml',
        object: 'Deployment/web/web',
        problem: "Application/argocd/web applies it, and it reads key 'token' of Secret/web/web-token (spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef), but secretKeys: in .homelab-check.yaml declares only 'api-token'",
        hint: 'The pod does not start (CreateContainerConfigError): reference one of its keys, or add the key to the Secret and to its secretKeys: entry',
      },
    ]);
  });

  it('accept it when the key is declared', async () => {
    expect((await checkTree(tree('token, other'))).findings).toEqual([]);
  });
});

describe('kube-apiserver egress of workloads holding RBAC', () => {
  const policy = (egress: object[]) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'web', namespace: 'web' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress },
  });
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'web-reader', namespace: 'web' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'web' }],
  };
  const account = (extra: object = {}) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'web' }, ...extra });
  const tree = (egress: object[], extra: { account?: object; pod?: object } = {}) =>
    writeTree({
      'apps/root.yaml': rootApp(),
      'apps/web.yaml': application('web'),
      'manifests/web/deployment.yaml': deployment('web', 'web', { serviceAccountName: 'web', ...extra.pod }),
      'manifests/web/rbac.yaml': [account(extra.account), binding],
      'manifests/web/policy.yaml': policy(egress),
    });
  const runtime = async (dir: string) => (await checkTree(dir)).findings.filter((finding) => finding.check === 'runtime');
  const dns = { toEndpoints: [{ matchLabels: { 'k8s:k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }] };

  it('report a policy restricting their egress without kube-apiserver', async () => {
    expect(await runtime(tree([dns]))).toEqual([
      {
        check: 'runtime',
        severity: 'error',
        file: 'manifests/web/policy.yaml',
        object: 'CiliumNetworkPolicy/web/web',
        problem:
          "restricts the egress of Deployment/web/web's pods, which mount the token of ServiceAccount web/web that RBAC in the tree grants rights to, but allows no kube-apiserver: every API call times out",
        hint: 'Allow it (an egress rule with toEntities: [kube-apiserver]; for a generated tree, the component declares network.kubeApi.client), or set automountServiceAccountToken: false if the pods never call the API',
      },
    ]);
  });

  it("report an egress rule naming nothing ({}: Cilium's deny-all idiom), though a ports-only rule allows every destination", async () => {
    expect((await runtime(tree([dns, {}]))).map((finding) => finding.object)).toEqual(['CiliumNetworkPolicy/web/web']);
    expect(await runtime(tree([dns, { toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }]))).toEqual([]);
  });

  it('accept kube-apiserver (or cluster) egress, and pods that mount no token', async () => {
    expect(await runtime(tree([dns, { toEntities: ['kube-apiserver'] }]))).toEqual([]);
    expect(await runtime(tree([dns, { toEntities: ['cluster'] }]))).toEqual([]);
    expect(await runtime(tree([dns], { pod: { automountServiceAccountToken: false } }))).toEqual([]);
    expect(await runtime(tree([dns], { account: { automountServiceAccountToken: false } }))).toEqual([]);
  });
});

const schemas = chartSchemasDir();
if (!schemas) console.warn("runtime.test: the runtime tables' defaults are not checked, ../shared/chart-schemas is absent");

describe.skipIf(!schemas)("the runtime tables agree with the pinned charts' defaults (values.yaml)", () => {
  const defaultsOf = (chart: string): unknown => {
    const file = join(schemas!, chart, 'values.yaml');
    return existsSync(file) ? load(readFileSync(file, 'utf8')) : undefined;
  };
  /** [chart, path, what the table says the default is] for every switch a table names. */
  const switches: [string, string, boolean][] = [
    ...Object.entries(CHART_API_CLIENTS).flatMap(([chart, features]) =>
      features.flatMap((feature): [string, string, boolean][] => [
        ...(feature.value ? [[chart, feature.value, feature.default ?? false] as [string, string, boolean]] : []),
        ...(feature.within ? [[chart, feature.within.value, feature.within.default] as [string, string, boolean]] : []),
      ]),
    ),
    ...Object.entries(CHART_PROMETHEUS).map(([chart, feature]): [string, string, boolean] => [chart, feature.value!, feature.default ?? false]),
    ...Object.entries(CHART_NFS_UNSUPPORTED_VOLUMES).flatMap(([chart, volumes]) => volumes.map((volume): [string, string, boolean] => [chart, volume.within.value, volume.within.default])),
    ...Object.entries(CHART_SERVICE_MONITORS).flatMap(([chart, rules]) =>
      rules.flatMap((rule): [string, string, boolean][] => [
        [chart, rule.monitor, false],
        ...(rule.metrics ? [[chart, rule.metrics, rule.metricsDefault ?? false] as [string, string, boolean]] : []),
        ...(rule.within ? [[chart, rule.within.value, rule.within.default] as [string, string, boolean]] : []),
      ]),
    ),
  ];

  it('switch defaults', () => {
    const checked = switches.filter(([chart]) => defaultsOf(chart) !== undefined);
    for (const [chart, path, on] of checked) {
      const { found, value } = valueAt([defaultsOf(chart)], path);
      // null: the chart decides in its templates (cilium's envoy.enabled: on for new installations); the table says what it decides.
      expect({ chart, path, found, on: value === null ? on : helmTruthy(value) }).toEqual({ chart, path, found: true, on });
    }
    expect(checked.length).toBeGreaterThanOrEqual(10);
  });

  it("NFS-unsupported volumes: the claim's parent path exists in the chart (the chart leaves the volume itself unset)", () => {
    const entries = Object.entries(CHART_NFS_UNSUPPORTED_VOLUMES).flatMap(([chart, volumes]) => volumes.map((volume) => [chart, volume.claim] as const));
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const [chart, claim] of entries) {
      // Only prometheusSpec.storageSpec / alertmanagerSpec.storage exist in values.yaml; the claim template is ours.
      const parent = claim.replace(/\.volumeClaimTemplate\.spec$/, '');
      expect(valueAt([defaultsOf(chart)], parent).found, `${chart} ${parent}`).toBe(true);
    }
  });

  it("Secret references: the name and key paths exist, the key defaults to what the table says (a subchart's: its top-level key exists)", () => {
    let checked = 0;
    for (const [chart, refs] of Object.entries(CHART_SECRET_REFS)) {
      const defaults = defaultsOf(chart);
      expect(defaults, `${chart}/values.yaml in the chart schemas`).toBeDefined();
      for (const ref of refs) {
        const top = ref.name.split('.')[0]!;
        expect(valueAt([defaults], top).found, `${chart} ${top}`).toBe(true);
        // Subchart defaults live in the subchart's values.yaml, which the schemas do not hold.
        if ((CHART_SUBCHARTS[chart] ?? []).includes(top)) continue;
        // An empty map (tailscale-operator's oauthSecretVolume) is where the name goes: nothing deeper to find.
        if (!(isMap(valueAt([defaults], top).value) && Object.keys(valueAt([defaults], top).value as object).length === 0)) {
          expect(valueAt([defaults], ref.name).found, `${chart} ${ref.name}`).toBe(true);
        }
        if (ref.key !== undefined) expect(valueAt([defaults], ref.key), `${chart} ${ref.key}`).toEqual({ found: true, value: ref.defaultKey });
        if (ref.within) expect(valueAt([defaults], ref.within.value), `${chart} ${ref.within.value}`).toEqual({ found: true, value: ref.within.default });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});

describe("the Prometheus pods' labels kube-prometheus-stack's operator gives them", () => {
  const labelsOf = (release: string, values: Record<string, unknown> = {}) =>
    CHART_API_CLIENTS['kube-prometheus-stack']!.find((feature) => feature.pods)!.pods!(release, (path) => valueAt([values], path).value);

  it("follow the chart's fullname helper (release, or <release>-<chart>, cut to 26 characters, one trailing '-' trimmed) plus -prometheus", () => {
    expect(labelsOf('kube-prometheus-stack')).toEqual({ 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'kube-prometheus-stack-prometheus' });
    // 'monitoring-kube-prometheus-stack' cut to 26 characters.
    expect(labelsOf('monitoring')['app.kubernetes.io/instance']).toBe('monitoring-kube-prometheus-prometheus');
    expect(labelsOf('x', { fullnameOverride: 'mon-' })['app.kubernetes.io/instance']).toBe('mon-prometheus');
    expect(labelsOf('x', { fullnameOverride: 'mon', cleanPrometheusOperatorObjectNames: true })['app.kubernetes.io/instance']).toBe('mon');
  });
});

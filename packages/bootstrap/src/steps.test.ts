import { describe, expect, it } from 'vitest';
import { ARGOCD_NAME, bootstrapPaths, buildArgoCd } from '@homelab/argocd';
import { authentik } from '@homelab/authentik';
import { buildCilium, CILIUM_CHART, KUBEPRISM_PORT } from '@homelab/cilium';
import { componentApplication, componentPaths, rootApplication, SSO_GROUPS, type Component } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { buildGatewayApi, GATEWAY_API_CRDS } from '@homelab/gateway-api';
import { TERRAFORM_DIR } from '@homelab/proxmox';
import { talconfig, talosPatches } from '@homelab/talos';
import { configVariant, haConfig, seedConfig } from '@homelab/testing';
import { bootstrapArtifact } from './artifact.js';
import { BootstrapFactError, bootstrapFacts, machineConfigPath } from './facts.js';
import { bootstrapPlan, type BootstrapPlan } from './steps.js';
import { bootstrapReadme, shellLine } from './text.js';

/** The components the runbook reads (a real homelab composes more; these are the ones it needs). */
function components(config: ResolvedConfig, withSso = true): Component[] {
  const core = [...buildGatewayApi(config), buildCilium(config), buildArgoCd(config)];
  return withSso ? [...core, authentik(config, core)] : core;
}

const seed = seedConfig();
const ha = haConfig();
const KEY = '/home/op/keys.txt';
const planOf = (config: ResolvedConfig, options: Partial<Parameters<typeof bootstrapPlan>[1]> = {}) =>
  bootstrapPlan(bootstrapFacts(config, components(config)), { ageKeyFile: KEY, ...options });

const step = (plan: BootstrapPlan, id: string) => {
  const found = plan.steps.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no step ${id} among ${plan.steps.map((candidate) => candidate.id).join(', ')}`);
  return found;
};
const argvOf = (plan: BootstrapPlan, id: string) => step(plan, id).commands.map((command) => command.argv);
/** The value after `flag` in argv. */
const flag = (argv: readonly string[], name: string) => argv[argv.indexOf(name) + 1];

/** The chart source and destination of a component's rendered Application. */
function applicationChart(component: Component, config: ResolvedConfig) {
  const spec = (componentApplication(component, { repoURL: config.gitops.repoURL, revision: config.gitops.revision }).toJSON() as any).spec;
  const source = spec.sources.find((candidate: any) => candidate.chart);
  return { namespace: spec.destination.namespace, source };
}

describe.each([
  ['seed (1 control plane)', seed],
  ['3 control planes + 3 workers', ha],
])('the plan for the %s config', (_name, config) => {
  const plan = planOf(config);

  it('runs the steps in Day-0 order', () => {
    expect(plan.steps.map((candidate) => candidate.id)).toEqual([
      'infrastructure',
      'talos-secrets',
      'talos-config',
      'talos-apply',
      'talos-bootstrap',
      'kubeconfig',
      'gateway-api-crds',
      'cilium',
      'argocd-namespace',
      'sops-age-secret',
      'argocd',
      'root',
      'first-admin',
    ]);
    expect(plan.steps.filter((candidate) => candidate.manual).map((candidate) => candidate.id)).toEqual(['first-admin']);
  });

  it('gives every command that runs a read-only probe', () => {
    for (const candidate of plan.steps.filter((s) => !s.manual)) for (const command of candidate.commands) expect(command.probe, shellLine(command)).toBeDefined();
  });

  it('applies one machine config per node of talconfig, and bootstraps etcd on the first control plane only', () => {
    const nodes = talconfig(config).nodes;
    expect(argvOf(plan, 'talos-apply')).toEqual(
      nodes.map((node) => ['talosctl', 'apply-config', '--insecure', '--nodes', node.ipAddress, '--file', `talos/clusterconfig/${config.cluster.name}-${node.hostname}.yaml`]),
    );
    const first = config.nodes.find((node) => node.role === 'controlplane')!;
    expect(argvOf(plan, 'talos-bootstrap')).toEqual([['talosctl', 'bootstrap', '--nodes', first.ip, '--endpoints', first.ip]]);
    const genconfig = step(plan, 'talos-config').commands[0]!;
    expect(genconfig.probe).toEqual({ files: [...nodes.map((node) => `talos/clusterconfig/${config.cluster.name}-${node.hostname}.yaml`), 'talos/clusterconfig/talosconfig'] });
  });

  it('installs the Gateway API CRDs at the version and channel the gateway-api Application syncs', () => {
    const [apply] = argvOf(plan, 'gateway-api-crds');
    expect(apply).toEqual(['kubectl', 'apply', '--server-side', '-f', `${GATEWAY_API_CRDS.repoURL}/releases/download/${GATEWAY_API_CRDS.version}/standard-install.yaml`]);
    expect(GATEWAY_API_CRDS.path).toBe('config/crd/standard');
    expect(step(plan, 'gateway-api-crds').commands[0]!.probe).toMatchObject({ expect: GATEWAY_API_CRDS.version });
  });

  it.each([
    ['cilium', () => buildCilium(config)],
    ['argocd', () => buildArgoCd(config)],
  ])('installs %s as its Application renders it: release, namespace, chart, version, value files', (id, build) => {
    const component = build();
    const { namespace, source } = applicationChart(component, config);
    const [install] = argvOf(plan, id);
    expect(install!.slice(0, 5)).toEqual(['helm', 'upgrade', '--install', source.helm.releaseName, source.chart]);
    expect(flag(install!, '--repo')).toBe(source.repoURL);
    expect(flag(install!, '--version')).toBe(source.targetRevision);
    expect(flag(install!, '--version')).toBe(component.chart!.version);
    expect(flag(install!, '--namespace')).toBe(namespace);
    expect(source.helm.valueFiles).toEqual([`$values/${componentPaths(component).values}`]);
    expect(flag(install!, '--values')).toBe(componentPaths(component).values);
    expect(step(plan, id).commands[0]!.probe).toEqual({
      argv: ['helm', 'list', '--namespace', namespace, '--filter', `^${source.helm.releaseName}$`, '--deployed', '--short'],
      expect: source.helm.releaseName,
    });
  });

  it('pins Cilium to the chart version of @homelab/cilium and reaches the API on the port KubePrism listens on', () => {
    expect(flag(argvOf(plan, 'cilium')[0]!, '--version')).toBe(CILIUM_CHART.version);
    const kubePrism = (talosPatches(config).cluster['kubePrism'] as any).machine.features.kubePrism;
    expect(kubePrism).toEqual({ enabled: true, port: KUBEPRISM_PORT });
    expect(buildCilium(config).values).toMatchObject({ k8sServiceHost: 'localhost', k8sServicePort: kubePrism.port });
    expect(bootstrapFacts(config, components(config)).kubePrismPort).toBe(kubePrism.port);
  });

  it('creates the sops-age Secret ArgoCD mounts from the age key file, then applies root with its project', () => {
    const secret = buildArgoCd(config).secrets![0]!;
    expect(argvOf(plan, 'sops-age-secret')).toEqual([['kubectl', '--namespace', secret.namespace, 'create', 'secret', 'generic', secret.name, `--from-file=${secret.keys[0]}=${KEY}`]]);
    expect(argvOf(plan, 'argocd-namespace')).toEqual([['kubectl', 'apply', '-f', bootstrapPaths.namespace]]);
    const root = rootApplication({ repoURL: config.gitops.repoURL, revision: config.gitops.revision });
    expect(argvOf(plan, 'root')).toEqual([['kubectl', 'apply', '-f', bootstrapPaths.rootProject, '-f', bootstrapPaths.root]]);
    expect(step(plan, 'root').commands[0]!.probe).toEqual({ argv: ['kubectl', '--namespace', root.metadata!.namespace, 'get', 'application', root.metadata!.name] });
  });

  it('encrypts the talhelper secret bundle for exactly secrets.ageRecipients', () => {
    const [, encrypt] = argvOf(plan, 'talos-secrets');
    expect(flag(encrypt!, '--age')).toBe(config.secrets.ageRecipients.join(','));
  });

  it('creates the VMs with the Terraform root module of @homelab/proxmox', () => {
    expect(argvOf(plan, 'infrastructure').map((argv) => argv.slice(0, 3))).toEqual([
      ['tofu', `-chdir=${TERRAFORM_DIR}`, 'init'],
      ['tofu', `-chdir=${TERRAFORM_DIR}`, 'apply'],
    ]);
    expect(argvOf(planOf(config, { terraform: 'terraform' }), 'infrastructure').every((argv) => argv[0] === 'terraform')).toBe(true);
  });

  it('tells how the first admin joins the admin group of the identity provider', () => {
    const why = step(plan, 'first-admin').why;
    expect(why).toContain(`Directory → Groups → ${SSO_GROUPS.admins}`);
    expect(why).toContain(`https://auth.${config.domains.internal}/if/flow/initial-setup/`);
    const withoutSso = bootstrapPlan(bootstrapFacts(config, components(config, false)), { ageKeyFile: KEY });
    expect(step(withoutSso, 'first-admin').why).not.toContain(SSO_GROUPS.admins);
  });
});

describe('Cilium as a Talos inline manifest', () => {
  const plan = planOf(ha, { cilium: 'inline' });

  it('renders the chart before the nodes get their configs, and drops the helm install', () => {
    const ids = plan.steps.map((candidate) => candidate.id);
    expect(ids).not.toContain('cilium');
    expect(ids.indexOf('cilium-manifest')).toBe(ids.indexOf('talos-config') + 1);
    expect(ids.indexOf('cilium-manifest')).toBeLessThan(ids.indexOf('talos-apply'));
    const [template] = step(plan, 'cilium-manifest').commands;
    expect(template!.argv.slice(0, 4)).toEqual(['helm', 'template', 'cilium', CILIUM_CHART.name]);
    expect(flag(template!.argv, '--values')).toBe(componentPaths(buildCilium(ha)).values);
    expect(template!.stdoutTo?.talosPatch).toEqual({
      inlineManifest: 'cilium',
      extraManifests: [`${GATEWAY_API_CRDS.repoURL}/releases/download/${GATEWAY_API_CRDS.version}/standard-install.yaml`],
    });
  });

  it('patches the control planes only', () => {
    const patch = `@${step(plan, 'cilium-manifest').commands[0]!.stdoutTo!.path}`;
    for (const [index, node] of talconfig(ha).nodes.entries()) {
      const argv = step(plan, 'talos-apply').commands[index]!.argv;
      expect(argv.includes(patch), node.hostname).toBe(node.controlPlane);
    }
  });
});

describe('facts the runbook cannot do without', () => {
  it('fails when Cilium would look for the API where KubePrism does not listen', () => {
    const moved = [...buildGatewayApi(seed), buildCilium(seed, { apiServer: { port: 6443 } }), buildArgoCd(seed)];
    expect(() => bootstrapFacts(seed, moved)).toThrow(BootstrapFactError);
    expect(() => bootstrapFacts(seed, moved)).toThrow(`Cilium reaches the Kubernetes API at localhost:6443 (kubernetes/core/cilium/values.yaml: k8sServiceHost, k8sServicePort), but Talos KubePrism listens on localhost:${KUBEPRISM_PORT}`);
  });

  it('fails naming the component when a needed one is disabled', () => {
    expect(() => bootstrapFacts(seed, components(seed).filter((component) => component.name !== ARGOCD_NAME))).toThrow(
      "bootstrap: the component 'argocd' is not deployed (components.argocd.enabled: false), but it installs everything else. Enable it in homelab.yaml.",
    );
  });

  it('has no infrastructure step without a proxmox section', () => {
    const bare = configVariant((data) => {
      delete (data as { proxmox?: unknown }).proxmox;
    });
    expect(planOf(bare).steps[0]!.id).toBe('talos-secrets');
  });

  it('creates the age Secret ArgoCD really mounts when its name is overridden', () => {
    const renamed = [...buildGatewayApi(seed), buildCilium(seed), buildArgoCd(seed, { sops: { secretName: 'age-identity', secretKey: 'age.key' } })];
    const plan = bootstrapPlan(bootstrapFacts(seed, renamed), { ageKeyFile: KEY });
    expect(argvOf(plan, 'sops-age-secret')[0]).toEqual(['kubectl', '--namespace', 'argocd', 'create', 'secret', 'generic', 'age-identity', `--from-file=age.key=${KEY}`]);
  });

  it('names machine configs as talhelper does', () => {
    expect(machineConfigPath({ clusterConfigDir: 'talos/clusterconfig', clusterName: 'lab' }, { hostname: 'cp1' })).toBe('talos/clusterconfig/lab-cp1.yaml');
  });
});

describe('the bootstrap README', () => {
  const files = bootstrapArtifact.build(seed, components(seed));
  const readme = files.find((file) => file.path === bootstrapPaths.readme)!.content;

  it('is the same step list: every command of every step, in order', () => {
    const plan = bootstrapPlan(bootstrapFacts(seed, components(seed)), { ageKeyFile: '$HOME/.config/sops/age/keys.txt' });
    expect(readme).toBe(bootstrapReadme(plan, '@homelab/bootstrap'));
    let at = 0;
    for (const candidate of plan.steps) {
      for (const command of candidate.commands) {
        const found = readme.indexOf(shellLine(command), at);
        expect(found, shellLine(command)).toBeGreaterThan(at);
        at = found;
      }
    }
  });

  it('creates the Secret from the key file a shell expands', () => {
    expect(readme).toContain('--from-file=keys.txt=$HOME/.config/sops/age/keys.txt\n');
  });

  it("keeps talhelper's output out of git", () => {
    expect(files.find((file) => file.path === 'talos/.gitignore')?.content).toMatch(/\nclusterconfig\/\n$/);
  });

  it('says why when the homelab cannot be bootstrapped', () => {
    const [only] = bootstrapArtifact.build(seed, components(seed).filter((component) => component.name !== ARGOCD_NAME));
    expect(only!.content).toContain("No runbook: bootstrap: the component 'argocd' is not deployed");
  });
});

/**
 * What the Day-0 runbook needs to know, read from the components and the functions that render the
 * tree (the Applications, talconfig.yaml, the bootstrap kit), never typed a second time: the
 * release ArgoCD adopts is the one the Application describes, the nodes are talconfig's nodes.
 */
import { ARGOCD_INITIAL_ADMIN_SECRET, ARGOCD_NAME, bootstrapPaths, mountedAgeSecret } from '@homelab/argocd';
import { CILIUM_COMPONENT } from '@homelab/cilium';
import { componentApplication, componentPaths, rootApplication, SSO_GROUPS, SSO_PROVIDER, type Component, type GitOpsTarget } from '@homelab/core';
import type { ResolvedConfig } from '@homelab/config';
import { COMPONENT_NAMES } from '@homelab/gateway-api';
import { TERRAFORM_DIR } from '@homelab/proxmox';
import { TALCONFIG_PATH, talconfig, talosPatches } from '@homelab/talos';

/** `helm upgrade --install` of an Application's chart: what ArgoCD renders, so it adopts the release without a diff. */
export interface HelmRelease {
  /** The Application (and component) name. */
  application: string;
  release: string;
  namespace: string;
  repo: string;
  chart: string;
  version: string;
  /** Value files in the Application's order, relative to the repository root (`$values/` resolved). */
  valueFiles: string[];
}

/** One Talos node, as talconfig.yaml lists it. */
export interface BootstrapNode {
  hostname: string;
  ip: string;
  controlPlane: boolean;
}

export interface BootstrapFacts {
  clusterName: string;
  nodes: BootstrapNode[];
  /** The Terraform root module of the VMs; absent without a `proxmox` section (the nodes exist already). */
  terraformDir?: string;
  talconfigPath: string;
  /** Where `talhelper genconfig` writes the machine configs and talosconfig. */
  clusterConfigDir: string;
  /** talhelper's secret bundle (the cluster's CAs and tokens), SOPS-encrypted, committed. */
  talsecretPath: string;
  talosconfigPath: string;
  kubeconfigPath: string;
  /** Port KubePrism listens on (talconfig's patch), which Cilium's values reach the API through. */
  kubePrismPort: number;
  /** The Gateway API CRDs the `gateway-api` Application syncs (its git source). */
  gatewayApi: { application: string; repoURL: string; version: string; path: string };
  cilium: HelmRelease;
  argocd: HelmRelease & {
    namespaceFile: string;
    ageSecret: { name: string; namespace: string; key: string };
    server: { name: string; port: number };
    url: string;
    /** Holds the password of ArgoCD's local admin until it is deleted. */
    initialAdminSecret: string;
  };
  root: { name: string; namespace: string; files: string[] };
  ageRecipients: string[];
  git: GitOpsTarget;
  /** The identity provider and its admin group, when Authentik is deployed. */
  sso?: { url: string; adminGroup: string };
}

/** A fact the runbook cannot derive: names what is missing and why it matters. */
export class BootstrapFactError extends Error {}

interface ApplicationSource {
  repoURL: string;
  chart?: string;
  path?: string;
  targetRevision: string;
  helm?: { releaseName?: string; valueFiles?: string[] };
}

function component(components: readonly Component[], name: string, why: string): Component {
  const found = components.find((candidate) => candidate.name === name);
  if (!found) throw new BootstrapFactError(`bootstrap: the component '${name}' is not deployed (components.${name}.enabled: false), but ${why}. Enable it in homelab.yaml.`);
  return found;
}

function sourcesOf(app: Component, target: GitOpsTarget): { namespace: string; sources: ApplicationSource[] } {
  const spec = (componentApplication(app, target).toJSON() as { spec: { destination: { namespace: string }; sources?: ApplicationSource[]; source?: ApplicationSource } }).spec;
  return { namespace: spec.destination.namespace, sources: spec.sources ?? (spec.source ? [spec.source] : []) };
}

const VALUES_REF = '$values/';

/** The Application's chart as a Helm release: same name, namespace, chart, version and value files. */
export function helmRelease(app: Component, target: GitOpsTarget): HelmRelease {
  const { namespace, sources } = sourcesOf(app, target);
  const chart = sources.find((source) => source.chart !== undefined);
  if (!chart) throw new BootstrapFactError(`bootstrap: the Application '${app.name}' deploys no Helm chart, so it cannot be installed with helm before ArgoCD.`);
  const valueFiles = (chart.helm?.valueFiles ?? []).map((file) => {
    if (!file.startsWith(VALUES_REF)) throw new BootstrapFactError(`bootstrap: the Application '${app.name}' reads a value file outside this repository (${file}); helm cannot install it from here.`);
    return file.slice(VALUES_REF.length);
  });
  return {
    application: app.name,
    release: chart.helm?.releaseName ?? app.name,
    namespace,
    repo: chart.repoURL,
    chart: chart.chart!,
    version: chart.targetRevision,
    valueFiles,
  };
}

/** Where a machine config of talhelper's lands: `<out dir>/<cluster>-<hostname>.yaml`. */
export function machineConfigPath(facts: Pick<BootstrapFacts, 'clusterConfigDir' | 'clusterName'>, node: Pick<BootstrapNode, 'hostname'>): string {
  return `${facts.clusterConfigDir}/${facts.clusterName}-${node.hostname}.yaml`;
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'));

/** Fails when Cilium would reach the API somewhere KubePrism does not listen (a cluster without network). */
function checkApiServerPath(cilium: Component, kubePrismPort: number): void {
  const values = cilium.values as { k8sServiceHost?: unknown; k8sServicePort?: unknown } | undefined;
  if (values?.k8sServiceHost !== 'localhost' || values.k8sServicePort !== kubePrismPort) {
    throw new BootstrapFactError(
      `bootstrap: Cilium reaches the Kubernetes API at ${String(values?.k8sServiceHost)}:${String(values?.k8sServicePort)} (${componentPaths(cilium).values}: k8sServiceHost, k8sServicePort), ` +
        `but Talos KubePrism listens on localhost:${kubePrismPort} (${TALCONFIG_PATH}). Without kube-proxy that is the only way Cilium finds the API: make them agree.`,
    );
  }
}

/** Every fact of the runbook, from the config and its composed components. */
export function bootstrapFacts(config: ResolvedConfig, components: readonly Component[]): BootstrapFacts {
  const target: GitOpsTarget = { repoURL: config.gitops.repoURL, revision: config.gitops.revision };
  const cilium = component(components, CILIUM_COMPONENT, 'the cluster has no other network (talconfig disables the CNI)');
  const gateway = component(components, COMPONENT_NAMES.crds, "Cilium's Gateway API support needs its CRDs before the operator starts");
  const argocd = component(components, ARGOCD_NAME, 'it installs everything else');
  const talos = talconfig(config);
  const kubePrismPort = (talosPatches(config).cluster['kubePrism'] as { machine: { features: { kubePrism: { port: number } } } }).machine.features.kubePrism.port;
  checkApiServerPath(cilium, kubePrismPort);
  const gitSource = sourcesOf(gateway, target).sources.find((source) => source.path !== undefined);
  if (!gitSource) throw new BootstrapFactError(`bootstrap: the Application '${gateway.name}' has no git source for its CRDs.`);
  const ageSecret = mountedAgeSecret(argocd);
  const exposure = argocd.exposes?.[0];
  if (!exposure) throw new BootstrapFactError(`bootstrap: the component '${argocd.name}' exposes no UI.`);
  const root = rootApplication(target);
  const clusterConfigDir = `${dirOf(TALCONFIG_PATH)}/clusterconfig`;
  // The identity provider: the component serving the SSO_PROVIDER host (Authentik, when deployed).
  const ssoHost = components.flatMap((candidate) => candidate.exposes ?? []).find((exposed) => exposed.host === `${SSO_PROVIDER.hostLabel}.${config.domains.internal}`)?.host;
  return {
    clusterName: talos.clusterName,
    nodes: talos.nodes.map((node) => ({ hostname: node.hostname, ip: node.ipAddress, controlPlane: node.controlPlane })),
    ...(config.proxmox ? { terraformDir: TERRAFORM_DIR } : {}),
    talconfigPath: TALCONFIG_PATH,
    clusterConfigDir,
    talsecretPath: `${dirOf(TALCONFIG_PATH)}/talsecret.sops.yaml`,
    talosconfigPath: `${clusterConfigDir}/talosconfig`,
    kubeconfigPath: `${clusterConfigDir}/kubeconfig`,
    kubePrismPort,
    gatewayApi: { application: gateway.name, repoURL: gitSource.repoURL, version: gitSource.targetRevision, path: gitSource.path! },
    cilium: helmRelease(cilium, target),
    argocd: {
      ...helmRelease(argocd, target),
      namespaceFile: bootstrapPaths.namespace,
      ageSecret: { name: ageSecret.name, namespace: ageSecret.namespace, key: ageSecret.keys[0]! },
      server: { name: exposure.service.name, port: exposure.service.port },
      url: `https://${exposure.host}`,
      initialAdminSecret: ARGOCD_INITIAL_ADMIN_SECRET,
    },
    root: { name: root.metadata!.name!, namespace: root.metadata!.namespace!, files: [bootstrapPaths.rootProject, bootstrapPaths.root] },
    ageRecipients: [...config.secrets.ageRecipients],
    git: target,
    ...(ssoHost ? { sso: { url: `https://${ssoHost}`, adminGroup: SSO_GROUPS.admins } } : {}),
  };
}

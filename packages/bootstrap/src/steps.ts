/**
 * The Day-0 runbook as data: every step from bare Proxmox to a synced root Application, each with
 * why it exists, its commands, and a read-only probe per command that tells whether it is done
 * already (so a run can be repeated and resumed). `homelab bootstrap` prints and runs it; the
 * bootstrap README is rendered from it. One list, so the two cannot drift.
 */
import { machineConfigPath, type BootstrapFacts, type HelmRelease } from './facts.js';

/**
 * Whether a command's effect is already there, asked without changing anything: a command that
 * exits 0 (and, with `expect`, prints exactly that), or files that exist (and hold `contains`).
 */
export type Probe = { argv: readonly string[]; expect?: string } | { files: readonly string[]; contains?: string };

export interface BootstrapCommand {
  argv: readonly string[];
  /** Done when this probe passes; the command then is skipped. Every command of a step that runs has one. */
  probe?: Probe;
  /** The command's standard output is the file at `path` (relative to the repository root), as it is or wrapped in a Talos patch. */
  stdoutTo?: { path: string; talosPatch?: TalosManifestsPatch };
}

export interface BootstrapStep {
  /** Stable name, for `--from`. */
  id: string;
  title: string;
  /** Why the step exists and why here: printed with the plan and in the README. */
  why: string;
  commands: BootstrapCommand[];
  /** What to do when a command of the step fails. */
  onFailure: string;
  /** Done by a person (no command can): printed, never run. */
  manual?: boolean;
}

/** How Cilium first gets onto the cluster (ArgoCD adopts it either way). */
export type CiliumInstall = 'helm' | 'inline';

export interface PlanOptions {
  /** @default 'helm' (see the package README for why) */
  cilium?: CiliumInstall;
  /** Terraform or its fork OpenTofu (same CLI). @default 'tofu' */
  terraform?: 'tofu' | 'terraform';
  /** The age identities file the sops-age Secret is created from, as it is written in the commands. */
  ageKeyFile: string;
}

export interface BootstrapPlan {
  /** Set for every command: talosctl, kubectl and helm find the new cluster through them. */
  env: Record<'TALOSCONFIG' | 'KUBECONFIG', string>;
  steps: BootstrapStep[];
}

/** The release asset Gateway API publishes for a channel directory (`config/crd/standard` → standard-install.yaml). */
export function gatewayApiInstallUrl(gateway: BootstrapFacts['gatewayApi']): string {
  const channel = /^config\/crd\/([a-z]+)$/.exec(gateway.path)?.[1];
  if (!channel) throw new Error(`bootstrap: the ${gateway.application} Application reads ${gateway.path}, which is not a Gateway API release channel (config/crd/standard or config/crd/experimental).`);
  return `${gateway.repoURL.replace(/\.git$/, '')}/releases/download/${gateway.version}/${channel}-install.yaml`;
}

/** A CRD every Gateway API channel installs, labelled with the bundle version it came from. */
const GATEWAY_CRD = 'gateways.gateway.networking.k8s.io';
const GATEWAY_BUNDLE_VERSION = '{.metadata.annotations.gateway\\.networking\\.k8s\\.io/bundle-version}';

function helmChartArgs(release: HelmRelease): string[] {
  const ref = release.repo.startsWith('oci://') ? [`${release.repo.replace(/\/$/, '')}/${release.chart}`] : [release.chart, '--repo', release.repo];
  return [...ref, '--version', release.version, '--namespace', release.namespace, ...release.valueFiles.flatMap((file) => ['--values', file])];
}

/** `helm upgrade --install`: installs, and after a failed attempt upgrades the broken release instead of refusing. */
function helmInstall(release: HelmRelease): BootstrapCommand {
  return {
    argv: ['helm', 'upgrade', '--install', release.release, ...helmChartArgs(release), '--wait'],
    probe: { argv: ['helm', 'list', '--namespace', release.namespace, '--filter', `^${release.release}$`, '--deployed', '--short'], expect: release.release },
  };
}

/** The Talos patch that carries the rendered Cilium chart in the machine config. */
export const CILIUM_INLINE_PATCH = 'cilium-inline.patch.yaml';

/**
 * A machine-config patch making Talos apply manifests at bootstrap: the command's output as the
 * inline manifest `inlineManifest`, and the `extraManifests` URLs.
 * @see https://docs.siderolabs.com/talos/v1.13/reference/configuration/v1alpha1/config#Config.cluster.inlineManifests
 */
export interface TalosManifestsPatch {
  inlineManifest: string;
  extraManifests: string[];
}

/** The patch document for `contents` rendered by a command. */
export function talosManifestsPatch(patch: TalosManifestsPatch, contents: string): Record<string, unknown> {
  return { cluster: { extraManifests: [...patch.extraManifests], inlineManifests: [{ name: patch.inlineManifest, contents }] } };
}

/** The Day-0 steps, in order. */
export function bootstrapPlan(facts: BootstrapFacts, options: PlanOptions): BootstrapPlan {
  const cilium = options.cilium ?? 'helm';
  const tf = options.terraform ?? 'tofu';
  const controlPlanes = facts.nodes.filter((node) => node.controlPlane);
  const first = controlPlanes[0];
  if (!first) throw new Error('bootstrap: the cluster has no control-plane node (nodes.<name>.role: controlplane).');
  const at = (ip: string) => ['--nodes', ip, '--endpoints', ip];
  const machineConfigs = facts.nodes.map((node) => machineConfigPath(facts, node));
  const inlinePatch = `${facts.clusterConfigDir}/${CILIUM_INLINE_PATCH}`;
  const steps: BootstrapStep[] = [];

  if (facts.terraformDir) {
    const chdir = `-chdir=${facts.terraformDir}`;
    steps.push({
      id: 'infrastructure',
      title: 'Create the Talos VMs on Proxmox',
      why: `${facts.terraformDir}/ declares one VM per node of homelab.yaml, booting the Talos image. The Proxmox API token comes from your environment (see ${facts.terraformDir}/variables.tf.json), never from git.`,
      commands: [
        { argv: [tf, chdir, 'init', '-input=false'], probe: { files: [`${facts.terraformDir}/.terraform.lock.hcl`] } },
        // -detailed-exitcode: 0 when the VMs match the config, 2 when apply would change something.
        { argv: [tf, chdir, 'apply', '-input=false', '-auto-approve'], probe: { argv: [tf, chdir, 'plan', '-input=false', '-detailed-exitcode'] } },
      ],
      onFailure: `Read the ${tf} error: usually the Proxmox endpoint or API token variables. Fix them and resume.`,
    });
  }

  steps.push({
    id: 'talos-secrets',
    title: "Generate the cluster's secrets",
    why: `The cluster's CAs and tokens. Kept in ${facts.talsecretPath}, encrypted whole for secrets.ageRecipients (commit it), so the machine configs can be generated again: a new bundle would mean a new cluster. After changing secrets.ageRecipients, decrypt it (sops --decrypt --in-place) and run the second command again.`,
    commands: [
      { argv: ['talhelper', 'gensecret'], stdoutTo: { path: facts.talsecretPath }, probe: { files: [facts.talsecretPath] } },
      {
        // --config /dev/null: the repository's .sops.yaml rules are for the Secrets under kubernetes/
        // (only their data encrypted) and match no other path; this file is encrypted whole.
        argv: ['sops', '--config', '/dev/null', '--encrypt', '--in-place', '--age', facts.ageRecipients.join(','), facts.talsecretPath],
        probe: { files: [facts.talsecretPath], contains: '\nsops:\n' },
      },
    ],
    onFailure: `Check that talhelper and sops run. Never commit ${facts.talsecretPath} unencrypted.`,
  });

  steps.push({
    id: 'talos-config',
    title: 'Generate the machine configs',
    why: `talhelper turns ${facts.talconfigPath} (generated from homelab.yaml: node addresses, install disks, no CNI, no kube-proxy, KubePrism on port ${facts.kubePrismPort}) into one machine config per node and a talosconfig, in ${facts.clusterConfigDir}/ (keep it out of git: it holds the decrypted secrets).`,
    commands: [
      {
        argv: ['talhelper', 'genconfig', '--config-file', facts.talconfigPath, '--secret-file', facts.talsecretPath, '--out-dir', facts.clusterConfigDir],
        probe: { files: [...machineConfigs, facts.talosconfigPath] },
      },
    ],
    onFailure: 'talhelper decrypts the secret bundle with your age key (SOPS_AGE_KEY_FILE); check that it is one of secrets.ageRecipients.',
  });

  if (cilium === 'inline') {
    steps.push({
      id: 'cilium-manifest',
      title: 'Render Cilium into the control planes\' machine config',
      why: `The cluster boots with its network: the control planes apply the chart rendered from ${facts.cilium.valueFiles.join(', ')} (the values ArgoCD's ${facts.cilium.application} Application uses, chart ${facts.cilium.chart} ${facts.cilium.version}) as a Talos inline manifest, and the Gateway API CRDs (${facts.gatewayApi.version}) as an extra manifest.`,
      commands: [
        {
          argv: ['helm', 'template', facts.cilium.release, ...helmChartArgs(facts.cilium)],
          stdoutTo: { path: inlinePatch, talosPatch: { inlineManifest: facts.cilium.release, extraManifests: [gatewayApiInstallUrl(facts.gatewayApi)] } },
          probe: { files: [inlinePatch] },
        },
      ],
      onFailure: 'helm needs to reach the chart repository; check the network.',
    });
  }

  steps.push({
    id: 'talos-apply',
    title: 'Install Talos on every node',
    why: 'Each VM boots Talos in maintenance mode, waiting for its machine config (hence --insecure: it has no certificates yet). It installs to its disk and reboots; the probe then answers with the cluster\'s certificates.',
    commands: facts.nodes.map((node) => ({
      argv: [
        'talosctl',
        'apply-config',
        '--insecure',
        '--nodes',
        node.ip,
        '--file',
        machineConfigPath(facts, node),
        ...(cilium === 'inline' && node.controlPlane ? ['--config-patch', `@${inlinePatch}`] : []),
      ],
      probe: { argv: ['talosctl', 'version', ...at(node.ip)] },
    })),
    onFailure: 'Is the node booted from the Talos ISO and reachable at its address? Check the VM console.',
  });

  steps.push({
    id: 'talos-bootstrap',
    title: 'Start etcd',
    why: `Once, on one control plane (${first.hostname}); the others join it. Wait until ${first.hostname} has installed and rebooted (talosctl ${at(first.ip).join(' ')} dmesg).`,
    commands: [{ argv: ['talosctl', 'bootstrap', ...at(first.ip)], probe: { argv: ['talosctl', 'etcd', 'status', ...at(first.ip)] } }],
    onFailure: `If the node is still installing, wait and resume. A node that says it is already bootstrapped is done.`,
  });

  steps.push({
    id: 'kubeconfig',
    title: 'Fetch the kubeconfig',
    why: `Admin credentials for the API (behind the endpoint of homelab.yaml), written to ${facts.kubeconfigPath}, which KUBECONFIG points at. The nodes stay NotReady until Cilium runs.`,
    commands: [{ argv: ['talosctl', 'kubeconfig', facts.kubeconfigPath, ...at(first.ip)], probe: { files: [facts.kubeconfigPath] } }],
    onFailure: 'The API server starts a minute or two after talos-bootstrap; wait and resume.',
  });

  steps.push({
    id: 'gateway-api-crds',
    title: `Install the Gateway API CRDs ${facts.gatewayApi.version}`,
    why: `Before Cilium: its operator enables Gateway API only when the GatewayClass, Gateway, HTTPRoute, GRPCRoute and ReferenceGrant CRDs exist when it starts. The release ArgoCD's ${facts.gatewayApi.application} Application syncs (${facts.gatewayApi.path} at ${facts.gatewayApi.version}), applied server-side as ArgoCD does.`,
    commands: [
      {
        argv: ['kubectl', 'apply', '--server-side', '-f', gatewayApiInstallUrl(facts.gatewayApi)],
        probe: { argv: ['kubectl', 'get', 'crd', GATEWAY_CRD, '-o', `jsonpath=${GATEWAY_BUNDLE_VERSION}`], expect: facts.gatewayApi.version },
      },
    ],
    onFailure: 'Check that the API answers (kubectl get --raw /readyz).',
  });

  if (cilium === 'helm') {
    steps.push({
      id: 'cilium',
      title: 'Install Cilium',
      why: `The cluster network (talconfig disables the default CNI and kube-proxy). Release ${facts.cilium.release} of chart ${facts.cilium.chart} ${facts.cilium.version} in ${facts.cilium.namespace} with ${facts.cilium.valueFiles.join(', ')}: exactly what ArgoCD's ${facts.cilium.application} Application renders, so ArgoCD adopts it without a diff. It reaches the API through KubePrism (localhost:${facts.kubePrismPort}), as no kube-proxy exists yet.`,
      commands: [helmInstall(facts.cilium)],
      onFailure: `kubectl -n ${facts.cilium.namespace} get pods shows what does not start.`,
    });
  }

  const { argocd } = facts;
  steps.push({
    id: 'argocd-namespace',
    title: "Create ArgoCD's namespace",
    why: 'The Secret of the next step must exist before the repo-server starts, so the namespace comes first.',
    commands: [{ argv: ['kubectl', 'apply', '-f', argocd.namespaceFile], probe: { argv: ['kubectl', 'get', 'namespace', argocd.namespace] } }],
    onFailure: 'Check that the API answers (kubectl get --raw /readyz).',
  });

  steps.push({
    id: 'sops-age-secret',
    title: `Create the ${argocd.ageSecret.name} Secret from the age key`,
    why: `ArgoCD's repo-server decrypts the SOPS files of this repository with this key, the identity of one of secrets.ageRecipients (${facts.ageRecipients.join(', ')}). It never goes into git.`,
    commands: [
      {
        argv: ['kubectl', '--namespace', argocd.ageSecret.namespace, 'create', 'secret', 'generic', argocd.ageSecret.name, `--from-file=${argocd.ageSecret.key}=${options.ageKeyFile}`],
        probe: { argv: ['kubectl', '--namespace', argocd.ageSecret.namespace, 'get', 'secret', argocd.ageSecret.name] },
      },
    ],
    onFailure: `The key file must exist (${options.ageKeyFile}); pass another with --identity FILE.`,
  });

  steps.push({
    id: 'argocd',
    title: 'Install ArgoCD',
    why: `Release ${argocd.release} of chart ${argocd.chart} ${argocd.version} in ${argocd.namespace} with ${argocd.valueFiles.join(', ')}: the values ArgoCD's own Application uses, under the same release name, so what ArgoCD adopts is exactly what it would have installed. Never run helm upgrade by hand afterwards: change homelab.yaml, run homelab generate, commit and push.`,
    commands: [helmInstall(argocd)],
    onFailure: `kubectl -n ${argocd.namespace} get pods shows what does not start (the repo-server waits for the ${argocd.ageSecret.name} Secret).`,
  });

  steps.push({
    id: 'root',
    title: 'Hand over to GitOps',
    why: `The root Application and the AppProject it belongs to (applied with it: no Application syncs before its project exists). Root syncs the projects and app-of-apps of every group, and each of them its components, in sync-wave order; ArgoCD adopts ${facts.gatewayApi.application}, ${facts.cilium.application} and ${argocd.application}. ArgoCD reads ${facts.git.repoURL} at ${facts.git.revision}: commit and push this tree first, and add a repository credential in ArgoCD if the repository is private.`,
    commands: [
      {
        argv: ['kubectl', 'apply', ...facts.root.files.flatMap((file) => ['-f', file])],
        probe: { argv: ['kubectl', '--namespace', facts.root.namespace, 'get', 'application', facts.root.name] },
      },
    ],
    onFailure: 'Check that the ArgoCD CRDs exist (kubectl get crd applications.argoproj.io).',
  });

  steps.push({
    id: 'first-admin',
    manual: true,
    title: 'Log in, and make the first admin',
    why:
      `Until the gateway and its routes are synced, reach ArgoCD through a port-forward at http://localhost:8080 (user admin, the initial password below); afterwards it is at ${argocd.url}. ` +
      (facts.sso
        ? `Admin rights come from the identity provider: members of the group ${facts.sso.adminGroup} are admins of every app (ArgoCD's RBAC maps the group to role:admin). ` +
          `Open ${facts.sso.url}/if/flow/initial-setup/ once to set the password of Authentik's own admin (akadmin), create your user in the Admin interface (Directory → Users), ` +
          `then add it to the group (Directory → Groups → ${facts.sso.adminGroup} → Users → Add existing user). Sign in to ArgoCD with SSO, then delete the initial admin password.`
        : 'Change the admin password, then delete the initial one.'),
    commands: [
      { argv: ['kubectl', '--namespace', argocd.namespace, 'get', 'secret', argocd.initialAdminSecret, '-o', 'go-template={{.data.password | base64decode}}'] },
      { argv: ['kubectl', '--namespace', argocd.namespace, 'port-forward', `service/${argocd.server.name}`, `8080:${argocd.server.port}`] },
      { argv: ['kubectl', '--namespace', argocd.namespace, 'delete', 'secret', argocd.initialAdminSecret] },
    ],
    onFailure: '',
  });

  return { env: { TALOSCONFIG: facts.talosconfigPath, KUBECONFIG: facts.kubeconfigPath }, steps };
}

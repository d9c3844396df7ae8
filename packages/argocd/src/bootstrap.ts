/**
 * The bootstrap kit under kubernetes/bootstrap/argocd/: the Namespace and the exact steps that
 * install ArgoCD by hand, once, before it manages itself. Every name, path and version in the
 * steps is read from the component and the packages that own it, never typed a second time.
 */
import { Namespace } from 'kubernetes-models/v1/Namespace';
import {
  APP_OF_APPS_DIR,
  APP_OF_APPS_PROJECT,
  appProjectPath,
  componentPaths,
  generatedMarkdownHeader,
  renderObjectFile,
  type Component,
  type GeneratedFile,
  type HelmChart,
  type PodSecurityLevel,
  type SecretDeclaration,
} from '@homelab/core';

/** Directory of the bootstrap kit. */
export const BOOTSTRAP_DIR = 'kubernetes/bootstrap/argocd';

/** Secret ArgoCD creates on first start with the admin password (ArgoCD's name, not the chart's). */
const INITIAL_ADMIN_SECRET = 'argocd-initial-admin-secret';

/** Where sops and age-keygen keep identities on Linux by default; the README's example path. */
const DEFAULT_AGE_KEY_FILE = '$HOME/.config/sops/age/keys.txt';

/** Everything the bootstrap steps mention, gathered from the component and its settings. */
export interface BootstrapInputs {
  component: Pick<Component, 'name' | 'group' | 'namespace' | 'source'> & { chart: HelmChart };
  /** Pod Security level the namespace enforces. */
  podSecurity: PodSecurityLevel;
  /** The age private key Secret (first key is the identities file). */
  ageSecret: SecretDeclaration;
  /** age recipients from homelab.yaml: the key must be the identity of one of them. */
  ageRecipients: string[];
  /** The server Service reached before routes exist. */
  server: { name: string; port: number };
  /** URL of the UI once routes are synced. */
  url: string;
  /** The git repository and revision ArgoCD reads (homelab.yaml `gitops`). */
  git: { repoURL: string; revision: string };
}

export const bootstrapPaths = {
  namespace: `${BOOTSTRAP_DIR}/namespace.yaml`,
  readme: `${BOOTSTRAP_DIR}/README.md`,
  /** The Application a person applies once; it manages everything else. */
  root: `${APP_OF_APPS_DIR}/root.yaml`,
  /** The AppProject root belongs to: applied with it, since root cannot sync before its project exists. */
  rootProject: appProjectPath(APP_OF_APPS_PROJECT),
} as const;

/**
 * ArgoCD's namespace, applied by hand before anything else (the Secret must exist before the
 * repo-server starts). It enforces the component's level and audits/warns at 'restricted', so
 * `kubectl apply` shows what a stricter level would reject.
 */
export function bootstrapNamespace(name: string, level: PodSecurityLevel): Namespace {
  return new Namespace({
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
}

/** `helm install` for a pinned chart: `--repo` for an https repository, the chart URL for OCI. */
function helmInstall(chart: HelmChart, release: string, namespace: string, valuesFile: string): string {
  const ref = chart.repo.startsWith('oci://') ? `${chart.repo.replace(/\/$/, '')}/${chart.name}` : `${chart.name} --repo ${chart.repo}`;
  return [
    `helm install ${release} ${ref} \\`,
    `  --version ${chart.version} \\`,
    `  --namespace ${namespace} \\`,
    `  --values ${valuesFile} \\`,
    '  --wait',
  ].join('\n');
}

/** The bootstrap README: exact commands, in order, from the repository root. */
export function bootstrapReadme(inputs: BootstrapInputs): string {
  const { component, ageSecret, server } = inputs;
  const ns = component.namespace;
  const paths = componentPaths(component);
  const release = component.chart.releaseName ?? component.name;
  const keyName = ageSecret.keys[0]!;
  const fence = (command: string) => `\`\`\`sh\n${command}\n\`\`\``;
  return `${generatedMarkdownHeader(component.source)}
# Bootstrap ArgoCD

ArgoCD installs everything else in this repository, so it is the one thing installed by hand, once.
From step 4 on it manages itself: its Application \`${component.name}\` (\`${paths.application}\`)
deploys the same chart, version ${component.chart.version}, with the same values file that step 3
installs. After that, never run \`helm upgrade\` by hand: change homelab.yaml, run
\`homelab generate\`, commit and push.

Run every command from the root of this repository, with \`kubectl\` pointed at the cluster and
\`helm\` installed. The cluster network (Cilium) must already be up: ArgoCD's pods need it.

## 1. Create the namespace

${fence(`kubectl apply -f ${bootstrapPaths.namespace}`)}

## 2. Create the \`${ageSecret.name}\` Secret from the age key

ArgoCD's repo-server decrypts the SOPS files of this repository in the cluster with this key. It
must be the identity of one of the recipients in homelab.yaml (\`secrets.ageRecipients\`):

${inputs.ageRecipients.map((recipient) => `- \`${recipient}\``).join('\n')}

\`age-keygen -y <key file>\` prints the public key of a key file. With the key file at its usual place
(${DEFAULT_AGE_KEY_FILE}; change the path if yours is elsewhere):

${fence(`kubectl -n ${ageSecret.namespace} create secret generic ${ageSecret.name} \\\n  --from-file=${keyName}=${DEFAULT_AGE_KEY_FILE}`)}

The key never goes into git. Without this Secret the repo-server pod does not start.

## 3. Install ArgoCD

${fence(helmInstall(component.chart, release, ns, paths.values))}

These are the values ArgoCD's own Application uses, under the same release name, so what
ArgoCD adopts in step 4 is exactly what it would have installed itself.

## 4. Hand over to GitOps

${fence(`kubectl apply -f ${bootstrapPaths.rootProject} -f ${bootstrapPaths.root}`)}

The root Application belongs to the \`${APP_OF_APPS_PROJECT}\` project, which may only create Applications and
AppProjects in \`${ns}\`; it is applied first because no Application syncs before its project exists.
Root then syncs the projects of every group and the app-of-apps of every group, and each of them
its components, in sync-wave order; every component is limited to the namespaces, repositories and
cluster-wide kinds of its group's project. ArgoCD reads ${inputs.git.repoURL} at \`${inputs.git.revision}\`; if that
repository is private, add a repository credential in ArgoCD before this step.

## Log in

The initial password of the \`admin\` user:

${fence(`kubectl -n ${ns} get secret ${INITIAL_ADMIN_SECRET} -o jsonpath='{.data.password}' | base64 -d; echo`)}

Until the gateway and its routes are synced, reach the UI through a port-forward at
http://localhost:8080:

${fence(`kubectl -n ${ns} port-forward service/${server.name} 8080:${server.port}`)}

Afterwards it is at ${inputs.url}. Change the password, then delete the initial one:

${fence(`kubectl -n ${ns} delete secret ${INITIAL_ADMIN_SECRET}`)}
`;
}

/** The bootstrap kit's files (the values file is the component's own, rendered by the tree). */
export function bootstrapFiles(inputs: BootstrapInputs): GeneratedFile[] {
  const { component } = inputs;
  return [
    renderObjectFile(bootstrapPaths.namespace, component.source, bootstrapNamespace(component.namespace, inputs.podSecurity)),
    { path: bootstrapPaths.readme, source: component.source, content: bootstrapReadme(inputs) },
  ];
}

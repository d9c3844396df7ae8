/**
 * In-cluster SOPS decryption: a config-management plugin (CMP) sidecar on ArgoCD's repo-server.
 *
 * The plugin is discovered per source directory: a directory holding a file that matches
 * `filePattern` is rendered by the plugin (plain manifests passed through unchanged, encrypted ones
 * decrypted with `sops --decrypt`); every other directory stays a plain ArgoCD directory source.
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/config-management-plugins/
 */
import { Container } from 'kubernetes-models/v1/Container';
import { Volume } from 'kubernetes-models/v1/Volume';
import type { SopsSettings } from './defaults.js';
import { SOPS_IMAGE } from './versions.js';

/**
 * Names the argo-cd chart gives its repo-server pod: the ConfigMap it renders `configs.cmp` into
 * (a fixed name in the chart) and the two emptyDir volumes it shares with plugin sidecars.
 */
const CHART = { cmpConfigMap: 'argocd-cmp-cm', varFilesVolume: 'var-files', pluginsVolume: 'plugins' } as const;

/**
 * What argocd-cmp-server expects: the binary the chart's copyutil init container copies into
 * var-files, the socket directory, the plugin config path, and user 999 (ArgoCD's user, which owns
 * the socket the repo-server connects to).
 */
const CMP = {
  binary: '/var/run/argocd/argocd-cmp-server',
  varDir: '/var/run/argocd',
  pluginsDir: '/home/argocd/cmp-server/plugins',
  configFile: '/home/argocd/cmp-server/config/plugin.yaml',
  user: 999,
} as const;

/** The `spec` of a ConfigManagementPlugin: the chart wraps it in apiVersion/kind/metadata.name. */
export interface CmpPluginSpec {
  generate: { command: string[]; args: string[] };
  discover: { fileName: string };
}

/** The plugin's named parts, so callers can patch or replace each one. */
export interface SopsPluginParts {
  /** Value of `configs.cmp.plugins.<plugin>`. */
  spec: CmpPluginSpec;
  /** The sidecar, for `repoServer.extraContainers`. */
  container: Container;
  /** Volumes the sidecar mounts, for `repoServer.volumes`, keyed by volume name. */
  volumes: Record<string, Volume>;
}

/** Characters a file pattern may use: it is spliced into a shell script, so nothing that quotes or expands. */
const SAFE_PATTERN = /^[A-Za-z0-9*?._-]+$/;

/**
 * The plugin's generate step, run in the source directory. Like a plain directory source it reads
 * only the top level, in a stable order; `set -eu` plus sops' exit status make a file that fails
 * to decrypt fail the whole render, so ArgoCD never applies (or prunes against) a partial set.
 */
export function sopsGenerateScript(filePattern: string): string {
  if (!SAFE_PATTERN.test(filePattern)) {
    throw new Error(`argocd: SOPS file pattern has characters a shell would interpret (sops.filePattern: '${filePattern}'). Use letters, digits, '.', '_', '-', '*' and '?' only.`);
  }
  return [
    'set -eu',
    `find . -maxdepth 1 -type f \\( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '${filePattern}' \\) | LC_ALL=C sort |`,
    'while IFS= read -r file; do',
    "  echo '---'",
    '  case "$file" in',
    `    ${filePattern}) sops --decrypt "$file" ;;`,
    '    *) cat "$file" ;;',
    '  esac',
    '  echo',
    'done',
    '',
  ].join('\n');
}

/** The SOPS plugin: its spec, the sidecar that runs it and the volumes the sidecar mounts. */
export function sopsPlugin(settings: SopsSettings): SopsPluginParts {
  const tmpVolume = `${settings.plugin}-tmp`;
  const keyVolume = settings.secretName;
  const spec: CmpPluginSpec = {
    generate: { command: ['sh', '-c'], args: [sopsGenerateScript(settings.filePattern)] },
    discover: { fileName: settings.filePattern },
  };
  const container = new Container({
    name: `cmp-${settings.plugin}`,
    image: `${SOPS_IMAGE.repository}:${SOPS_IMAGE.tag}`,
    command: [CMP.binary],
    env: [{ name: 'SOPS_AGE_KEY_FILE', value: `${settings.keyDir}/${settings.secretKey}` }],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: CMP.user,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: CHART.varFilesVolume, mountPath: CMP.varDir },
      { name: CHART.pluginsVolume, mountPath: CMP.pluginsDir },
      { name: CHART.cmpConfigMap, mountPath: CMP.configFile, subPath: `${settings.plugin}.yaml` },
      // Its own /tmp, never the repo-server's: ArgoCD's advice against path traversal between them.
      { name: tmpVolume, mountPath: '/tmp' },
      { name: keyVolume, mountPath: settings.keyDir, readOnly: true },
    ],
  });
  const volumes: Record<string, Volume> = {
    [CHART.cmpConfigMap]: new Volume({ name: CHART.cmpConfigMap, configMap: { name: CHART.cmpConfigMap } }),
    [tmpVolume]: new Volume({ name: tmpVolume, emptyDir: {} }),
    // Default mode (0644): the sidecar runs as 999 without an fsGroup, so 0400 root-owned would be
    // unreadable. Only this container mounts the volume.
    [keyVolume]: new Volume({
      name: keyVolume,
      secret: { secretName: settings.secretName, items: [{ key: settings.secretKey, path: settings.secretKey }] },
    }),
  };
  return { spec, container, volumes };
}

import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CheckConfigError, checkTree, CONFIG_FILE as CHECK_CONFIG_FILE, countBySeverity, formatJson, formatText, parseExternal } from '@homelab/check';
import { CHECK_MODELS } from '../check-models.js';
import { EXIT_INVALID, EXIT_OK, findConfig, seconds, UsageError, type Command, type Io, type OptionValues } from '../command.js';
import { RENDER_OPTIONS, RENDER_OPTIONS_HELP, renderWith } from '../helm.js';

interface CheckCommandOptions {
  format?: string;
  external?: string[];
  'chart-schemas'?: string;
  'repo-url'?: string[];
  render?: boolean;
  helm?: string;
}

async function check(io: Io, options: CheckCommandOptions, positionals: string[]): Promise<number> {
  const start = io.now();
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'`);
  const config = positionals[0] === undefined ? findConfig(io.cwd) : undefined;
  const dir = positionals[0] !== undefined ? resolve(io.cwd, positionals[0]) : config ? dirname(config) : io.cwd;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`not a directory: ${dir}`);
  const external = options.external ?? [];
  for (const spec of external) {
    try {
      parseExternal(spec);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const chartSchemas = options['chart-schemas'] === undefined ? undefined : resolve(io.cwd, options['chart-schemas']);
  if (chartSchemas !== undefined && !existsSync(chartSchemas)) throw new UsageError(`--chart-schemas: no such directory: ${chartSchemas}`);
  const render = options.render ? renderWith(io, options as OptionValues) : undefined;
  let report;
  try {
    report = await checkTree(dir, {
      external,
      repoURLs: options['repo-url'] ?? [],
      models: CHECK_MODELS,
      ...(chartSchemas ? { chartSchemas } : {}),
      ...(io.importModule ? { importModule: io.importModule } : {}),
      ...(render ? { render } : {}),
    });
  } catch (error) {
    if (error instanceof CheckConfigError) {
      io.err(`✖ ${error.message}`);
      return EXIT_INVALID;
    }
    throw error;
  }
  if (format === 'json') {
    io.out(formatJson(report));
  } else {
    const lines = formatText(report);
    lines[lines.length - 1] += ` in ${seconds(io, start)}`;
    for (const line of lines) io.out(line);
  }
  return countBySeverity(report).error > 0 ? EXIT_INVALID : EXIT_OK;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'Will this tree sync? Check an ArgoCD repository (ours or any) for what would break',
  help: `homelab check: will this ArgoCD tree sync?

Usage: homelab check [DIR] [--format text|json] [--external Kind/ns/name ...] [--chart-schemas DIR]
                     [--render [--charts DIR] [--kube-version V] [--api-versions GV ...] [--helm PATH]]

DIR is the root of the repository ArgoCD reads (default: the directory holding homelab.yaml,
else the current directory). Every YAML/JSON manifest in it is loaded and Applications are
resolved the way ArgoCD does, from the root Applications (those no other Application includes):
directory sources (recurse, include/exclude globs), Helm charts (from a repository: known, not
rendered; from git: templates opaque, values files read), multi-source $values, Kustomize, and
config-management plugins (e.g. SOPS). Reported, grouped by check:

  reachability   files with Kubernetes objects no root reaches; paths an Application names that
                 do not exist; SOPS files no plugin decrypts
  render         (with --render) charts helm fails to fetch or render, as ArgoCD would
  schema         objects failing their @kubernetes-models schema (or the one this project
                 has for ${Object.keys(CHECK_MODELS).join(', ')}); other kinds: info
  references     Secrets, ConfigMaps, PVCs, StorageClasses, Services, Gateways, issuers,
                 ServiceAccounts, Namespaces that nothing creates; Service ports and Secret/
                 ConfigMap keys they lack; ServiceMonitor and CiliumNetworkPolicy selectors
                 matching nothing
  projects       sources, destinations and kinds an Application's AppProject does not permit
  ordering       custom resources not after their CRDs; Secrets after their pods; sync waves
                 without the Application health check
  pod-security   pods their namespace's enforce level rejects
  chart-values   Helm values the pinned chart does not know (with --chart-schemas)
  runtime        what syncs but fails once it runs: Kubernetes API clients and tailnet subnet
                 routers a CiliumNetworkPolicy keeps from kube-apiserver or the nodes; Secret
                 keys chart values read that the Secret lacks; metrics a Prometheus never
                 scrapes (unscraped: in ${CHECK_CONFIG_FILE} opts an Application out);
                 Prometheus' or Alertmanager's volume on NFS (warning); Proxmox VMs whose
                 guest agent or ISO disagrees with talconfig.yaml

Each line: <severity> <file> <Kind/ns/name>: <problem>. <hint>

Options:
      --format FORMAT       text (default) or json
      --external OBJECT     An object that exists outside the tree: Kind/namespace/name or
                            Kind/name (globs allowed); repeatable
      --chart-schemas DIR   Chart oracles: DIR/<chart>[/<version>]/values.yaml (+ values.schema.json)
      --repo-url URL        A repository URL meaning DIR (default: inferred from the sources
                            whose paths exist in DIR); repeatable
      --render              Render every chart with the real helm first (as 'homelab render'
                            does) and check what it renders like the tree's own objects:
                            schemas, references (resolved against the rendered objects), Pod
                            Security; chartObjects: in ${CHECK_CONFIG_FILE} are verified. Without
                            helm: one line says it was skipped and how to get helm
${RENDER_OPTIONS_HELP}
  -h, --help                Show this help

${CHECK_CONFIG_FILE} in DIR (optional) declares what the tree cannot tell:
  external: [Secret/cert-manager/cloudflare-api-token, StorageClass/local-path]
  secretKeys: { cert-manager/cloudflare-api-token: [api-token] }   # keys of Secrets not in the tree
  unscraped: [argocd/argocd]              # Applications whose metrics are unscraped on purpose
  chartObjects: [Service/media/plex]      # created by the tree's charts: verified with --render
  roots: [clusters/bootstrap.yaml]        # files applied by hand (their Applications are roots)
  ignore: ['docs/**']                     # paths not checked
  repoURLs: [https://github.com/me/homelab.git]
  chartValues: { cilium: { allow: [l2announcements.leaseDuration], subcharts: [] } }
  podSecurity: { defaultEnforce: baseline }   # level of namespaces without a label

Exit codes: 0 no error (warnings and info allowed), 1 an error finding, 2 usage error.`,
  options: {
    format: { type: 'string' },
    external: { type: 'string', multiple: true },
    'chart-schemas': { type: 'string' },
    'repo-url': { type: 'string', multiple: true },
    render: { type: 'boolean' },
    ...RENDER_OPTIONS,
  },
  maxPositionals: 1,
  run: (io, options, positionals) => check(io, options as CheckCommandOptions, positionals),
};

/**
 * `homelab bootstrap`: the Day-0 runbook of @homelab/bootstrap for this homelab. Prints the plan
 * and checks what can be checked locally; `--run` runs it, skipping what is done, resumable.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  BootstrapFactError,
  bootstrapFacts,
  bootstrapPlan,
  planLines,
  processEnvironment,
  runnableSteps,
  runPlan,
  toolRequirements,
  versionCommand,
  versionMismatch,
  type BootstrapFacts,
  type BootstrapPlan,
  type CiliumInstall,
  type RunEnvironment,
} from '@homelab/bootstrap';
import { identitiesFromKeyFile, recipientsOfIdentities } from '@homelab/sops';
import { CONFIG_OPTION, CONFIG_OPTION_HELP, EXIT_INVALID, EXIT_OK, reportProblems, UsageError, type Command, type Io } from '../command.js';
import { composeHomelab, planWrite, renderHomelab } from '@homelab/generator';
import { defaultArtifacts } from '../modules.js';
import { loadHomelab } from '../user-modules.js';
import { declaredSecrets, defaultAgeKeyFile, describeFinding, readIfExists, secretFindings } from '@homelab/secrets';

interface BootstrapOptions {
  config?: string;
  run?: boolean;
  from?: string;
  cilium?: string;
  terraform?: string;
  identity?: string;
}

const CILIUM_INSTALLS: readonly CiliumInstall[] = ['helm', 'inline'];
const TERRAFORM_TOOLS = ['tofu', 'terraform'] as const;

/** One local check: ok, a warning (the run may still work), or a problem that stops `--run`. */
interface Check {
  level: 'ok' | 'warning' | 'problem' | 'info';
  text: string;
}

const MARK: Record<Check['level'], string> = { ok: '✔', warning: '⚠', problem: '✖', info: '·' };

/** Whether `tool` is an executable in one of PATH's directories. */
function onPath(env: Io['env'], tool: string): boolean {
  return (env?.['PATH'] ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, tool)));
}

/** The age key file the sops-age Secret is made from, found as sops finds it (a key in SOPS_AGE_KEY is no file). */
function ageKeyFile(io: Io, option: string | undefined): string {
  const env = io.env ?? {};
  if (option !== undefined) return resolve(io.cwd, option);
  return env['SOPS_AGE_KEY_FILE'] || defaultAgeKeyFile(env);
}

async function ageKeyCheck(path: string, recipients: readonly string[]): Promise<Check> {
  const text = readIfExists(path);
  if (text === undefined) return { level: 'problem', text: `age key: ${path} does not exist. Pass --identity FILE (an age-keygen key file) or set SOPS_AGE_KEY_FILE.` };
  try {
    const own = await recipientsOfIdentities(identitiesFromKeyFile(text));
    const matching = own.filter((recipient) => recipients.includes(recipient));
    if (matching.length > 0) return { level: 'ok', text: `age key ${path} is the identity of ${matching.join(', ')} (secrets.ageRecipients)` };
    return { level: 'problem', text: `age key ${path} is for ${own.join(', ')}, none of secrets.ageRecipients (${recipients.join(', ')}). ArgoCD could decrypt nothing: use the key of a recipient.` };
  } catch (error) {
    return { level: 'problem', text: `age key ${path}: ${(error as Error).message}` };
  }
}

function toolChecks(plan: BootstrapPlan, runEnv: RunEnvironment): Check[] {
  return toolRequirements(plan).map((requirement) => {
    const result = runEnv.exec(versionCommand(requirement), { cwd: runEnv.root, env: {}, capture: true });
    if (result.status === 127) return { level: 'problem', text: `${requirement.tool} is not on PATH. Install it: ${requirement.install}` };
    const output = `${result.stdout}\n${result.stderr}`.trim();
    const mismatch = versionMismatch(requirement, output);
    const shown = requirement.versionArgv ? output.split('\n').find((line) => /v?\d+\.\d+/.test(line))?.trim() : undefined;
    return mismatch
      ? { level: 'warning', text: `${requirement.tool} ${mismatch}` }
      : { level: 'ok', text: `${requirement.tool}${shown ? ` (${shown})` : ''}` };
  });
}

function fileChecks(root: string, facts: BootstrapFacts, plan: BootstrapPlan): Check[] {
  const producedBy = (path: string) => plan.steps.find((step) => step.commands.some((command) => command.probe && 'files' in command.probe && command.probe.files.includes(path)))?.id;
  return [facts.talosconfigPath, facts.kubeconfigPath].map((path) =>
    existsSync(join(root, path)) ? { level: 'ok', text: `${path} present` } : { level: 'info', text: `${path} absent: step ${producedBy(path)} creates it` },
  );
}

function secretChecks(root: string, components: Parameters<typeof declaredSecrets>[0], facts: BootstrapFacts): Check[] {
  const secrets = declaredSecrets(components, facts.git).filter((secret) => !secret.bootstrap);
  const unset = secrets.flatMap((secret) => {
    const findings = secretFindings(secret, readIfExists(join(root, secret.path)), facts.ageRecipients);
    return findings.length > 0 ? [`${secret.id} (${secret.path}): ${findings.map(describeFinding).join('; ')}`] : [];
  });
  if (unset.length === 0) return [{ level: 'ok', text: `all ${secrets.length} declared secrets are set and encrypted for secrets.ageRecipients` }];
  return [
    {
      level: 'problem',
      text: `${unset.length} of ${secrets.length} declared secrets are not in order (ArgoCD would sync Applications without them):\n    ${unset.join('\n    ')}\n    Fix with homelab secrets init (creates the generated values, asks for the external ones; or secrets set <namespace>/<name>, rotate --all), commit and push.`,
    },
  ];
}

async function bootstrap(io: Io, options: BootstrapOptions): Promise<number> {
  if (options.from !== undefined && !options.run) throw new UsageError('--from STEP resumes a run: use it with --run');
  const cilium = (options.cilium ?? 'helm') as CiliumInstall;
  if (!CILIUM_INSTALLS.includes(cilium)) throw new UsageError(`--cilium must be ${CILIUM_INSTALLS.join(' or ')} (got '${options.cilium}')`);
  if (options.terraform !== undefined && !(TERRAFORM_TOOLS as readonly string[]).includes(options.terraform)) {
    throw new UsageError(`--terraform must be ${TERRAFORM_TOOLS.join(' or ')} (got '${options.terraform}')`);
  }
  const loaded = await loadHomelab(io, options.config);
  if (!loaded) return EXIT_INVALID;
  const { modules } = loaded;
  const composed = composeHomelab(loaded.config, modules);
  const rendered = renderHomelab(loaded.config, modules, { artifacts: defaultArtifacts });
  if (!composed.ok || !rendered.ok) {
    const failed = !composed.ok ? composed : (rendered as Extract<typeof rendered, { ok: false }>);
    reportProblems(io, loaded.display, failed.configProblems, failed.outputProblems);
    return EXIT_INVALID;
  }
  let facts: BootstrapFacts;
  try {
    facts = bootstrapFacts(loaded.config, composed.components);
  } catch (error) {
    if (!(error instanceof BootstrapFactError)) throw error;
    io.err(`✖ ${error.message}`);
    return EXIT_INVALID;
  }
  const root = dirname(loaded.path);
  const terraform = (options.terraform as (typeof TERRAFORM_TOOLS)[number] | undefined) ?? TERRAFORM_TOOLS.find((tool) => onPath(io.env, tool)) ?? TERRAFORM_TOOLS[0];
  const keyFile = ageKeyFile(io, options.identity);
  const plan = bootstrapPlan(facts, { cilium, terraform, ageKeyFile: keyFile });
  if (options.from !== undefined && !runnableSteps(plan).some((step) => step.id === options.from)) {
    throw new UsageError(`no bootstrap step '${options.from}'. Steps: ${runnableSteps(plan).map((step) => step.id).join(', ')}`);
  }
  const runEnv = processEnvironment(root, io.out, io.err, io.env ?? {});

  const stale = planWrite(root, rendered.files).entries.filter((entry) => entry.status !== 'unchanged');
  const checks: Check[] = [
    stale.length === 0
      ? { level: 'ok', text: `the generated tree in ${relative(io.cwd, root) || '.'} is up to date` }
      : { level: 'problem', text: `the generated tree is stale (${stale.map((entry) => entry.path).join(', ')}): the commands would install old files. Run homelab generate, commit and push.` },
    ...toolChecks(plan, runEnv),
    ...fileChecks(root, facts, plan),
    await ageKeyCheck(keyFile, facts.ageRecipients),
    ...secretChecks(root, composed.components, facts),
  ];
  const problems = checks.filter((check) => check.level === 'problem').length;

  if (!options.run) {
    io.out(`Bootstrap plan for ${loaded.display} (Cilium: ${cilium === 'helm' ? 'helm install after Talos' : 'Talos inline manifest'}):`);
    io.out('');
    for (const line of planLines(plan)) io.out(line);
  }
  io.out('Preconditions:');
  for (const check of checks) io.out(`  ${MARK[check.level]} ${check.text}`);
  if (problems > 0) {
    io.err(`✖ ${problems} precondition${problems === 1 ? '' : 's'} not met${options.run ? ': nothing was run' : ''}.`);
    return EXIT_INVALID;
  }
  if (!options.run) {
    io.out('✔ ready: homelab bootstrap --run runs these steps (a step already done is skipped).');
    return EXIT_OK;
  }
  const result = runPlan(plan, runEnv, options.from !== undefined ? { from: options.from } : {});
  if (!result.ok) return EXIT_INVALID;
  io.out(`✔ bootstrap done: ${result.ran.length} step${result.ran.length === 1 ? '' : 's'} run, ${result.skipped.length} already done.`);
  return EXIT_OK;
}

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary: 'Day 0: print (or --run) the steps from bare Proxmox to a synced root Application',
  help: `homelab bootstrap: the Day-0 runbook, from bare Proxmox to a synced root Application

Usage: homelab bootstrap [--config FILE] [--run [--from STEP]] [--cilium helm|inline]
                         [--terraform tofu|terraform] [--identity FILE]

Prints every command, in order, with why, then checks what it can locally: the generated
tree is up to date, the tools are on PATH (and their versions fit), talosconfig/kubeconfig,
the age key is the identity of one of secrets.ageRecipients, every declared secret is set.
Every version, name and path in the commands comes from homelab.yaml and the generated tree:
Cilium and ArgoCD are installed with the release names, namespaces, chart versions and values
files of their Applications, so ArgoCD adopts them without a diff. The same steps are
kubernetes/bootstrap/argocd/README.md.

Steps: infrastructure (with a proxmox section), talos-secrets, talos-config, [cilium-manifest],
talos-apply, talos-bootstrap, kubeconfig, gateway-api-crds, [cilium], argocd-namespace,
sops-age-secret, argocd, root; then first-admin, by hand.

Options:
${CONFIG_OPTION_HELP}
      --run            Run the steps from the repository root, with TALOSCONFIG and KUBECONFIG
                       set to talos/clusterconfig/. A read-only probe per command skips what is
                       done already; the first failure stops the run and says what to do
      --from STEP      With --run: start at STEP (resume after fixing a failure)
      --cilium MODE    helm (default): helm upgrade --install after Talos is up; ArgoCD then is
                       the only thing that ever changes Cilium. inline: the control planes' machine
                       config carries the rendered chart as a Talos inline manifest, so the cluster
                       boots with its network (but talosctl upgrade-k8s re-applies that copy)
      --terraform TOOL tofu or terraform (default: the first on PATH, in that order)
      --identity FILE  age key file for the sops-age Secret (default: SOPS_AGE_KEY_FILE, else
                       ~/.config/sops/age/keys.txt)
  -h, --help           Show this help

Exit codes: 0 ready (or run to the end), 1 a precondition not met or a step failed, 2 usage.`,
  options: {
    ...CONFIG_OPTION,
    run: { type: 'boolean' },
    from: { type: 'string' },
    cilium: { type: 'string' },
    terraform: { type: 'string' },
    identity: { type: 'string' },
  },
  run: (io, options) => bootstrap(io, options as BootstrapOptions),
};

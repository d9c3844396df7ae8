/** The runbook as text: shell lines for the terminal and the bootstrap README, both from the one step list. */
import { generatedMarkdownHeader } from '@homelab/core';
import type { BootstrapCommand, BootstrapPlan, BootstrapStep } from './steps.js';

/** `$HOME`-style references stay unquoted so a shell expands them (the README's default key path). */
const SHELL_SAFE = /^[-\w@%+=:,./$]+$/;

/** One argument as a POSIX shell reads it back. */
export function shellQuote(arg: string): string {
  return SHELL_SAFE.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The command as one shell line (output redirected when it writes a file as it is). */
export function shellLine(command: BootstrapCommand): string {
  const line = command.argv.map(shellQuote).join(' ');
  if (!command.stdoutTo) return line;
  return command.stdoutTo.talosPatch ? `${line}  # → ${command.stdoutTo.path} (as a Talos inlineManifests patch)` : `${line} > ${shellQuote(command.stdoutTo.path)}`;
}

/** `export TALOSCONFIG=… KUBECONFIG=…`: the first line of every session that runs the steps by hand. */
export function envLine(plan: BootstrapPlan): string {
  return `export ${Object.entries(plan.env)
    .map(([name, value]) => `${name}=${shellQuote(value)}`)
    .join(' ')}`;
}

/** The plan for the terminal: every step, why, and its commands, numbered. */
export function planLines(plan: BootstrapPlan): string[] {
  const lines = [`Run from the repository root, with:`, `  ${envLine(plan)}`, ''];
  plan.steps.forEach((step, index) => {
    lines.push(`${index + 1}. ${step.id}: ${step.title}${step.manual ? ' (by hand)' : ''}`);
    lines.push(`   ${step.why}`);
    for (const command of step.commands) lines.push(`   $ ${shellLine(command)}`);
    lines.push('');
  });
  return lines;
}

/** A step's commands as one sh block. */
const fence = (step: BootstrapStep) => `\`\`\`sh\n${step.commands.map(shellLine).join('\n')}\n\`\`\``;

/** The bootstrap README: the same steps, as exact commands in order, from the repository root. */
export function bootstrapReadme(plan: BootstrapPlan, source: string): string {
  const steps = plan.steps
    .map((step, index) => `## ${index + 1}. ${step.title} (\`${step.id}\`)\n\n${step.why}\n\n${fence(step)}\n${step.onFailure ? `\nIf it fails: ${step.onFailure}\n` : ''}`)
    .join('\n');
  return `${generatedMarkdownHeader(source)}
# Bootstrap: from bare Proxmox to a synced root Application

\`homelab bootstrap\` prints these steps and checks what it can locally (tools, age key, secrets,
an up-to-date tree); \`homelab bootstrap --run\` runs them in order, skips each command whose
read-only probe says it is done, stops at the first failure with what to do, and resumes with
\`--from STEP\`. By hand, run every command from the root of this repository after:

\`\`\`sh
${envLine(plan)}
\`\`\`

Everything installed before step \`root\` is installed exactly as ArgoCD will render it (same
release names, namespaces, chart versions and values files), so ArgoCD adopts it without a diff.
After that, never run \`helm upgrade\` by hand: change homelab.yaml, run \`homelab generate\`,
commit and push.

${steps}`;
}

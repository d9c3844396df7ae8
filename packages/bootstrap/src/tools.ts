/** The command-line tools a plan runs, how to ask each its version, and which version fits the cluster. */
import { KUBERNETES_VERSION, TALOS_VERSION } from '@homelab/talos';
import type { BootstrapPlan } from './steps.js';

export interface ToolRequirement {
  tool: string;
  /** Prints the version without contacting anything; absent for a tool without a version command (`--help` proves it runs). */
  versionArgv?: string[];
  /** What the version should be, and why (a mismatch is a warning: the tool may still work). */
  expected?: { version: string; match: 'release' | 'minor-skew'; why: string };
  install: string;
}

const REQUIREMENTS: Record<string, Omit<ToolRequirement, 'tool'>> = {
  tofu: { versionArgv: ['version'], install: 'https://opentofu.org/docs/intro/install/' },
  terraform: { versionArgv: ['version'], install: 'https://developer.hashicorp.com/terraform/install' },
  // A go-installed talhelper has no version command.
  talhelper: { install: 'go install github.com/budimanjojo/talhelper/v3@latest (or https://budimanjojo.github.io/talhelper/latest/installation/)' },
  sops: { versionArgv: ['--version', '--disable-version-check'], install: 'go install github.com/getsops/sops/v3/cmd/sops@latest (or https://github.com/getsops/sops/releases)' },
  talosctl: {
    versionArgv: ['version', '--client', '--short'],
    expected: { version: TALOS_VERSION, match: 'release', why: 'the Talos release the nodes install' },
    install: `curl -sL https://talos.dev/install | sh (or https://github.com/siderolabs/talos/releases/tag/${TALOS_VERSION})`,
  },
  kubectl: {
    versionArgv: ['version', '--client'],
    expected: { version: KUBERNETES_VERSION, match: 'minor-skew', why: 'kubectl supports one minor release either side of the API server' },
    install: 'https://kubernetes.io/docs/tasks/tools/',
  },
  helm: { versionArgv: ['version', '--short'], install: 'https://helm.sh/docs/intro/install/' },
};

/** The command that shows the tool runs (and its version, when it has one). */
export const versionCommand = (requirement: ToolRequirement): string[] => [requirement.tool, ...(requirement.versionArgv ?? ['--help'])];

/** Every tool the plan's commands start, in order of first use. */
export function toolRequirements(plan: BootstrapPlan): ToolRequirement[] {
  const tools = [...new Set(plan.steps.flatMap((step) => step.commands.map((command) => command.argv[0]!)))];
  return tools.map((tool) => ({ tool, ...(REQUIREMENTS[tool] ?? { versionArgv: ['--version'], install: `install ${tool}` }) }));
}

const minorOf = (version: string) => /v?(\d+)\.(\d+)/.exec(version);

/** Undefined when `output` (the tool's version output) fits; otherwise what does not fit. */
export function versionMismatch(requirement: ToolRequirement, output: string): string | undefined {
  const expected = requirement.expected;
  if (!expected) return undefined;
  if (expected.match === 'release') {
    return output.includes(expected.version) ? undefined : `expected ${expected.version} (${expected.why})`;
  }
  const want = minorOf(expected.version);
  const have = minorOf(output);
  if (!want || !have) return `cannot read its version; expected ${expected.version} (${expected.why})`;
  const skew = Math.abs(Number(have[2]) - Number(want[2]));
  return have[1] === want[1] && skew <= 1 ? undefined : `is v${have[1]}.${have[2]}, expected within one minor release of ${expected.version} (${expected.why})`;
}

export { bootstrapArtifact, buildBootstrap, BOOTSTRAP_ARTIFACT, DEFAULT_AGE_KEY_FILE } from './artifact.js';
export { BootstrapFactError, bootstrapFacts, helmRelease, machineConfigPath, type BootstrapFacts, type BootstrapNode, type HelmRelease } from './facts.js';
export { processEnvironment, runnableSteps, runPlan, type ExecResult, type RunEnvironment, type RunOptions, type RunResult } from './run.js';
export {
  bootstrapPlan,
  CILIUM_INLINE_PATCH,
  gatewayApiInstallUrl,
  talosManifestsPatch,
  type BootstrapCommand,
  type BootstrapPlan,
  type BootstrapStep,
  type CiliumInstall,
  type PlanOptions,
  type Probe,
  type TalosManifestsPatch,
} from './steps.js';
export { bootstrapReadme, envLine, planLines, shellLine, shellQuote } from './text.js';
export { toolRequirements, versionCommand, versionMismatch, type ToolRequirement } from './tools.js';

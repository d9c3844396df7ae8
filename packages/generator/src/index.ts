export { GENERATOR_ARTIFACTS } from './artifacts.js';
export {
  CHECK_CONFIG_PATH,
  chartValueEntries,
  checkConfigArtifact,
  checkConfigFile,
  type CheckConfigEntry,
} from './check-config.js';
export { composeComponents, type Composition, type HomelabModule } from './compose.js';
export { OVERVIEW_PATH, overviewArtifact, overviewMarkdown } from './overview.js';
export { EXPOSURE_PROVIDERS, SSO_PROVIDER_MODULE, type Provider } from './providers.js';
export { composeHomelab, HOMELAB_DERIVATIONS, renderHomelab, SCHEMA_PATH, type ComposeResult, type RenderOptions, type RenderResult } from './render.js';
export { SOPS_CONFIG_PATH, sopsConfigArtifact, sopsConfigFile } from './sops-config.js';
export {
  assertOutputRoot,
  MANIFEST_PATH,
  OutputError,
  planWrite,
  readRenderedTree,
  stagedPath,
  writeTree,
  WriteConflictError,
  type FileStatus,
  type WritePlan,
  type WriteResult,
} from './writer.js';

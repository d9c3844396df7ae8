export { imageFactorySchematicId, isOfficialExtensionName } from './image-factory.js';
export { append, merge, mergeAll, replace, isPlainObject, type MergeOperator, type Patch } from './merge.js';
export {
  COMPONENT_GROUPS,
  INSTANCE_LABEL,
  SSO_GROUPS,
  SSO_OIDC_CLIENTS,
  SSO_PROVIDER,
  podSelector,
  serviceMonitorsWanted,
  type Access,
  type Component,
  type ComponentModule,
  type ArtifactModule,
  type BuildContext,
  type ModuleCapabilities,
  type ComponentGroup,
  type Exposure,
  type GitSource,
  type PodSecurityLevel,
  type HelmChart,
  type KubeObject,
  type LabelSelector,
  type NetworkDeclaration,
  type PortDeclaration,
  type SecretDeclaration,
  type SecretFormat,
  type SecretGenerator,
  type SecretValue,
  secretValueOf,
  type SsoMode,
  DERIVATION_STAGES,
  type Derivation,
  type DerivationStage,
  type DeriveContext,
} from './component.js';
export { GENERATOR, generatedHeader, generatedMarkdownHeader, hasGeneratedHeader, objectData, renderObjectFile, renderYamlFile, toYaml, type GeneratedFile } from './render.js';
export {
  APP_OF_APPS_DIR,
  DEFAULT_ARGOCD_NAMESPACE,
  appProjectPath,
  componentApplication,
  componentPaths,
  groupApplication,
  treeProjects,
  renderComponents,
  rootApplication,
  type GitOpsTarget,
} from './tree.js';
export { ConfigMistake, type ConfigMistakeProblem } from './config-mistake.js';
export { describeObject, validateObjects, type OutputProblem } from './validate.js';
export { PREEXISTING_NAMESPACES, namespaceLevels, namespacesComponent } from './namespaces.js';
export {
  APP_OF_APPS_PROJECT,
  CLUSTER_SCOPED_KINDS,
  IN_CLUSTER,
  appOfAppsProject,
  appProjects,
  groupProject,
  parseClusterResource,
  projectOf,
  projectScopes,
  type ClusterResource,
  type ProjectScope,
  type ProjectTarget,
} from './projects.js';
export { locateExecutable } from './executable.js';

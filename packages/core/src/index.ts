export { append, merge, mergeAll, replace, isPlainObject, type MergeOperator, type Patch } from './merge.js';
export {
  COMPONENT_GROUPS,
  type Access,
  type Component,
  type ComponentModule,
  type ArtifactModule,
  type BuildContext,
  type ComponentGroup,
  type Exposure,
  type GitSource,
  type PodSecurityLevel,
  type HelmChart,
  type KubeObject,
  type SecretDeclaration,
  type SsoMode,
} from './component.js';
export { GENERATOR, generatedHeader, hasGeneratedHeader, objectData, renderYamlFile, toYaml, type GeneratedFile } from './render.js';
export {
  APP_OF_APPS_DIR,
  DEFAULT_ARGOCD_NAMESPACE,
  allObjects,
  componentApplication,
  componentPaths,
  groupApplication,
  renderComponents,
  rootApplication,
  type GitOpsTarget,
} from './tree.js';
export { describeObject, validateObjects, type OutputProblem } from './validate.js';
export { namespaceLevels, namespacesComponent } from './namespaces.js';

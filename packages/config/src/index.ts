// Types only: the TypeBox source stays out of the runtime (see scripts/codegen.ts).
export type {
  AppConfig,
  ComponentConfig,
  HomelabConfigInput,
  NodeConfig,
  StatefulVolume,
  VolumePlacement,
} from './schema.js';
export { ConfigError, formatProblem, joinPath, type ConfigProblem } from './errors.js';
export { CONFIG_JSON_SCHEMA, STATEFUL_VOLUME_NAMES, checkShape, suggest } from './shape.js';
export { checkSemantics, qualifyHost } from './semantic.js';
export { resolveConfig, type ResolvedConfig, type ResolvedNode } from './resolve.js';
export { loadConfigFile, parseConfigText, readConfigFile, validateConfig, type ConfigResult } from './load.js';
export {
  CONFIG_YAML_LIMITS,
  decodeUtf8,
  firstInvalidUtf8Byte,
  parseYamlBounded,
  sizeProblem,
  type YamlLimits,
  type YamlProblem,
  type YamlResult,
} from './yaml.js';
export { contains, formatIpv4, isIpv4, parseCidr, parseIpv4, type Ipv4Range } from './ip.js';

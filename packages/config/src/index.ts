export {
  HomelabConfigSchema,
  configJsonSchema,
  type AppConfig,
  type ComponentConfig,
  type HomelabConfigInput,
  type NodeConfig,
} from './schema.js';
export { ConfigError, formatProblem, joinPath, type ConfigProblem } from './errors.js';
export { checkShape, suggest } from './shape.js';
export { checkSemantics, qualifyHost } from './semantic.js';
export { resolveConfig, type ResolvedConfig, type ResolvedNode } from './resolve.js';
export { loadConfigFile, parseConfigText, validateConfig, type ConfigResult } from './load.js';
export { contains, formatIpv4, isIpv4, parseCidr, parseIpv4, type Ipv4Range } from './ip.js';

export { checkFiles, checkTree, type CheckFilesOptions, type CheckOptions, type CheckReport, type CheckTreeOptions } from './check.js';
export { CHECKS, formatFinding, SEVERITIES, type CheckName, type Finding, type Severity } from './finding.js';
export { countBySeverity, formatJson, formatText } from './format.js';
export { CheckConfigError, parseExternal, type CheckSettings, type ExternalObject, type PodSecurityLevel } from './config.js';
export { globMatch } from './glob.js';
export type { ImportModule } from './import-module.js';
export type { ModelClass, Models } from './schema.js';
export { CONFIG_FILE } from './defaults.js';
export { chartOracle, checkChartValues, unknownValueKeys, valuePath, type ChartCheckOptions, type ChartOracle } from './chart-values.js';

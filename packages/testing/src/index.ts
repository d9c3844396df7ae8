export { chartSchemaDir, sharedDir, workspaceRoot } from './shared.js';
export { checkChartValues, unknownValueKeys, type ChartCheckOptions } from './chart-values.js';
export { appTemplateValidator, type AppTemplateValidator } from './app-template-schema.js';
export { configVariant, seedConfig, seedConfigData, seedConfigPath, seedConfigWithoutApps } from './seed.js';
export { describeLinuxserverApp, type LinuxserverAppFacts } from './linuxserver-app-suite.js';
export { describeCustomLinuxserverApp, type CustomLinuxserverAppFacts } from './custom-linuxserver-app-suite.js';
export { appTemplateObjects, type AppTemplateObjects, type AppTemplateValuesShape } from './app-template-objects.js';
export { packageSources, seedSectionLiterals } from './literals.js';
export { findOracle, locateExecutable, oracleInstallHint, oracleSkipDir, type OracleName } from './oracles.js';

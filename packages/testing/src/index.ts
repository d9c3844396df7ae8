export { chartSchemaDir, sharedDir, workspaceRoot } from './shared.js';
export { checkChartValues, unknownValueKeys, type ChartCheckOptions } from './chart-values.js';

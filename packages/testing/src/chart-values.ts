/**
 * Chart conformance lives in @homelab/check (`homelab check --chart-schemas` uses it at runtime);
 * re-exported here so component tests keep importing it from @homelab/testing.
 */
export { checkChartValues, unknownValueKeys, type ChartCheckOptions } from '@homelab/check';

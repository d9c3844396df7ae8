import { describe, expect, it } from 'vitest';
import { checkChartValues, unknownValueKeys } from './chart-values.js';
import { chartSchemaDir } from './shared.js';

describe('unknownValueKeys', () => {
  const defaults = { image: { tag: '1.0', pullPolicy: 'IfNotPresent' }, podAnnotations: {}, extraArgs: [], tolerations: null };

  it('accepts known paths and anything below free-form defaults', () => {
    expect(unknownValueKeys(defaults, { image: { tag: '2.0' }, podAnnotations: { a: 'b' }, extraArgs: ['--x'], tolerations: [{ key: 'k' }] })).toEqual([]);
  });

  it('reports unknown keys by dotted path, at every depth', () => {
    expect(unknownValueKeys(defaults, { image: { tagg: '2.0' }, replicas: 2 })).toEqual(['image.tagg', 'replicas']);
  });

  it('honours allowed paths and subchart keys', () => {
    expect(unknownValueKeys(defaults, { image: { digest: 'sha256:x' }, grafana: { a: 1 } }, { allow: ['image.digest'], subcharts: ['grafana'] })).toEqual([]);
  });
});

const ciliumDir = chartSchemaDir('cilium');

describe.skipIf(!ciliumDir)('checkChartValues against the real cilium chart', () => {
  it('accepts real keys', () => {
    expect(checkChartValues(ciliumDir!, { kubeProxyReplacement: true, ipam: { mode: 'kubernetes' } })).toEqual([]);
  });

  it('rejects a misspelled key and a wrongly typed value', () => {
    const problems = checkChartValues(ciliumDir!, { kubeProxyReplacment: true, ipam: { mode: 3 } });
    expect(problems).toContain("kubeProxyReplacment: not a key of the chart's values.yaml");
    expect(problems.some((problem) => problem.startsWith('/ipam/mode:'))).toBe(true);
  });
});

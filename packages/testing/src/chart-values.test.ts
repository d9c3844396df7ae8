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

  it('keeps a key holding a dot as one segment, quoted, never as two levels', () => {
    const params = { params: { create: true } };
    expect(unknownValueKeys(params, { params: { 'server.insecure': true } })).toEqual(['params."server.insecure"']);
    expect(unknownValueKeys(params, { params: { 'server.insecure': true } }, { allow: ['params."server.insecure"'] })).toEqual([]);
    // The flattened spelling names another path (params.server.insecure) and allows nothing here.
    expect(unknownValueKeys(params, { params: { 'server.insecure': true } }, { allow: ['params.server.insecure'] })).toEqual(['params."server.insecure"']);
  });

  it('accepts any key below a map whose defaults hold literal dotted keys (data written verbatim, like argocd-cm)', () => {
    const cm = { cm: { create: true, 'timeout.reconciliation': '180s' }, server: { insecure: false } };
    expect(unknownValueKeys(cm, { cm: { 'oidc.config': 'x', url: 'https://a' } })).toEqual([]);
    expect(unknownValueKeys(cm, { server: { 'insecure.mode': true } })).toEqual(['server."insecure.mode"']);
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

// unknownValueKeys/checkChartValues keep their contract tests in @homelab/testing (which re-exports
// them for the component packages); these tests cover what `homelab check` adds: the cached
// oracle, coalescing with the chart's defaults, empty values.yaml, wrapper charts.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartOracle, checkChartValues } from './chart-values.js';
import { chartSchemasDir, removeTrees, writeTree } from './test-support/fixtures.js';

afterAll(removeTrees);

const schemas = chartSchemasDir();

describe('chartOracle', () => {
  it('reads a chart stored as files: defaults, and structured schema problems', () => {
    const dir = writeTree({
      'values.yaml': 'replicas: 1\nimage: { tag: "1.0" }\n',
      'values.schema.json': JSON.stringify({ type: 'object', properties: { replicas: { type: 'integer' } }, required: ['replicas'], additionalProperties: false }),
    });
    const oracle = chartOracle(dir);
    expect(oracle.defaults).toEqual({ replicas: 1, image: { tag: '1.0' } });
    expect(oracle.chartDefaults).toBe(oracle.defaults);
    expect(oracle.schemaProblems({ replicas: 'two', extra: true })).toEqual([
      { instancePath: '/', message: 'must NOT have additional properties', property: 'extra' },
      { instancePath: '/replicas', message: 'must be integer' },
    ]);
    expect(oracle.schemaProblems({ replicas: 2 })).toEqual([]);
    expect(chartOracle(dir)).toBe(oracle);
    expect(checkChartValues(dir, { replicas: 'two' })).toEqual(['/replicas: must be integer (values.schema.json)']);
  });

  it('reads an empty values.yaml as no defaults', () => {
    const oracle = chartOracle(writeTree({ 'values.yaml': '# nothing here\n' }));
    expect(oracle.defaults).toEqual({});
    expect(oracle.hasSchema).toBe(false);
  });

  it.skipIf(!schemas)("resolves a wrapper chart's $ref schema to its library (app-template → bjw-s common)", () => {
    const oracle = chartOracle(join(schemas!, 'app-template'), { libraryDir: join(schemas!, 'bjw-s-common') });
    expect(oracle.chartDefaults).toEqual({});
    expect(Object.keys(oracle.defaults as object)).toContain('controllers');
    expect(oracle.schemaProblems({ controllers: { main: { containers: { main: { image: { repository: 'x', tag: '1' } } } } } })).toEqual([]);
    expect(oracle.schemaProblems({ controllers: { main: { type: 'nonsense' } } }).length).toBeGreaterThan(0);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CHART_CLUSTER_KINDS, CHART_CRD_GROUPS, CHART_SWITCHES, CRD_KIND } from './defaults.js';
import { chartCreates, helmTruthy, switchedOff, valueAt } from './switches.js';
import { chartSchemasDir } from './test-support/fixtures.js';

describe('chart switches', () => {
  it('reads a dotted path from the last values input that sets it', () => {
    expect(valueAt([{ crds: { enabled: true } }, { crds: { enabled: false } }], 'crds.enabled')).toEqual({ found: true, value: false });
    expect(valueAt([{ crds: { enabled: true } }, { grafana: {} }], 'crds.enabled')).toEqual({ found: true, value: true });
    expect(valueAt([{ crds: null }, {}], 'crds.enabled')).toEqual({ found: false });
  });

  it("follows Helm's truthiness", () => {
    expect([false, 0, '', null, undefined, [], {}].map(helmTruthy)).toEqual([false, false, false, false, false, false, false]);
    expect([true, 1, 'false', [0], { a: 1 }].map(helmTruthy)).toEqual([true, true, true, true, true]);
  });

  it('switches kinds off when no listed value is on; unset values take the default, or count as on when values are incomplete', () => {
    expect(switchedOff('kube-prometheus-stack', [{ crds: { enabled: false } }], true)).toEqual(new Set([CRD_KIND]));
    expect(switchedOff('kube-prometheus-stack', [], true)).toEqual(new Set());
    expect(switchedOff('cert-manager', [], true)).toEqual(new Set([CRD_KIND]));
    expect(switchedOff('cert-manager', [{ installCRDs: true }], true)).toEqual(new Set());
    expect(switchedOff('cert-manager', [], false)).toEqual(new Set());
    expect(switchedOff('unknown-chart', [{ crds: { enabled: false } }], true)).toEqual(new Set());
  });

  it('drops the CRD groups along with the CustomResourceDefinition kind', () => {
    expect(chartCreates('kube-prometheus-stack', [{ crds: { enabled: false } }], true)).toEqual({
      crdGroups: [],
      clusterKinds: CHART_CLUSTER_KINDS['kube-prometheus-stack']!.filter((kind) => kind !== CRD_KIND),
    });
    expect(chartCreates('kube-prometheus-stack', [], true)).toEqual({ crdGroups: CHART_CRD_GROUPS['kube-prometheus-stack'], clusterKinds: CHART_CLUSTER_KINDS['kube-prometheus-stack'] });
  });

  const schemas = chartSchemasDir();
  it.skipIf(!schemas)("agree with the pinned charts' defaults (values.yaml)", () => {
    const checked: string[] = [];
    for (const [chart, rules] of Object.entries(CHART_SWITCHES)) {
      const file = join(schemas!, chart, 'values.yaml');
      if (!existsSync(file)) continue;
      const defaults = load(readFileSync(file, 'utf8'));
      for (const rule of rules) {
        for (const path of rule.values) {
          const { found, value } = valueAt([defaults], path);
          expect({ chart, path, found, on: helmTruthy(value) }).toEqual({ chart, path, found: true, on: rule.default });
          checked.push(`${chart} ${path}`);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(5);
  });
});

/**
 * What a chart from a Helm repository creates, given its values: the CRD groups (CHART_CRD_GROUPS)
 * and cluster-scoped kinds (CHART_CLUSTER_KINDS) it is known for, less what its values switch off
 * (CHART_SWITCHES, e.g. kube-prometheus-stack's `crds.enabled: false` when another release installs
 * the CRDs). Values are read in Helm's order, the last input setting a path winning.
 */
import { CHART_CLUSTER_KINDS, CHART_CRD_GROUPS, CHART_SWITCHES, CRD_KIND } from './defaults.js';
import { isMap } from './tree.js';

/** The value at a dotted path in the last input that sets it; `found: false` when none does. */
export function valueAt(inputs: readonly unknown[], path: string): { found: boolean; value?: unknown } {
  const keys = path.split('.');
  for (let index = inputs.length - 1; index >= 0; index--) {
    let current: unknown = inputs[index];
    let found = true;
    for (const key of keys) {
      if (!isMap(current) || !(key in current)) {
        found = false;
        break;
      }
      current = current[key];
    }
    if (found) return { found: true, value: current };
  }
  return { found: false };
}

/** Helm's truthiness (`{{ if }}`): false, 0, '', null and empty collections are false. */
export function helmTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** The `group/Kind`s a chart's values switch off. `complete`: every values input could be read (else an unset path counts as on). */
export function switchedOff(chart: string, inputs: readonly unknown[], complete: boolean): Set<string> {
  const off = new Set<string>();
  for (const rule of CHART_SWITCHES[chart] ?? []) {
    const on = rule.values.some((path) => {
      const { found, value } = valueAt(inputs, path);
      if (found) return helmTruthy(value);
      return complete ? rule.default : true;
    });
    if (!on) for (const kind of rule.kinds) off.add(kind);
  }
  return off;
}

/** CRD groups and cluster-scoped kinds a chart (by name) creates with these values. */
export function chartCreates(chart: string, inputs: readonly unknown[], complete: boolean): { crdGroups: string[]; clusterKinds: string[] } {
  const off = switchedOff(chart, inputs, complete);
  return {
    crdGroups: off.has(CRD_KIND) ? [] : [...(CHART_CRD_GROUPS[chart] ?? [])],
    clusterKinds: (CHART_CLUSTER_KINDS[chart] ?? []).filter((kind) => !off.has(kind)),
  };
}

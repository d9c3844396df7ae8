/**
 * Label selectors that must select something that exists: a ServiceMonitor's Services (and the
 * named endpoint ports on them), a CiliumNetworkPolicy's pods. Only decided where every object is
 * observed: in namespaces no unrendered chart deploys into (with `render`, every chart is seen).
 * A selector matching nothing still syncs — the policy or the scrape does nothing — so: warning.
 */
import { describePlaced, type Placed, type Resolution } from './argocd.js';
import type { Finding } from './finding.js';
import { podSpecOf } from './refs.js';
import { isMap } from './tree.js';

interface Selector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: string; values: string[] }[];
}

const get = (value: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((current, key) => (isMap(current) ? current[key] : undefined), value);

function selectorOf(value: unknown, dropKey: (key: string) => string | undefined = (key) => key): Selector | undefined {
  if (!isMap(value)) return undefined;
  const matchLabels: Record<string, string> = {};
  if (isMap(value['matchLabels'])) {
    for (const [key, label] of Object.entries(value['matchLabels'])) {
      const kept = dropKey(key);
      if (kept !== undefined) matchLabels[kept] = String(label);
    }
  }
  const matchExpressions = (Array.isArray(value['matchExpressions']) ? value['matchExpressions'] : []).filter(isMap).flatMap((expression) => {
    const key = typeof expression['key'] === 'string' ? dropKey(expression['key']) : undefined;
    if (key === undefined || typeof expression['operator'] !== 'string') return [];
    return [{ key, operator: expression['operator'], values: (Array.isArray(expression['values']) ? expression['values'] : []).map(String) }];
  });
  return { matchLabels, matchExpressions };
}

/** Kubernetes label-selector semantics (In, NotIn, Exists, DoesNotExist; Cilium's lower-case forms too). */
export function selects(selector: Selector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false;
  for (const { key, operator, values } of selector.matchExpressions) {
    const has = key in labels;
    switch (operator.toLowerCase()) {
      case 'in':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'notin':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'doesnotexist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

const isEmpty = (selector: Selector) => Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0;

/** Labels of the pods a workload runs (its pod template's), or of a Pod. */
function podLabels(entry: Placed): Record<string, string> | undefined {
  const pod = podSpecOf(entry.doc);
  if (!pod) return undefined;
  if (entry.doc.kind === 'Pod') return entry.doc.labels;
  const templatePath = pod.path.split('.').slice(0, -1);
  const labels = get(entry.doc.raw, ...templatePath, 'metadata', 'labels');
  const result: Record<string, string> = {};
  if (isMap(labels)) for (const [key, value] of Object.entries(labels)) result[key] = String(value);
  return result;
}

/**
 * Cilium selector keys: `k8s:` and `any:` sources select pod labels; `io.kubernetes.pod.namespace`
 * and other `io.cilium.*`/`reserved:` keys select on what Cilium adds, not on pod labels (left out).
 */
function ciliumLabelKey(key: string): string | undefined {
  const plain = key.replace(/^(k8s|any):/, '');
  if (/^(reserved|cidr|fqdn|unspec):/.test(plain) || plain.startsWith('io.kubernetes.pod.') || plain.startsWith('io.cilium.')) return undefined;
  return plain;
}

export function checkSelectors(resolution: Resolution): Finding[] {
  const findings: Finding[] = [];
  const unobserved = new Set(resolution.charts.filter(({ chart }) => !chart.rendered).map(({ app }) => app.destinationNamespace ?? 'default'));
  const services = resolution.placed.filter((entry) => entry.doc.group === '' && entry.doc.kind === 'Service');
  const pods = resolution.placed.flatMap((entry) => {
    const labels = podLabels(entry);
    return labels ? [{ namespace: entry.namespace, labels }] : [];
  });
  const warn = (entry: Placed, problem: string, hint: string) =>
    findings.push({ check: 'references', severity: 'warning', file: entry.doc.file, object: describePlaced(entry), problem: `${entry.app.label} applies it, and ${problem}`, hint });

  for (const entry of resolution.placed) {
    const spec = entry.doc.raw['spec'];
    if (entry.doc.group === 'monitoring.coreos.com' && entry.doc.kind === 'ServiceMonitor') {
      const selector = selectorOf(get(spec, 'selector'));
      if (!selector) continue;
      const namespaceSelector = get(spec, 'namespaceSelector');
      const any = get(namespaceSelector, 'any') === true;
      const names = Array.isArray(get(namespaceSelector, 'matchNames')) ? (get(namespaceSelector, 'matchNames') as unknown[]).map(String) : [entry.namespace ?? 'default'];
      if (any || names.some((name) => unobserved.has(name))) continue;
      const matched = services.filter((service) => names.includes(service.namespace ?? 'default') && selects(selector, service.doc.labels));
      if (matched.length === 0) {
        warn(entry, `its selector (spec.selector) matches no Service in ${names.join(', ')}`, 'Prometheus scrapes nothing: fix the labels, or the namespaces (spec.namespaceSelector)');
        continue;
      }
      const endpoints = Array.isArray(get(spec, 'endpoints')) ? (get(spec, 'endpoints') as unknown[]) : [];
      endpoints.forEach((endpoint, index) => {
        const port = get(endpoint, 'port');
        if (typeof port !== 'string') return;
        const named = matched.some((service) => (Array.isArray(get(service.doc.raw, 'spec', 'ports')) ? (get(service.doc.raw, 'spec', 'ports') as unknown[]) : []).some((servicePort) => get(servicePort, 'name') === port));
        if (!named) warn(entry, `spec.endpoints[${index}].port '${port}' names no port of the Services it selects (${matched.map(describePlaced).join(', ')})`, 'Prometheus scrapes nothing there: use the name of a Service port');
      });
    }
    if (entry.doc.group === 'cilium.io' && entry.doc.kind === 'CiliumNetworkPolicy') {
      const namespace = entry.namespace ?? 'default';
      if (unobserved.has(namespace)) continue;
      const selectors: [unknown, string][] = [[get(spec, 'endpointSelector'), 'spec.endpointSelector']];
      const specs = get(entry.doc.raw, 'specs');
      if (Array.isArray(specs)) specs.forEach((item, index) => selectors.push([get(item, 'endpointSelector'), `specs[${index}].endpointSelector`]));
      for (const [value, field] of selectors) {
        const selector = selectorOf(value, ciliumLabelKey);
        if (!selector || isEmpty(selector)) continue;
        if (!pods.some((pod) => pod.namespace === namespace && selects(selector, pod.labels))) {
          warn(entry, `its ${field} matches no pod in namespace ${namespace}`, 'The policy applies to nothing: fix the labels to those of a pod template in the namespace');
        }
      }
    }
  }
  return findings;
}

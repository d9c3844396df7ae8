import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { ResolvedConfig } from '@homelab/config';
import { namespaceLevels } from '@homelab/core';
import { LOKI_COMPONENT, LOKI_DEFAULTS, LOKI_SERVICE, LOKI_URLS } from '@homelab/loki';
import { chartSchemaDir, checkChartValues, configVariant, seedConfig } from '@homelab/testing';
import { ALLOY_COMPONENT, ALLOY_DEFAULTS, ALLOY_IMAGE_USER, ALLOY_NAMESPACE } from './defaults.js';
import { STREAM_LABELS, alloyConfig, alloyConfigBlocks, alloySettings, alloyValues, buildAlloy, buildAlloyFromConfig, type AlloyValues } from './alloy.js';
import { ALLOY_CHART } from './versions.js';
import * as api from './index.js';

const config = seedConfig();

const valuesOf = (c: ResolvedConfig = config, overrides?: Parameters<typeof buildAlloy>[1]) => buildAlloy(c, overrides).values as AlloyValues;
const contentOf = (c: ResolvedConfig = config, overrides?: Parameters<typeof buildAlloy>[1]) => valuesOf(c, overrides).alloy.configMap.content;
const chartDir = chartSchemaDir('alloy');

/** Strips comments and string literals, so structure checks see only Alloy syntax. */
function syntaxOnly(content: string): string {
  return content.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\/\/[^\n]*/g, '');
}

/** `kind.name "label" {` headers: the components the file declares, as `kind.name.label`. */
function declaredComponents(content: string): string[] {
  return [...content.matchAll(/^([a-z_]+(?:\.[a-z_]+)+) "([a-z_]+)" \{$/gm)].map(([, kind, label]) => `${kind}.${label}`);
}

describe('alloy component', () => {
  const component = buildAlloy(config);

  it('is an observability DaemonSet component with the pinned chart', () => {
    expect(component).toMatchObject({
      name: ALLOY_COMPONENT,
      group: 'observability',
      namespace: ALLOY_NAMESPACE,
      syncWave: ALLOY_DEFAULTS.syncWave,
      source: '@homelab/alloy',
      chart: ALLOY_CHART,
    });
    expect(ALLOY_CHART).toEqual({ repo: 'https://grafana.github.io/helm-charts', name: 'alloy', version: '1.11.1' });
    expect(valuesOf().controller.type).toBe('daemonset');
  });

  it('syncs after the Loki it ships to', () => {
    expect(component.syncWave).toBeGreaterThan(LOKI_DEFAULTS.syncWave);
  });

  it('registers under the name the aggregator applies homelab.yaml settings by', () => {
    const built = [api.alloyModule.build(config)].flat();
    expect(built.map((c) => c.name)).toEqual([api.alloyModule.name]);
    expect(JSON.stringify(built[0])).toEqual(JSON.stringify(component));
  });

  it('exports a small, fixed surface', () => {
    expect(Object.keys(api).sort()).toEqual(['ALLOY_COMPONENT', 'ALLOY_DEFAULTS', 'alloyModule', 'buildAlloy', 'buildAlloyFromConfig']);
  });

  it('refuses to build while Loki is disabled, saying how to fix it', () => {
    const noLoki = configVariant((data) => (data['components'] = { [LOKI_COMPONENT]: { enabled: false } }));
    expect(() => api.alloyModule.build(noLoki)).toThrow(
      `alloy: ships logs to Loki, which is disabled (components.loki.enabled: 'false'). Disable Alloy as well (components.alloy.enabled: false), or enable Loki.`,
    );
    const lokiOn = configVariant((data) => (data['components'] = { [LOKI_COMPONENT]: { enabled: true } }));
    expect(buildAlloyFromConfig(lokiOn).name).toBe(ALLOY_COMPONENT);
  });
});

describe('alloy pipeline configuration', () => {
  const content = contentOf();

  it('pushes to the Loki push URL exported by @homelab/loki', () => {
    expect(ALLOY_DEFAULTS.lokiPushUrl).toBe(LOKI_URLS.push);
    expect(content).toContain(`url = "${LOKI_URLS.push}"`);
    expect(LOKI_URLS.push).toContain(`${LOKI_SERVICE.name}.${LOKI_SERVICE.namespace}.svc:${LOKI_SERVICE.port}`);
  });

  it('ships elsewhere when given another push URL (the shipper knows Loki, not the other way round)', () => {
    const other = 'https://logs.example.test/loki/api/v1/push';
    expect(contentOf(config, { lokiPushUrl: other })).toContain(`url = "${other}"`);
    expect(contentOf(config, { lokiPushUrl: other })).not.toContain(LOKI_URLS.push);
  });

  it('labels every stream with the cluster name from homelab.yaml, and follows it', () => {
    expect(content).toContain(`cluster = "${config.cluster.name}",`);
    const renamed = configVariant((data) => (data['cluster'] = { ...data['cluster'], name: 'lab-two' }));
    expect(contentOf(renamed)).toContain('cluster = "lab-two",');
  });

  it('discovers pods and keeps only those of its own node', () => {
    expect(content).toMatch(/discovery\.kubernetes "pods" \{\n {2}role = "pod"/);
    expect(content).toContain('field = "spec.nodeName=" + coalesce(sys.env("HOSTNAME"), constants.hostname)');
  });

  it('relabels namespace, pod, container, node and app, preferring app.kubernetes.io/name for app', () => {
    const targets = [...content.matchAll(/target_label {2}= "([a-z]+)"/g)].map(([, label]) => label);
    expect(targets).toEqual(STREAM_LABELS.map((rule) => rule.target));
    expect(new Set(targets)).toEqual(new Set(['namespace', 'pod', 'container', 'node', 'app']));
    const appSources = STREAM_LABELS.filter((rule) => rule.target === 'app').map((rule) => rule.source);
    expect(appSources.at(-1)).toBe('__meta_kubernetes_pod_label_app_kubernetes_io_name');
    for (const rule of STREAM_LABELS) expect(content).toContain(`source_labels = ["${rule.source}"]`);
  });

  it('reads logs with loki.source.kubernetes, so no host path is needed', () => {
    expect(declaredComponents(content)).toEqual(['discovery.kubernetes.pods', 'discovery.relabel.pods', 'loki.source.kubernetes.pods', 'loki.write.default']);
    const values = valuesOf();
    expect(values.alloy.mounts).toEqual({ varlog: false, dockercontainers: false });
  });

  it('references only components it declares, and every one but the log source feeds the next', () => {
    const declared = new Set(declaredComponents(content));
    const referenced = [...syntaxOnly(content).matchAll(/\b((?:discovery|loki)\.[a-z_]+\.[a-z_]+)\.(?:targets|output|receiver)\b/g)].map(([, name]) => name);
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(declared).toContain(name);
    expect(new Set([...referenced, 'loki.source.kubernetes.pods'])).toEqual(declared);
  });

  it('is balanced Alloy syntax and contains nothing Helm would template (the chart runs it through tpl)', () => {
    const syntax = syntaxOnly(content);
    let depth = 0;
    for (const char of syntax) {
      if (char === '{') depth += 1;
      if (char === '}') depth -= 1;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(syntax.split('[').length).toBe(syntax.split(']').length);
    expect(content).not.toContain('{{');
  });

  it('is assembled from named blocks a caller can replace', () => {
    const blocks = alloyConfigBlocks(config, ALLOY_DEFAULTS);
    expect(Object.keys(blocks)).toEqual(['discovery', 'relabel', 'source', 'write']);
    const patched = alloyConfig({ ...blocks, write: 'loki.write "default" {}' });
    expect(patched).toContain('loki.write "default" {}');
    expect(patched).not.toContain(LOKI_URLS.push);
  });
});

describe('alloy values', () => {
  const values = valuesOf();

  it('runs Alloy as the image non-root user with no privileges', () => {
    expect(values.alloy.securityContext).toEqual({
      runAsUser: ALLOY_IMAGE_USER,
      runAsGroup: ALLOY_IMAGE_USER,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('tolerates NoSchedule taints, so tainted control planes ship their logs too', () => {
    expect(values.controller.tolerations).toEqual([{ operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('does not install the PodLogs CRD nor report usage', () => {
    expect(values.crds.create).toBe(false);
    expect(values.alloy.enableReporting).toBe(false);
  });

  it('creates a ServiceMonitor only when asked to', () => {
    expect(values.serviceMonitor.enabled).toBe(false);
    expect(valuesOf(config, { serviceMonitor: true }).serviceMonitor.enabled).toBe(true);
  });

  it('rejects a push URL that is not http(s)', () => {
    expect(() => alloySettings({ lokiPushUrl: 'loki:3100' })).toThrow(
      "alloy: the Loki push URL is not an http(s) URL (lokiPushUrl: 'loki:3100'). Use the push API URL, e.g. http://loki.observability.svc:3100/loki/api/v1/push.",
    );
  });
});

describe.skipIf(!chartDir)('alloy Pod Security (chart 1.11.1 defaults)', () => {
  // The describe body runs even when skipped: read the chart only where shared/ exists.
  const defaults = (chartDir ? load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) : {}) as { controller: Record<string, unknown>; alloy: { mounts: Record<string, unknown> } };

  it('asks for baseline because nothing it deploys uses the host: the chart defaults stay off and we turn no host mount on', () => {
    expect([defaults.controller['hostNetwork'], defaults.controller['hostPID']]).toEqual([false, false]);
    const values = valuesOf() as unknown as { controller: Record<string, unknown> };
    expect(values.controller['hostNetwork']).toBeUndefined();
    expect(values.controller['hostPID']).toBeUndefined();
    expect(Object.values(valuesOf().alloy.mounts).every((mounted) => mounted === false)).toBe(true);
    const component = buildAlloy(config);
    expect(component.podSecurity).toBe('baseline');
    expect(namespaceLevels([component]).get(ALLOY_NAMESPACE)).toBe('baseline');
  });
});

describe.skipIf(!chartDir)('alloy chart conformance (chart 1.11.1)', () => {
  it('every key we set exists in the chart values.yaml', () => {
    expect(checkChartValues(chartDir!, alloyValues(config, ALLOY_DEFAULTS))).toEqual([]);
  });

  it('the oracle catches a misspelt key', () => {
    const values = alloyValues(config, ALLOY_DEFAULTS) as unknown as { alloy: Record<string, unknown> };
    expect(checkChartValues(chartDir!, { ...values, alloy: { ...values.alloy, configmap: {} } })).toEqual(["alloy.configmap: not a key of the chart's values.yaml"]);
  });
});

describe('declarations for the security layers', () => {
  it('calls the API (discovery, logs) and Loki by component name; lets ArgoCD create its RBAC, no CRD', () => {
    const component = buildAlloy(config);
    expect(component.network).toEqual({ kubeApi: { client: true }, connectsTo: [LOKI_COMPONENT] });
    expect(component.clusterResources).toEqual(['ClusterRole', 'ClusterRoleBinding']);
    expect((component.values as AlloyValues).crds.create).toBe(false);
  });
});

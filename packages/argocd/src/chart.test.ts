import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { chartSchemaDir, checkChartValues, seedConfig } from '@homelab/testing';
import { ARGOCD_UNLISTED_VALUES, argocdValues, argocdSettings, buildArgoCd } from './argocd.js';

const config = seedConfig();

/** Keys the chart reads although its values.yaml does not list them: the component declares them. */
const ALLOW = [...ARGOCD_UNLISTED_VALUES];

const dir = chartSchemaDir('argo-cd');

describe.skipIf(!dir)('argo-cd chart conformance (shared/chart-schemas/argo-cd, 10.1.1)', () => {
  const chartDir = dir!;
  const values = argocdValues(config, argocdSettings());

  it('uses only keys the pinned chart accepts', () => {
    expect(checkChartValues(chartDir, values, { allow: ALLOW })).toEqual([]);
  });

  it('needs every allow entry (none is stale)', () => {
    for (const path of ALLOW) {
      const others = ALLOW.filter((entry) => entry !== path);
      expect(checkChartValues(chartDir, values, { allow: others })).toEqual([`${path}: not a key of the chart's values.yaml`]);
    }
  });

  it('declares them on its chart, for the generated .homelab-check.yaml', () => {
    expect(buildArgoCd(config).chart?.unlistedValues).toEqual(ALLOW);
  });

  it('reports an unknown dotted key where the defaults hold none (the quoting keeps it one key)', () => {
    const unknownParam = { ...values, configs: { ...values.configs, params: { ...values.configs.params, 'server.insecur': true } } };
    expect(checkChartValues(chartDir, unknownParam, { allow: ALLOW })).toEqual(['configs.params."server.insecur": not a key of the chart\'s values.yaml']);
  });

  it('reports a misplaced key (the oracle can fail)', () => {
    const misplaced = { ...values, server: { ...values.server, insecure: true } };
    expect(checkChartValues(chartDir, misplaced, { allow: ALLOW })).toEqual(["server.insecure: not a key of the chart's values.yaml"]);
  });

  it('mounts only volumes the pod has: its own, or the chart repo-server volumes a CMP sidecar shares', () => {
    // The chart's own documented sidecar example (commented in values.yaml) names the shared volumes.
    const text = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
    const container = values.repoServer.extraContainers[0] as { volumeMounts: { name: string }[] };
    const own = new Set((values.repoServer.volumes as { name: string }[]).map((volume) => volume.name));
    for (const { name } of container.volumeMounts) {
      if (own.has(name)) continue;
      expect(text, `volume ${name} is neither declared nor shared by the chart`).toMatch(new RegExp(`#\\s+name: ${name}\\n`));
    }
  });

  it('writes oidc.config where the chart documents it: a commented key under configs.cm', () => {
    const text = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
    // configs.cm: from its key to the next key at the same depth.
    const start = text.indexOf('\n  cm:\n', text.indexOf('\nconfigs:\n'));
    const cm = text.slice(start, start + 1 + text.slice(start + 1).search(/\n  [a-zA-Z]/));
    expect(cm).toMatch(/\n {4}# oidc\.config: \|\n/);
    expect(values.configs.cm).toHaveProperty(['oidc.config']);
  });

  it('keeps the chart defaults for the server name and HTTP port the exposure is derived from', () => {
    // Set explicitly so exposure and values share one source; by default they change nothing.
    const defaults = load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as { server: { name: string; service: { servicePortHttp: number } } };
    expect(values.server.name).toBe(defaults.server.name);
    expect(values.server.service.servicePortHttp).toBe(defaults.server.service.servicePortHttp);
  });
});

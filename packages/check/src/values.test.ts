import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { application, chartSchemasDir, removeTrees, REPO, rootApp, writeTree, type FixtureContent } from './test-support/fixtures.js';

afterAll(removeTrees);

const schemas = chartSchemasDir();

const cilium = (version: string) =>
  application('cilium', {
    namespace: 'kube-system',
    sources: [
      { repoURL: 'https://helm.cilium.io', chart: 'cilium', targetRevision: version, helm: { valueFiles: ['$values/values/cilium.yaml'] } },
      { repoURL: REPO, targetRevision: 'main', ref: 'values' },
    ],
  });

const chartValues = async (files: Record<string, FixtureContent>, chartSchemas: string | null | undefined = schemas) =>
  (await checkTree(writeTree({ 'apps/root.yaml': rootApp(), ...files }), chartSchemas ? { chartSchemas } : {})).findings.filter((finding) => finding.check === 'chart-values');

describe.skipIf(!schemas)('chart values (--chart-schemas ../shared/chart-schemas)', () => {
  it('accepts values the pinned chart knows', async () => {
    expect(await chartValues({ 'apps/cilium.yaml': cilium('1.19.6'), 'values/cilium.yaml': { kubeProxyReplacement: true, ipam: { mode: 'kubernetes' } } })).toEqual([]);
  });

  it('warns about a key the chart does not have, and reports a value its schema rejects', async () => {
    expect(await chartValues({ 'apps/cilium.yaml': cilium('1.19.6'), 'values/cilium.yaml': { kubeProxyReplacment: true, ipam: { mode: 3 } } })).toEqual([
      {
        check: 'chart-values',
        severity: 'error',
        file: 'values/cilium.yaml',
        object: 'Application/argocd/cilium',
        problem: 'values fail the values.schema.json of chart cilium 1.19.6: /ipam/mode must be string',
        hint: 'Helm refuses to render the chart: fix the value',
      },
      {
        check: 'chart-values',
        severity: 'warning',
        file: 'values/cilium.yaml',
        object: 'Application/argocd/cilium',
        problem: "values key 'kubeProxyReplacment' is not in the values.yaml of chart cilium 1.19.6",
        hint: "Helm ignores unknown keys: fix the spelling, or, if the chart's templates read it, allow it (chartValues: { cilium: { allow: [kubeProxyReplacment] } } in .homelab-check.yaml)",
      },
    ]);
  });

  it('checks against the pinned version (a versioned directory) and honours allowances', async () => {
    // l2announcements.leaseDuration is read by cilium's templates but absent from its values.yaml.
    const files = { 'apps/cilium.yaml': cilium('1.18.12'), 'values/cilium.yaml': { l2announcements: { enabled: true, leaseDuration: '15s' } } };
    expect((await chartValues(files)).map((finding) => finding.problem)).toEqual(["values key 'l2announcements.leaseDuration' is not in the values.yaml of chart cilium 1.18.12"]);
    expect(await chartValues({ ...files, '.homelab-check.yaml': 'chartValues:\n  cilium:\n    allow: [l2announcements.leaseDuration]\n' })).toEqual([]);
  });

  it('says which charts it has no oracle for, and checks nothing without --chart-schemas', async () => {
    const other = application('redis', { sources: [{ repoURL: 'https://charts.example.com', chart: 'redis', targetRevision: '1.0.0', helm: { valuesObject: { replicas: 1 } } }] });
    expect((await chartValues({ 'apps/redis.yaml': other })).map((finding) => `${finding.severity} ${finding.problem}`)).toEqual([`info no values.yaml for chart redis 1.0.0 in ${schemas}`]);
    expect(await chartValues({ 'apps/cilium.yaml': cilium('1.19.6'), 'values/cilium.yaml': { typo: 1 } }, null)).toEqual([]);
  });

  it('checks app-template values against the bjw-s common library it wraps', async () => {
    const app = (values: object) => application('echo', { sources: [{ repoURL: 'oci://ghcr.io/bjw-s-labs/helm', chart: 'app-template', targetRevision: '4.6.2', helm: { valuesObject: values } }] });
    const controllers = { main: { containers: { main: { image: { repository: 'example/echo', tag: '1.0' } } } } };
    expect(await chartValues({ 'apps/echo.yaml': app({ controllers }) })).toEqual([]);
    expect((await chartValues({ 'apps/echo.yaml': app({ controllers, servise: {} }) })).map((finding) => `${finding.severity} ${finding.problem}`)).toContain(
      "warning values key 'servise' is not in the values.yaml of chart app-template 4.6.2",
    );
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dump, loadAll } from 'js-yaml';
import { checkFiles, checkTree } from './check.js';
import { formatFinding } from './finding.js';
import { formatJson, formatText } from './format.js';
import { application, chartSchemasDir, deployment, removeTrees, rootApp, WORKSPACE, writeTree } from './test-support/fixtures.js';

afterAll(removeTrees);

const errorsOf = (findings: { severity: string }[]) => findings.filter((finding) => finding.severity === 'error').map(formatFinding as (f: unknown) => string);

describe.skipIf(!existsSync(join(WORKSPACE, 'homelab.yaml')))("this repository's own generated tree", () => {
  it('has no error finding', async () => {
    const report = await checkTree(WORKSPACE);
    expect(errorsOf(report.findings)).toEqual([]);
    expect(report.stats.applications).toBeGreaterThan(3);
    expect(report.stats.reachedApplications).toBe(report.stats.applications);
  });

  const schemas = chartSchemasDir();
  it.skipIf(!schemas)('has no error finding against the pinned charts either', async () => {
    const report = await checkTree(WORKSPACE, { chartSchemas: schemas! });
    expect(errorsOf(report.findings)).toEqual([]);
  });
});

describe('report', () => {
  const tree = () =>
    writeTree({
      'apps/root.yaml': rootApp(),
      'apps/web.yaml': application('web', { directory: { include: 'deployment.yaml' } }),
      'manifests/web/deployment.yaml': deployment('web', 'web', { volumes: [{ name: 'token', secret: { secretName: 'token' } }] }),
      'manifests/web/token.yaml': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'web' } },
    });

  it('groups findings by check, one line each, and sums them up', async () => {
    expect(formatText(await checkTree(tree()))).toEqual([
      'reachability: 1 error',
      '  error manifests/web/token.yaml Secret/web/token: no root Application reaches this file. ArgoCD never applies it: include its directory in an Application source (check path, recurse and include/exclude), or delete it',
      'references: 1 error',
      '  error manifests/web/deployment.yaml Deployment/web/web: references Secret/web/token (spec.template.spec.volumes[0].secret), which nothing creates. Add it to the tree (a *.sops.yaml file), fix the name, or declare it external (--external Secret/web/token, or external: in .homelab-check.yaml)',
      '✖ 2 errors, 0 warnings, 0 info (2 Applications reached of 2, 2 objects applied, 4 manifest files among 4 files read)',
    ]);
  });

  it('never reads build output or ignored files, and says the same in text and JSON', async () => {
    const dir = writeTree({
      'apps/root.yaml': rootApp(),
      'apps/web.yaml': application('web'),
      'manifests/web/deployment.yaml': deployment('web', 'web'),
      'manifests/web/README.md': '# web\n',
      'docs/example.yaml': deployment('example', 'web'),
      '.homelab-check.yaml': "ignore: ['docs/**']\n",
      'dist/homelab/tree/kubernetes/a.yaml': deployment('built', 'web'),
      '.nx/cache/x/b.yaml': deployment('cached', 'web'),
      'packages/app/node_modules/dep/c.yaml': deployment('dependency', 'web'),
      'packages/app/dist/d.yaml': deployment('built-too', 'web'),
    });
    const report = await checkTree(dir);
    expect(report.findings).toEqual([]);
    // Read: the two Applications, the Deployment, the README and .homelab-check.yaml.
    expect(report.stats).toMatchObject({ files: 5, objectFiles: 3 });
    expect(JSON.parse(formatJson(report)).stats).toMatchObject({ files: 5, objectFiles: 3 });
    expect(formatText(report).at(-1)).toMatch(/, 3 manifest files among 5 files read\)$/);
  });

  it('checks files held in memory exactly as the same files on disk (.homelab-check.yaml included)', async () => {
    const files: Record<string, string> = {
      'apps/root.yaml': dump(rootApp()),
      'apps/web.yaml': dump(application('web', { directory: { include: 'deployment.yaml' } })),
      'manifests/web/deployment.yaml': dump(deployment('web', 'web', { volumes: [{ name: 'token', secret: { secretName: 'token' } }, { name: 'key', secret: { secretName: 'key' } }] })),
      'manifests/web/token.yaml': dump({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'web' } }),
      '.homelab-check.yaml': 'external: [Secret/web/key]\n',
    };
    const onDisk = await checkTree(writeTree(files));
    const inMemory = await checkFiles(new Map(Object.entries(files)), { label: 'rendered' });
    expect(inMemory.findings.map(formatFinding)).toEqual(onDisk.findings.map(formatFinding));
    expect(inMemory.findings.map((finding) => finding.check)).toEqual(['reachability', 'references']);
    expect(inMemory.stats).toEqual(onDisk.stats);
    expect(inMemory.dir).toBe('rendered');
    expect((await checkFiles(files)).dir).toBe('<memory>');
  });

  it('takes the documents of files it is handed instead of parsing their text again', async () => {
    const files = {
      'apps/root.yaml': dump(rootApp()),
      'apps/web.yaml': dump(application('web', {})),
      'manifests/web/deployment.yaml': dump(deployment('web', 'web')),
    };
    const parsedAgain = await checkFiles(files);
    const handed = await checkFiles(files, { documents: new Map(Object.entries(files).map(([path, text]) => [path, loadAll(text)])) });
    expect(handed.findings).toEqual(parsedAgain.findings);
    expect(handed.stats).toEqual(parsedAgain.stats);
    // The handed documents are what the check sees: a Secret reference only they hold is reported.
    const referencing = deployment('web', 'web', { volumes: [{ name: 'token', secret: { secretName: 'token' } }] });
    const swapped = await checkFiles(files, { documents: new Map([['manifests/web/deployment.yaml', [referencing]]]) });
    expect(parsedAgain.findings.filter((finding) => finding.check === 'references')).toEqual([]);
    expect(swapped.findings.filter((finding) => finding.check === 'references').map((finding) => finding.object)).toEqual(['Deployment/web/web']);
  });

  it('does not validate again the schemas of documents it is told were validated', async () => {
    const invalid = deployment('web', 'web', { containers: 'not a list' });
    const files = { 'apps/root.yaml': dump(rootApp()), 'apps/web.yaml': dump(application('web', {})), 'manifests/web/deployment.yaml': dump(invalid) };
    const documents = new Map(Object.entries(files).map(([path, text]) => [path, loadAll(text)]));
    const schemaFindings = async (validated?: Set<unknown>) =>
      (await checkFiles(files, { documents, ...(validated ? { validated } : {}) })).findings.filter((finding) => finding.check === 'schema').map((finding) => finding.object);
    expect(await schemaFindings()).toEqual(['Deployment/web/web']);
    expect(await schemaFindings(new Set(documents.get('manifests/web/deployment.yaml')))).toEqual([]);
  });

  it('writes JSON with a summary and every finding', async () => {
    const json = JSON.parse(formatJson(await checkTree(tree()))) as { summary: object; findings: { check: string; severity: string; file: string }[] };
    expect(json.summary).toEqual({ error: 2, warning: 0, info: 0 });
    expect(json.findings.map((finding) => `${finding.check} ${finding.severity} ${finding.file}`)).toEqual([
      'reachability error manifests/web/token.yaml',
      'references error manifests/web/deployment.yaml',
    ]);
  });
});

/** A hand-written repository attacked with YAML that expands past every bound: refused per file, at once. */
import { afterAll, describe, expect, it } from 'vitest';
import { checkTree } from './check.js';
import { CheckConfigError } from './config.js';
import { formatFinding } from './finding.js';
import { application, removeTrees, rootApp, writeTree } from './test-support/fixtures.js';

afterAll(removeTrees);

const MANIFEST_HEAD = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bomb, namespace: web }\n';
/** Nine levels of nine aliases each: 9^9 scalars once expanded, from a dozen lines. */
const BOMB = [
  'data:',
  '  a: &a [x, x, x, x, x, x, x, x, x]',
  ...'bcdefghi'.split('').map((name, index) => `  ${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[index]}`).join(', ')}]`),
].join('\n');

describe('hostile YAML in a hand-written repository', () => {
  it('reports each bomb as a parse error naming the file and the place, in well under the time a walk would take', async () => {
    const dir = writeTree({
      'apps/root.yaml': rootApp(),
      'apps/web.yaml': application('web'),
      'manifests/web/bomb.yaml': `${MANIFEST_HEAD}${BOMB}\n`,
      'manifests/web/long.yaml': `${MANIFEST_HEAD}list: [${Array(1_100_000).fill('1').join(',')}]\n`,
      'manifests/web/deep.yaml': `${MANIFEST_HEAD}deep: ${'['.repeat(200)}${']'.repeat(200)}\n`,
      'manifests/web/loop.yaml': `${MANIFEST_HEAD}data: &loop { self: *loop }\n`,
    });
    const start = performance.now();
    const report = await checkTree(dir);
    const elapsed = performance.now() - start;
    const errors = report.findings.filter((finding) => finding.severity === 'error').map(formatFinding);
    const about = (file: string) => errors.filter((line) => line.includes(`ArgoCD cannot parse manifests/web/${file}: `));
    expect(about('bomb.yaml')).toEqual([expect.stringContaining("data.g: expands to more than 1000000 nodes (YAML aliases are counted each time they are used) (got '5380840 nodes')")]);
    expect(about('long.yaml')).toEqual([expect.stringContaining('list: expands to more than 1000000 nodes')]);
    expect(about('deep.yaml')).toEqual([expect.stringContaining('(root): nests deeper than 128 levels (at line:column 4:')]);
    expect(about('loop.yaml')).toEqual([expect.stringContaining('data.self: is an alias of a node that contains it (a recursive alias)')]);
    // Generous for a loaded CI machine; expanding the bomb alone would take minutes and gigabytes.
    expect(elapsed).toBeLessThan(10_000);
  });

  it('refuses a bomb in inline helm.values', async () => {
    const dir = writeTree({
      'apps/root.yaml': rootApp(),
      'apps/chart.yaml': application('chart', {
        sources: [{ repoURL: 'https://charts.example.com', chart: 'demo', targetRevision: '1.0.0', helm: { values: BOMB.replace('data:', 'values:') } }],
      }),
    });
    const errors = (await checkTree(dir)).findings.filter((finding) => finding.severity === 'error').map(formatFinding);
    expect(errors).toEqual([expect.stringMatching(/helm\.values is not valid YAML: values\.g: expands to more than 1000000 nodes/)]);
  });

  it('refuses a bomb in .homelab-check.yaml with a sentence', async () => {
    const dir = writeTree({ 'apps/root.yaml': rootApp(), '.homelab-check.yaml': `${BOMB.replace('data:', 'external:')}\n` });
    await expect(checkTree(dir)).rejects.toThrow(CheckConfigError);
    await expect(checkTree(dir)).rejects.toThrow(/^\.homelab-check\.yaml: not valid YAML \(external\.g: expands to more than 1000000 nodes/);
  });
});

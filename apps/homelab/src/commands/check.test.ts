import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import { nfsExportRequirementsText } from '@homelab/check';
import { runCli } from '../testing/run-cli.js';
import { checkCommand } from './check.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const WORKSPACE = fileURLToPath(new URL('../../../../', import.meta.url));
const trees: string[] = [];
afterAll(() => {
  for (const tree of trees) rmSync(tree, { recursive: true, force: true });
});

const run = (cwd: string, ...argv: string[]) => runCli(['check', ...argv], { cwd, commands: [checkCommand] });

const application = (name: string, path: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'argocd' },
  spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: name }, source: { repoURL: 'https://git.example.com/lab.git', targetRevision: 'main', path }, syncPolicy: { syncOptions: ['CreateNamespace=true'] } },
});

/** A tree whose Deployment mounts a Secret nothing creates. */
function brokenTree(extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'homelab-check-cli-'));
  trees.push(root);
  const files: Record<string, string> = {
    'apps/root.yaml': dump(application('root', 'apps')),
    'apps/web.yaml': dump(application('web', 'manifests/web')),
    'manifests/web/deployment.yaml': dump({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'example/web:1.0' }], volumes: [{ name: 't', secret: { secretName: 'token' } }] } } },
    }),
    ...extra,
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

const ERROR_LINE =
  '  error manifests/web/deployment.yaml Deployment/web/web: references Secret/web/token (spec.template.spec.volumes[0].secret), which nothing creates. Add it to the tree (a *.sops.yaml file), fix the name, or declare it external (--external Secret/web/token, or external: in .homelab-check.yaml)';

describe('homelab check', () => {
  it("checks this repository's generated tree (the directory of homelab.yaml) with no finding but the NFS export information", async () => {
    const result = await run(join(WORKSPACE, 'packages'));
    expect(result.errLines).toEqual([]);
    const [heading, ...lines] = result.outLines.slice(0, -1);
    expect(heading).toBe(`references: ${lines.length} info`);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(new RegExp(`^  info .*NFS export .*${escapeRegExp(nfsExportRequirementsText())}$`));
    expect(result.outLines.at(-1)).toMatch(new RegExp(`^✔ 0 errors, 0 warnings, ${lines.length} info \\(\\d+ Applications reached of \\d+, .*\\) in 0\\.00 s$`));
    expect(result.code).toBe(0);
  });

  it('prints findings grouped by check and exits 1 on an error', async () => {
    const result = await run('/', brokenTree());
    expect(result.outLines).toEqual(['references: 1 error', ERROR_LINE, '✖ 1 error, 0 warnings, 0 info (2 Applications reached of 2, 2 objects applied, 3 manifest files among 3 files read) in 0.00 s']);
    expect(result.code).toBe(1);
  });

  it('accepts objects declared --external (and in .homelab-check.yaml)', async () => {
    expect((await run('/', brokenTree(), '--external', 'Secret/web/token')).code).toBe(0);
    expect((await run('/', brokenTree({ '.homelab-check.yaml': 'external: [Secret/web/*]\n' }))).code).toBe(0);
  });

  it('writes JSON with --format json', async () => {
    const result = await run('/', brokenTree(), '--format', 'json');
    const report = JSON.parse(result.out) as { summary: object; findings: { check: string; object: string }[] };
    expect(report.summary).toEqual({ error: 1, warning: 0, info: 0 });
    expect(report.findings.map((finding) => `${finding.check} ${finding.object}`)).toEqual(['references Deployment/web/web']);
    expect(result.code).toBe(1);
  });

  it('rejects wrong usage with exit 2, and a broken .homelab-check.yaml with exit 1', async () => {
    expect(await run('/', brokenTree(), '--format', 'xml')).toMatchObject({ code: 2, errLines: ["homelab: --format must be text or json, not 'xml'", "Run 'homelab check --help' for usage."] });
    expect((await run('/', brokenTree(), '--external', 'Secret')).code).toBe(2);
    expect((await run('/', '/no/such/dir')).code).toBe(2);
    expect(await run('/', brokenTree({ '.homelab-check.yaml': 'extrnal: []\n' }))).toMatchObject({
      code: 1,
      errLines: ["✖ .homelab-check.yaml: unknown key 'extrnal' (known: external, chartObjects, repoURLs, roots, ignore, chartValues, secretKeys, unscraped, podSecurity)"],
    });
  });
});

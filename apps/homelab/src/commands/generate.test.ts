import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import type { GeneratedFile } from '@homelab/core';
import { seedConfigPath } from '@homelab/testing';
import { nfsExportRequirementsText } from '@homelab/check';
import { captureIo, runCli } from '../testing/run-cli.js';
import { MANIFEST_PATH } from '@homelab/generator';
import { checkRendered } from './generate.js';

const capture = () => captureIo({ cwd: tmpdir() });
const run = (cwd: string, ...argv: string[]) => runCli(argv, { cwd });

const file = (path: string, data: object | string): GeneratedFile => ({ path, content: typeof data === 'string' ? data : dump(data), source: 'test' });
const application = (name: string, path: string, wave?: string) =>
  file(`apps/${name}.yaml`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', ...(wave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': wave } } : {}) },
    spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: name }, source: { repoURL: 'https://git.example.com/lab.git', targetRevision: 'main', path }, syncPolicy: { syncOptions: ['CreateNamespace=true'] } },
  });
const configMap = (name: string, namespace: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
const argocdCm = file('bootstrap/argocd-cm.yaml', { ...configMap('argocd-cm', 'argocd'), data: { 'resource.customizations.health.argoproj.io_Application': 'hs = {}\nreturn hs\n' } });

/** A tree with one finding of each severity: an unreached file (error), a non-integer wave (warning), a jsonnet file (info). */
const flawed = [
  application('root', 'apps'),
  application('web', 'manifests/web', 'soon'),
  argocdCm,
  file('.homelab-check.yaml', 'roots: [bootstrap/argocd-cm.yaml]\n'),
  file('manifests/web/cm.yaml', configMap('web', 'web')),
  file('manifests/web/lib.jsonnet', '{}\n'),
  file('manifests/stray/cm.yaml', configMap('stray', 'web')),
];

describe('checkRendered (generate and validate check the rendered tree in memory)', () => {
  it('fails on an error, printing it; prints warnings; prints information only when verbose', async () => {
    const quietRun = capture();
    expect(await checkRendered(quietRun.io, flawed)).toBe(false);
    expect(quietRun.errLines).toEqual([
      "⚠ warning apps/web.yaml Application/argocd/web: sync-wave annotation 'soon' is not an integer. ArgoCD treats it as wave 0: write an integer, quoted",
      '✖ rendered tree: 1 error found by homelab check (a bug in a component package or an override)',
      '  error manifests/stray/cm.yaml ConfigMap/web/stray: no root Application reaches this file. ArgoCD never applies it: include its directory in an Application source (check path, recurse and include/exclude), or delete it',
    ]);
    expect(quietRun.outLines).toEqual([]);
    const verbose = capture();
    await checkRendered(verbose.io, flawed, { verbose: true });
    expect(verbose.outLines).toEqual(['  info manifests/web/lib.jsonnet Application/argocd/web: jsonnet file manifests/web/lib.jsonnet is not evaluated. Its objects are not checked']);
    const silent = capture();
    await checkRendered(silent.io, flawed, { quiet: true });
    expect(silent.errLines.some((line) => line.startsWith('⚠'))).toBe(false);
  });

  it('passes a sound tree silently', async () => {
    const sound = capture();
    const fixed = flawed.filter((candidate) => !candidate.path.startsWith('manifests/stray/') && !candidate.path.endsWith('.jsonnet'));
    expect(await checkRendered(sound.io, fixed.map((candidate) => (candidate.path === 'apps/web.yaml' ? application('web', 'manifests/web', '1') : candidate)), { verbose: true })).toBe(true);
    expect([...sound.outLines, ...sound.errLines]).toEqual([]);
  });
});

describe('homelab generate, checking before it writes', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'homelab-generate-'));
    cpSync(seedConfigPath(), join(home, 'homelab.yaml'));
  });

  it('generates and validates the seed with no check output but the NFS export information', async () => {
    const validate = await run(home, 'validate', '--verbose');
    expect(validate.errLines).toEqual([]);
    // Only the NFS exports' required options, which the tree cannot show, are reported (information).
    const nfsInformation = (line: string) => line.startsWith('  info ') && line.endsWith(nfsExportRequirementsText());
    expect(validate.outLines.filter((line) => !nfsInformation(line))).toEqual([expect.stringMatching(/^✔ homelab\.yaml is valid: \d+ files would be generated/)]);
    const generate = await run(home, 'generate', '--verbose');
    expect(generate.code).toBe(0);
    expect(generate.errLines).toEqual([]);
    expect(generate.outLines.filter((line) => /\b(error|warning|info) /.test(line) && !nfsInformation(line))).toEqual([]);
    expect(existsSync(join(home, '.homelab-check.yaml'))).toBe(true);
  });

  it('writes nothing when the rendered tree has an error finding, and fails --check the same way', async () => {
    const rendered = mkdtempSync(join(tmpdir(), 'homelab-rendered-'));
    expect((await run(home, 'generate', '--quiet', '--out', rendered)).code).toBe(0);
    // A manifest no Application reaches, slipped into the rendered tree.
    const stray = 'kubernetes/stray/ConfigMap-stray.yaml';
    mkdirSync(dirname(join(rendered, stray)), { recursive: true });
    writeFileSync(join(rendered, stray), dump(configMap('stray', 'default')));
    const manifest = JSON.parse(readFileSync(join(rendered, MANIFEST_PATH), 'utf8')) as { files: string[] };
    writeFileSync(join(rendered, MANIFEST_PATH), JSON.stringify({ ...manifest, files: [...manifest.files, stray].sort() }));

    const result = await run(home, 'generate', '--from', rendered);
    expect(result.code).toBe(1);
    expect(result.errLines).toEqual([
      '✖ rendered tree: 1 error found by homelab check (a bug in a component package or an override)',
      `  error ${stray} ConfigMap/default/stray: no root Application reaches this file. ArgoCD never applies it: include its directory in an Application source (check path, recurse and include/exclude), or delete it`,
      'Nothing was written.',
    ]);
    expect(readdirSync(home)).toEqual(['homelab.yaml']);

    expect((await run(home, 'generate')).code).toBe(0);
    const check = await run(home, 'generate', '--check', '--from', rendered);
    expect(check.code).toBe(1);
    expect(check.errLines.at(-1)).toBe('Fix the rendering, then check again.');
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, loadAll } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { dump } from 'js-yaml';
import { cachedChartDir, checkFiles, kubeVersionArg } from '@homelab/check';
import { findOracle } from '@homelab/testing';
import { runCli } from '../testing/run-cli.js';
import { checkCommand } from './check.js';
import { generateCommand } from './generate.js';
import { renderCommand } from './render.js';
import { CHART_REPO, CHARTS, chartApplication, GIT_REPO, writeChart, chartCache, KUBERNETES_VERSION, labTree, removeFixtures, route, webSecret, writeFiles } from './render-fixtures.js';

afterAll(removeFixtures);

const WORKSPACE = fileURLToPath(new URL('../../../../', import.meta.url));

/** A static file server on a free port (printed on stdout, as a string: console.log colours a number under FORCE_COLOR, as nx sets it) for the directory given: a Helm chart repository. */
const SERVE = `const { createServer } = require('node:http'); const { readFile } = require('node:fs'); const { join } = require('node:path');
const root = process.argv[1];
const server = createServer((req, res) => readFile(join(root, decodeURIComponent(req.url.split('?')[0])), (error, data) => { res.statusCode = error ? 404 : 200; res.end(data); }));
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));`;

const helm = findOracle('helm', 'homelab render and check --render against the real helm template');

const run = (cwd: string, env: Record<string, string>, ...argv: string[]) => runCli(argv, { cwd, env, commands: [renderCommand, checkCommand, generateCommand] });

describe.skipIf(!helm)('homelab render and check --render (real helm)', () => {
  const env = { PATH: dirname(helm ?? ''), HOME: writeFiles({}) };
  const charts = chartCache();
  const kubeVersion = kubeVersionArg(KUBERNETES_VERSION)!;

  /** The objects of one Application's source files under an --output directory. */
  const objectsOf = (out: string, app: string) =>
    readdirSync(join(out, app))
      .sort()
      .flatMap((file) => loadAll(readFileSync(join(out, app, file), 'utf8')))
      .filter((doc): doc is Record<string, any> => doc !== null && typeof doc === 'object');

  it('writes charts helm lint accepts; lint only warns of the unset required value that template fails on', () => {
    const lint = (name: string, ...args: string[]) => spawnSync(helm!, ['lint', '--strict', cachedChartDir(charts, CHART_REPO, name, '1.0.0'), ...args], { encoding: 'utf8' });
    expect(lint('web').status).toBe(0);
    expect(lint('widgets').status).toBe(0);
    const needs = lint('needs');
    expect(needs.status).toBe(0);
    expect(needs.stderr).toContain('missing required value');
    expect(needs.stderr).toContain('needs: set token (the API token)');
    expect(lint('needs', '--set', 'token=t').stderr).not.toContain('missing required value');
  });

  it('renders a chart Application byte for byte as a direct helm template with the same arguments', async () => {
    const dir = writeFiles(labTree());
    const out = join(writeFiles({}), 'out');
    const result = await run(dir, env, 'render', '--charts', charts, '--output', out);
    expect(result.errLines).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.outLines).toEqual([`✔ 2 charts rendered for Kubernetes ${kubeVersion}, 3 Applications: 4 files (0.00 s) → ${out}`]);
    expect(readdirSync(join(out, 'web'))).toEqual(['00-chart-web.yaml', '01-manifests.yaml']);
    const direct = spawnSync(
      helm!,
      [
        'template', cachedChartDir(charts, CHART_REPO, 'web', '1.0.0'),
        '--name-template', 'web',
        '--namespace', 'shop',
        '--kube-version', kubeVersion,
        '--values', join(dir, 'values/web/base.yaml'),
        '--values', join(dir, 'values/web/override.yaml'),
        '--api-versions', 'example.com/v1',
        '--api-versions', 'example.com/v1/Widget',
        '--include-crds',
      ],
      { encoding: 'utf8' },
    );
    expect(direct.status).toBe(0);
    expect(readFileSync(join(out, 'web', '00-chart-web.yaml'), 'utf8')).toBe(direct.stdout);
    // Raw manifests join as they are.
    expect(readFileSync(join(out, 'web', '01-manifests.yaml'), 'utf8')).toContain(readFileSync(join(dir, 'manifests/web/route.yaml'), 'utf8'));
  });

  it('names the release after the Application (or helm.releaseName), deploys into the destination namespace, merges value files in order, and serves the CRDs the tree renders', async () => {
    const out = join(writeFiles({}), 'out');
    expect((await run(writeFiles(labTree()), env, 'render', '--charts', charts, '--output', out)).code).toBe(0);
    const facts = objectsOf(out, 'web').find((doc) => doc['kind'] === 'ConfigMap')!;
    expect(facts['data']).toEqual({ release: 'web', namespace: 'shop', kubeVersion: `v${kubeVersion}`, replicas: '3', widgetApi: 'true' });
    const widgets = objectsOf(out, 'widgets');
    expect(widgets.map((doc) => `${doc['kind']}/${doc['metadata'].name}`)).toEqual(['CustomResourceDefinition/widgets.example.com', 'Widget/gadgets']);

    const swapped = labTree({ 'apps/web.yaml': chartApplication('web', 'shop', 'web', { valueFiles: ['values/web/override.yaml', 'values/web/base.yaml'], manifests: 'manifests/web' }) });
    const swappedOut = join(writeFiles({}), 'out');
    expect((await run(writeFiles(swapped), env, 'render', '--charts', charts, '--output', swappedOut)).code).toBe(0);
    expect(objectsOf(swappedOut, 'web').find((doc) => doc['kind'] === 'ConfigMap')!['data'].replicas).toBe('2');

    // Without the CRD-installing Application the Widget API is not served.
    const { ['apps/widgets.yaml']: _widgets, ...alone } = labTree();
    const aloneOut = join(writeFiles({}), 'out');
    expect((await run(writeFiles(alone), env, 'render', '--charts', charts, '--output', aloneOut, '--kube-version', '1.31')).code).toBe(0);
    expect(objectsOf(aloneOut, 'web').find((doc) => doc['kind'] === 'ConfigMap')!['data']).toMatchObject({ widgetApi: 'false', kubeVersion: 'v1.31' });
  });

  it('streams every Application to standard output when there is no --output', async () => {
    const result = await run(writeFiles(labTree()), env, 'render', '--charts', charts);
    expect(result.code).toBe(0);
    expect(result.outLines.filter((line) => line.startsWith('# Application/'))).toEqual([
      '# Application/argocd/root (apps/root.yaml): manifests',
      '# Application/argocd/web (apps/web.yaml): chart web 1.0.0 (https://charts.example.com)',
      '# Application/argocd/web (apps/web.yaml): manifests',
      '# Application/argocd/widgets (apps/widgets.yaml): chart widgets 1.0.0 (https://charts.example.com)',
    ]);
    const objects = loadAll(result.out).filter((doc): doc is Record<string, any> => doc !== null && typeof doc === 'object');
    expect(objects.map((doc) => doc['kind']).sort()).toEqual(['Application', 'Application', 'Application', 'ConfigMap', 'CustomResourceDefinition', 'Deployment', 'HTTPRoute', 'Secret', 'Service', 'Widget']);
  });

  it('fails on a chart whose required value is unset, naming the Application, and writes nothing', async () => {
    const dir = writeFiles(labTree({ 'apps/needs.yaml': chartApplication('needs', 'shop', 'needs') }));
    const out = join(writeFiles({}), 'out');
    const result = await run(dir, env, 'render', '--charts', charts, '--output', out);
    expect(result.code).toBe(1);
    expect(result.errLines[0]).toMatch(/^✖ error apps\/needs\.yaml Application\/argocd\/needs: helm template of chart needs 1\.0\.0 fails: .*needs: set token \(the API token\)/);
    expect(result.errLines.at(-1)).toBe('✖ 1 chart did not render. Nothing was written.');
    expect(existsSync(out)).toBe(false);
  });

  it('pulls a missing chart into the cache once: the second run is offline', async () => {
    // A chart repository made with helm itself (package + index), served by a child process.
    const repo = writeFiles({});
    const source = join(writeFiles({}), 'web');
    writeChart(CHARTS['web']!, source);
    expect(spawnSync(helm!, ['package', source, '--destination', repo], { encoding: 'utf8' }).status).toBe(0);
    const server = spawn(process.execPath, ['-e', SERVE, repo], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<string>((resolvePort) => server.stdout!.once('data', (data: Buffer) => resolvePort(data.toString().trim())));
    const url = `http://127.0.0.1:${port}`;
    expect(spawnSync(helm!, ['repo', 'index', repo, '--url', url], { encoding: 'utf8' }).status).toBe(0);
    const app = chartApplication('web', 'shop', 'web') as Record<string, any>;
    app['spec'].sources[0].repoURL = url;
    const cache = join(writeFiles({}), 'cache');
    const dir = writeFiles({ 'apps/web.yaml': app });
    try {
      const first = await run(dir, env, 'render', '--charts', cache);
      expect(first.code, first.err).toBe(0);
      expect(existsSync(join(cachedChartDir(cache, url, 'web', '1.0.0'), 'Chart.yaml'))).toBe(true);
    } finally {
      server.kill();
    }
    const second = await run(dir, env, 'render', '--charts', cache);
    expect(second.code).toBe(0);
    expect(second.out).toContain('# Source: web/templates/deployment.yaml');
  });

  it('renders a chart the tree holds (git), building its file:// dependencies aside, never in the tree', async () => {
    const gitChart: Record<string, string | object> = {
      'apps/shop.yaml': {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'shop', namespace: 'argocd' },
        spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' }, source: { repoURL: GIT_REPO, targetRevision: 'main', path: 'charts/shop', helm: { valueFiles: ['values-prod.yaml'] } } },
      },
      'charts/shop/Chart.yaml': dump({ apiVersion: 'v2', name: 'shop', version: '0.1.0', dependencies: [{ name: 'web', version: '1.0.0', repository: 'file://../web' }] }),
      'charts/shop/values.yaml': dump({ web: { replicas: 1 } }),
      'charts/shop/values-prod.yaml': dump({ web: { replicas: 4 } }),
      ...Object.fromEntries(Object.entries(CHARTS['web']!).map(([path, content]) => [`charts/web/${path}`, content])),
    };
    const dir = writeFiles(gitChart);
    const out = join(writeFiles({}), 'out');
    const result = await run(dir, env, 'render', '--output', out);
    expect(result.errLines).toEqual([
      "ℹ info apps/shop.yaml Application/argocd/shop: the tree pins no Kubernetes version (no talconfig.yaml with kubernetesVersion). Charts are rendered for Helm's default version: pass --kube-version",
    ]);
    expect(result.code).toBe(0);
    const facts = objectsOf(out, 'shop').find((doc) => doc['kind'] === 'ConfigMap')!;
    expect(facts['data']).toMatchObject({ release: 'shop', namespace: 'shop', replicas: '4' });
    expect(existsSync(join(dir, 'charts/shop/charts'))).toBe(false);
  });

  it('says where to put a chart it cannot fetch', async () => {
    const app = { ...(chartApplication('web', 'shop', 'web') as Record<string, any>) };
    app['spec'].sources[0].repoURL = 'http://127.0.0.1:9/charts';
    const result = await run(writeFiles({ 'apps/web.yaml': app }), env, 'render', '--charts', charts);
    expect(result.code).toBe(1);
    expect(result.errLines[0]).toContain('Application/argocd/web: chart web 1.0.0 cannot be fetched: helm pull web --repo http://127.0.0.1:9/charts --version 1.0.0 failed');
    expect(result.errLines[0]).toContain(`Put the unpacked chart in ${join(charts, '127.0.0.1_9', 'charts', 'web', '1.0.0')} (its Chart.yaml at the top), or check the network`);
  });

  const check = (files: Record<string, string | object>, ...extra: string[]) => run(writeFiles(files), env, 'check', '--render', '--charts', charts, '--format', 'json', ...extra);
  const errorsOf = (result: { out: string }) => (JSON.parse(result.out) as { findings: { severity: string; check: string; file: string; object: string; problem: string }[] }).findings.filter((finding) => finding.severity === 'error');

  it('checks the rendered objects: a tree whose references all resolve passes', async () => {
    const result = await check(labTree());
    expect(errorsOf(result)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('fails on an HTTPRoute backend port the chart\'s Service does not have, naming the Application and the object', async () => {
    const result = await check(labTree({ 'manifests/web/route.yaml': route(9090) }));
    expect(result.code).toBe(1);
    expect(errorsOf(result)).toEqual([
      {
        check: 'references',
        severity: 'error',
        file: 'manifests/web/route.yaml',
        object: 'HTTPRoute/shop/web',
        problem: 'Application/argocd/web applies it, and it references Service/shop/web port 9090 (spec.rules[0].backendRefs[0]), which Service/shop/web does not have (its ports: http: 8080)',
        hint: 'Traffic never reaches it (the reference does not resolve): use one of its ports, or fix the Service (apps/web.yaml > web/templates/service.yaml)',
      },
    ]);
  });

  it('fails on a Secret key a rendered Deployment reads that the Secret lacks', async () => {
    const result = await check(labTree({ 'manifests/web/secret.yaml': webSecret(['password']) }));
    expect(errorsOf(result)).toEqual([
      expect.objectContaining({
        check: 'references',
        file: 'apps/web.yaml > web/templates/deployment.yaml',
        object: 'Deployment/shop/web',
        problem: 'Application/argocd/web applies it, and it references Secret/shop/web-secret key token (spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef), which Secret/shop/web-secret does not have (its keys: password)',
      }),
    ]);
  });

  it('surfaces values-schema, object-schema and CRD-schema failures with the Application\'s path', async () => {
    const result = await check(
      labTree({
        'apps/web.yaml': chartApplication('web', 'shop', 'web', { values: { port: 'eighty' }, manifests: 'manifests/web' }),
        'apps/needs.yaml': chartApplication('needs', 'shop', 'needs', { values: { token: 't', quotePort: true } }),
        'apps/widgets.yaml': chartApplication('widgets', 'gadgets', 'widgets', { releaseName: 'gadgets', values: { size: 'big' } }),
      }),
    );
    const errors = errorsOf(result);
    expect(errors.map((finding) => `${finding.check} ${finding.file} ${finding.object}`)).toEqual([
      'render apps/web.yaml Application/argocd/web',
      'schema apps/needs.yaml > needs/templates/service.yaml Service/shop/needs',
      'schema apps/widgets.yaml > widgets/templates/widget.yaml Widget/gadgets/gadgets',
    ]);
    expect(errors[0]!.problem).toMatch(/^helm template of chart web 1\.0\.0 fails: .*port.*integer/);
    expect(errors[1]!.problem).toMatch(/^fails the v1 Service schema: \/spec\/ports\/0\/port /);
    expect(errors[2]!.problem).toBe('fails the example.com/v1 Widget schema: /spec/size must be integer');
  });

  it('renders a tree held in memory the same way (what generate --render checks before writing)', async () => {
    const memory = (files: Record<string, string | object>) => new Map(Object.entries(files).map(([path, content]) => [path, typeof content === 'string' ? content : dump(content)]));
    const clean = await checkFiles(memory(labTree()), { render: { helm: helm!, charts } });
    expect(clean.findings.filter((finding) => finding.severity === 'error')).toEqual([]);
    expect(clean.rendering?.charts.map((chart) => `${chart.application} ${chart.args.slice(0, 8).join(' ')}`)).toEqual([
      `Application/argocd/web template . --name-template web --namespace shop --kube-version ${kubeVersion}`,
      `Application/argocd/widgets template . --name-template gadgets --namespace gadgets --kube-version ${kubeVersion}`,
    ]);
    const broken = await checkFiles(memory(labTree({ 'values/web/override.yaml': dump({ replicas: 3, port: 9000 }) })), { render: { helm: helm!, charts } });
    expect(broken.findings.filter((finding) => finding.severity === 'error').map((finding) => `${finding.object}: ${finding.problem}`)).toEqual([
      'HTTPRoute/shop/web: Application/argocd/web applies it, and it references Service/shop/web port 8080 (spec.rules[0].backendRefs[0]), which Service/shop/web does not have (its ports: http: 9000)',
    ]);
  });

  it('decides ServiceMonitor and CiliumNetworkPolicy selectors on the objects the charts render', async () => {
    const monitor = (app: string, port: string) => ({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app } }, endpoints: [{ port }] } });
    const policy = (app: string) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' }, spec: { endpointSelector: { matchLabels: { 'k8s:app': app } }, ingress: [{ fromEndpoints: [{}] }] } });
    const selectorFindings = async (files: Record<string, string | object>, ...argv: string[]) =>
      (JSON.parse((await run(writeFiles(labTree(files)), env, 'check', '--format', 'json', ...argv)).out) as { findings: { check: string; object: string; problem: string }[] }).findings
        .filter((finding) => finding.object === 'ServiceMonitor/shop/web' || finding.object === 'CiliumNetworkPolicy/shop/web')
        .filter((finding) => finding.check === 'references')
        .map((finding) => `${finding.object}: ${finding.problem}`);
    const rendered = ['--render', '--charts', charts];
    // The chart's Service (labels app: web, port http) and pods (app: web) exist only once rendered.
    expect(await selectorFindings({ 'manifests/web/monitor.yaml': monitor('web', 'http'), 'manifests/web/policy.yaml': policy('web') }, ...rendered)).toEqual([]);
    expect(await selectorFindings({ 'manifests/web/monitor.yaml': monitor('web', 'metrics'), 'manifests/web/policy.yaml': policy('shop') }, ...rendered)).toEqual([
      "ServiceMonitor/shop/web: Application/argocd/web applies it, and spec.endpoints[0].port 'metrics' names no port of the Services it selects (Service/shop/web)",
      'CiliumNetworkPolicy/shop/web: Application/argocd/web applies it, and its spec.endpointSelector matches no pod in namespace shop',
    ]);
    expect(await selectorFindings({ 'manifests/web/monitor.yaml': monitor('api', 'http') }, ...rendered)).toEqual([
      'ServiceMonitor/shop/web: Application/argocd/web applies it, and its selector (spec.selector) matches no Service in shop',
    ]);
    // Unrendered, the chart may create the Service and pods: nothing is decided in its namespace.
    expect(await selectorFindings({ 'manifests/web/monitor.yaml': monitor('api', 'metrics'), 'manifests/web/policy.yaml': policy('shop') })).toEqual([]);
  });

  it("admits every rendered pod spec by its namespace's Pod Security level", async () => {
    const restricted = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } };
    const result = await check(labTree({ 'manifests/web/namespace.yaml': restricted }));
    const errors = errorsOf(result);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((finding) => finding.check === 'pod-security' && finding.file === 'apps/web.yaml > web/templates/deployment.yaml' && finding.object === 'Deployment/shop/web')).toBe(true);
  });

  it('verifies chartObjects: a vouched object no chart renders is an error', async () => {
    const result = await check(labTree({ '.homelab-check.yaml': load(`external: [Gateway/shop/internal]\nchartObjects: [Service/shop/web, Service/shop/web-api]\n`) as object }));
    expect(errorsOf(result)).toEqual([
      expect.objectContaining({ file: '.homelab-check.yaml', object: 'chartObjects[1]', problem: 'vouches for Service/shop/web-api, but no chart renders it (rendered into shop: web (Application/argocd/web))' }),
    ]);
  });

  it('without helm: one line says the render was skipped and how to get helm; the check still runs', async () => {
    const result = await run(writeFiles(labTree({ 'manifests/web/secret.yaml': webSecret(['password']) })), { PATH: '/nonexistent', GOPATH: '/nonexistent' }, 'check', '--render');
    expect(result.errLines).toEqual([expect.stringMatching(/^⚠ render skipped: helm not found on PATH or in ~\/go\/bin, charts stay opaque \(install it .*\)$/)]);
    expect(result.code).toBe(0);
    const generated = await run(writeFiles({ 'homelab.yaml': readFileSync(join(WORKSPACE, 'homelab.yaml'), 'utf8') }), { PATH: '/nonexistent', GOPATH: '/nonexistent' }, 'generate', '--render', '--quiet');
    expect(generated.errLines).toEqual([expect.stringMatching(/^⚠ render skipped: helm not found/)]);
    expect(generated.code).toBe(0);
    const rendered = await run(writeFiles(labTree()), { PATH: '/nonexistent', GOPATH: '/nonexistent' }, 'render');
    expect(rendered.code).toBe(2);
    expect(rendered.errLines).toEqual([expect.stringMatching(/^✖ homelab render needs helm, not found on PATH or in ~\/go\/bin: install it/)]);
  });
});

/**
 * Test fixtures for `homelab render` and `check --render`: three small charts the tests write
 * (no chart repository is reachable here) and an ArgoCD tree installing them.
 *
 * - `web`: a Deployment reading a Secret key, a Service on `.Values.port`, and a ConfigMap of the
 *   facts Helm was given (release, namespace, Kubernetes version, replicas after value-file
 *   merging, whether the Widget API is served); `values.schema.json` types `port`;
 * - `needs`: fails unless `.Values.token` is set (`required`); `quotePort` renders an invalid Service;
 * - `widgets`: installs the Widget CRD (crds/) and a Widget of `.Values.size`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { cachedChartDir } from '@homelab/check';

export const CHART_REPO = 'https://charts.example.com';
export const GIT_REPO = 'https://git.example.com/lab.git';
export const KUBERNETES_VERSION = 'v1.34.1';

type Files = Record<string, string | object>;

const chartFile = (name: string) => dump({ apiVersion: 'v2', name, version: '1.0.0', type: 'application' });

export const CHARTS: Record<string, Files> = {
  web: {
    'Chart.yaml': chartFile('web'),
    'values.yaml': dump({ image: 'nginx:1.27', port: 8080, replicas: 1, secret: { name: 'web-secret', key: 'token' } }),
    'values.schema.json': JSON.stringify({
      $schema: 'https://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { image: { type: 'string' }, port: { type: 'integer', minimum: 1, maximum: 65535 }, replicas: { type: 'integer' } },
      required: ['image', 'port'],
    }),
    'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: { app: {{ .Release.Name }} }
spec:
  replicas: {{ .Values.replicas }}
  selector: { matchLabels: { app: {{ .Release.Name }} } }
  template:
    metadata: { labels: { app: {{ .Release.Name }} } }
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          ports: [{ name: http, containerPort: {{ .Values.port }} }]
          env:
            - name: TOKEN
              valueFrom: { secretKeyRef: { name: {{ .Values.secret.name }}, key: {{ .Values.secret.key }} } }
`,
    'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
  labels: { app: {{ .Release.Name }} }
spec:
  selector: { app: {{ .Release.Name }} }
  ports: [{ name: http, port: {{ .Values.port }}, targetPort: http }]
`,
    'templates/facts.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-facts
data:
  release: {{ .Release.Name | quote }}
  namespace: {{ .Release.Namespace | quote }}
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
  replicas: {{ .Values.replicas | quote }}
  widgetApi: {{ .Capabilities.APIVersions.Has "example.com/v1/Widget" | quote }}
`,
  },
  needs: {
    'Chart.yaml': chartFile('needs'),
    'values.yaml': dump({ quotePort: false }),
    'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: needs
  annotations: { token: {{ required "needs: set token (the API token)" .Values.token | quote }} }
spec:
  ports: [{ port: {{ if .Values.quotePort }}"80"{{ else }}80{{ end }} }]
`,
  },
  widgets: {
    'Chart.yaml': chartFile('widgets'),
    'crds/widget.yaml': dump({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    }),
    'templates/widget.yaml': `apiVersion: example.com/v1
kind: Widget
metadata:
  name: {{ .Release.Name }}
spec:
  size: {{ .Values.size | default 3 }}
`,
  },
};

/** An Application installing `chart` from CHART_REPO with value files from this repository. */
export function chartApplication(name: string, namespace: string, chart: string, options: { valueFiles?: string[]; releaseName?: string; manifests?: string; values?: object } = {}): object {
  const helm = {
    ...(options.releaseName ? { releaseName: options.releaseName } : {}),
    ...(options.valueFiles ? { valueFiles: options.valueFiles.map((file) => `$values/${file}`) } : {}),
    ...(options.values ? { valuesObject: options.values } : {}),
  };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace },
      sources: [
        { repoURL: CHART_REPO, chart, targetRevision: '1.0.0', ...(Object.keys(helm).length > 0 ? { helm } : {}) },
        { repoURL: GIT_REPO, targetRevision: 'main', ref: 'values' },
        ...(options.manifests ? [{ repoURL: GIT_REPO, targetRevision: 'main', path: options.manifests }] : []),
      ],
      syncPolicy: { syncOptions: ['CreateNamespace=true'] },
    },
  };
}

const root = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'root', namespace: 'argocd' },
  spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'argocd' }, source: { repoURL: GIT_REPO, targetRevision: 'main', path: 'apps' } },
};

export const route = (port: number) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { parentRefs: [{ name: 'internal' }], hostnames: ['web.example.com'], rules: [{ backendRefs: [{ name: 'web', port }] }] },
});

export const webSecret = (keys: string[]) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'web-secret', namespace: 'shop' }, stringData: Object.fromEntries(keys.map((key) => [key, 'x'])) });

/** The tree: root → web (chart + values files + manifests) and widgets (release gadgets). */
export function labTree(overrides: Files = {}): Files {
  return {
    'apps/root.yaml': root,
    'apps/web.yaml': chartApplication('web', 'shop', 'web', { valueFiles: ['values/web/base.yaml', 'values/web/override.yaml'], manifests: 'manifests/web' }),
    'apps/widgets.yaml': chartApplication('widgets', 'gadgets', 'widgets', { releaseName: 'gadgets' }),
    'values/web/base.yaml': dump({ replicas: 2 }),
    'values/web/override.yaml': dump({ replicas: 3 }),
    'manifests/web/route.yaml': route(8080),
    'manifests/web/secret.yaml': webSecret(['token']),
    'talos/talconfig.yaml': dump({ clusterName: 'lab', kubernetesVersion: KUBERNETES_VERSION, nodes: [] }),
    '.homelab-check.yaml': dump({ external: ['Gateway/shop/internal'], chartObjects: ['Service/shop/web'] }),
    ...overrides,
  };
}

const made: string[] = [];

/** Writes files (objects as YAML) into a fresh temporary directory. */
export function writeFiles(files: Files, prefix = 'homelab-render-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  writeChart(files, dir);
  return dir;
}

/** Writes a chart's files (objects as YAML) into `dir`. */
export function writeChart(files: Files, dir: string): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : dump(content));
  }
}

/** A chart cache holding the test charts, laid out as `homelab render` keeps it. */
export function chartCache(charts: Record<string, Files> = CHARTS): string {
  const cache = writeFiles({}, 'homelab-charts-');
  for (const [name, files] of Object.entries(charts)) writeChart(files, cachedChartDir(cache, CHART_REPO, name, '1.0.0'));
  return cache;
}

export function removeFixtures(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

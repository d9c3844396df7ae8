/**
 * Sync order. ArgoCD applies an Application's resources wave by wave and, given the Application
 * health check, an app-of-apps syncs its child Applications the same way. Reported:
 * - custom resources not in a later wave than what installs their CRDs (a chart known to ship
 *   them, a git source of CRDs, or CustomResourceDefinition objects in the tree);
 * - Secrets a pod needs that sync after the pod (the pod's wave never gets healthy);
 * - child Applications with sync waves while ArgoCD lacks the Application health check (since
 *   ArgoCD 1.8 an Application has no health, so a parent does not wait for its children's waves);
 * - sync-wave annotations that are not integers (ArgoCD silently uses 0).
 */
import { describePlaced, isHook, type AppNode, type Placed, type Resolution } from './argocd.js';
import type { CheckSettings } from './config.js';
import { APPLICATION_HEALTH_KEY, BUILTIN_GROUPS, GIT_CRD_SOURCES, PREINSTALLED_CRD_GROUPS, SYNC_WAVE } from './defaults.js';
import type { Finding } from './finding.js';
import { globMatch } from './glob.js';
import { compare, parseWave, type Position, type Step } from './position.js';
import type { SecretUse } from './references.js';
import { isMap, type Tree } from './tree.js';

interface Installer {
  /** What installs the CRDs, for messages: a chart, a git source, a CRD object. */
  what: string;
  /** The Application applying it. */
  app: string;
  position: Position;
  /** A CustomResourceDefinition object (ArgoCD applies it first within its wave and skips the dry run of its CRs). */
  crdObject: boolean;
}

const waveText = (step: Step) => `wave ${step.wave}`;

export function checkOrdering(resolution: Resolution, secretUses: SecretUse[], settings: CheckSettings, tree: Tree, objectFiles: string[]): Finding[] {
  const findings: Finding[] = [];
  const labels = new Map(resolution.apps.map((app) => [app.doc.id, app.label]));
  const where = (step: Step) => `${waveText(step)} of ${labels.get(step.container) ?? step.container}`;

  // CRD installers by group (charts, git sources) and by group/kind (CRD objects).
  const byGroup = new Map<string, Installer[]>();
  const add = (key: string, installer: Installer) => byGroup.set(key, [...(byGroup.get(key) ?? []), installer]);
  for (const { chart, app, position } of resolution.charts) {
    for (const group of chart.crdGroups) add(group, { what: `chart ${chart.name}`, app: app.label, position, crdObject: false });
  }
  for (const source of resolution.remoteSources) {
    for (const known of GIT_CRD_SOURCES) {
      if (source.repo === known.repo && (source.path === known.pathPrefix || source.path.startsWith(`${known.pathPrefix}/`))) {
        for (const group of known.groups) add(group, { what: `source ${known.repo}/${source.path}`, app: source.app.label, position: source.position, crdObject: false });
      }
    }
  }
  for (const entry of resolution.placed) {
    if (entry.doc.kind !== 'CustomResourceDefinition') continue;
    const spec = entry.doc.raw['spec'];
    const group = isMap(spec) && typeof spec['group'] === 'string' ? spec['group'] : undefined;
    const kind = isMap(spec) && isMap(spec['names']) && typeof spec['names']['kind'] === 'string' ? spec['names']['kind'] : undefined;
    if (group && kind) add(`${group}/${kind}`, { what: describePlaced(entry), app: entry.app.label, position: entry.position, crdObject: true });
  }

  // Labels of what a sync orders: Applications, objects, charts and remote sources.
  const elementLabels = new Map<string, string>(labels);
  for (const entry of resolution.placed) if (!elementLabels.has(entry.doc.id)) elementLabels.set(entry.doc.id, describePlaced(entry));
  for (const { chart } of resolution.charts) elementLabels.set(chart.element, `chart ${chart.name}`);
  for (const source of resolution.remoteSources) elementLabels.set(source.element, `source ${source.repo}/${source.path}`);
  const label = (step: Step) => elementLabels.get(step.element) ?? step.element;
  /** `syncs in wave W of C` (the object itself) or `syncs with A, in wave W of C` (an Application applying it). */
  const syncs = (self: Placed, step: Step) => `syncs ${step.element === self.doc.id ? '' : `with ${label(step)}, `}in ${where(step)}`;

  // CRDs applied by hand (declared roots) exist before anything syncs, like ArgoCD's own.
  const handInstalled = new Set<string>();
  for (const { doc } of resolution.handApplied) {
    const spec = doc.raw['spec'];
    if (doc.kind === 'CustomResourceDefinition' && isMap(spec) && typeof spec['group'] === 'string' && isMap(spec['names'])) handInstalled.add(`${spec['group']}/${String(spec['names']['kind'])}`);
  }

  const reportedMissing = new Set<string>();
  for (const entry of resolution.placed) {
    const { group, kind } = entry.doc;
    if (BUILTIN_GROUPS.has(group) || PREINSTALLED_CRD_GROUPS.includes(group) || handInstalled.has(`${group}/${kind}`) || kind === 'CustomResourceDefinition' || isHook(entry.doc)) continue;
    const installers = [...(byGroup.get(`${group}/${kind}`) ?? []), ...(byGroup.get(group) ?? [])];
    if (installers.length === 0) {
      const declared = settings.external.some((external) => external.kind === 'CustomResourceDefinition' && (globMatch(external.name, group) || globMatch(external.name, `*.${group}`)));
      if (declared || reportedMissing.has(`${group}/${kind}`)) continue;
      reportedMissing.add(`${group}/${kind}`);
      findings.push({
        check: 'ordering',
        severity: 'warning',
        file: entry.doc.file,
        object: describePlaced(entry),
        problem: `no Application in this tree installs the CRD of ${group}/${kind}`,
        hint: `Add the chart or CRDs that define it, or declare them external (--external CustomResourceDefinition/${group})`,
      });
      continue;
    }
    const comparisons = installers.map((installer) => ({ installer, result: compare(entry.position, installer.position) }));
    if (comparisons.some(({ result }) => result.order === 'after')) continue;
    if (comparisons.some(({ installer, result }) => result.order === 'concurrent' && result.sameApplication && installer.crdObject)) continue;
    const { installer, result } = comparisons.find(({ result }) => result.order === 'concurrent') ?? comparisons[0]!;
    const crds = installer.crdObject ? `the ${kind} CRD` : `the ${group} CRDs`;
    if (!result.at) {
      findings.push({
        check: 'ordering',
        severity: 'error',
        file: entry.doc.file,
        object: describePlaced(entry),
        problem: `syncs under another root than ${installer.what} (${installer.app}), which installs ${crds}: nothing orders them`,
        hint: 'Put both under one app-of-apps, the custom resource in a later sync wave',
      });
      continue;
    }
    const [mine, theirs] = result.at;
    const installs = `which installs ${crds}${labels.has(theirs.element) ? ` (${installer.what})` : ''}`;
    const relation = result.order === 'before' ? `before ${label(theirs)} (${waveText(theirs)}), ${installs}` : `the same wave as ${label(theirs)}, ${installs}`;
    const sameWaveOwnChart = result.order === 'concurrent' && result.sameApplication;
    findings.push({
      check: 'ordering',
      severity: sameWaveOwnChart ? 'warning' : 'error',
      file: entry.doc.file,
      object: describePlaced(entry),
      problem: `${syncs(entry, mine)}, ${relation}`,
      hint: sameWaveOwnChart
        ? 'Give it a later argocd.argoproj.io/sync-wave (e.g. 1), so the CRDs and their controller are ready first'
        : 'Put it (or its Application) in a later sync wave than the Application installing its CRDs',
    });
  }

  for (const use of secretUses) {
    const result = compare(use.secret.position, use.consumer.position);
    if (result.order !== 'after') continue;
    const [theirs, mine] = result.at!;
    const consumer = mine.element === use.consumer.doc.id ? 'it' : label(mine);
    findings.push({
      check: 'ordering',
      severity: 'error',
      file: use.consumer.doc.file,
      object: describePlaced(use.consumer),
      problem: `needs ${describePlaced(use.secret)} (${use.field}), which ${syncs(use.secret, theirs)}, after ${consumer} (${waveText(mine)})`,
      hint: 'Its pods cannot start, so its wave never gets healthy and the Secret is never applied: move the Secret to an earlier wave (or the same one)',
    });
  }

  findings.push(...healthCheckFindings(resolution, tree, objectFiles));

  for (const entry of [...resolution.placed, ...resolution.roots.map((root) => ({ doc: root.doc, namespace: root.doc.namespace ?? 'argocd' }))]) {
    const value = entry.doc.annotations[SYNC_WAVE];
    if (value !== undefined && !parseWave(value).valid) {
      findings.push({
        check: 'ordering',
        severity: 'warning',
        file: entry.doc.file,
        object: describePlaced(entry),
        problem: `sync-wave annotation '${value}' is not an integer`,
        hint: 'ArgoCD treats it as wave 0: write an integer, quoted',
      });
    }
  }
  return findings;
}

/** Whether a ConfigMap `data` / chart `configs.cm` map holds the Application health check. */
function hasHealthCheck(cm: unknown): boolean {
  if (!isMap(cm)) return false;
  if (typeof cm[APPLICATION_HEALTH_KEY] === 'string' && cm[APPLICATION_HEALTH_KEY].trim() !== '') return true;
  const nested = cm['resource.customizations'];
  return typeof nested === 'string' && /argoproj\.io\/Application:/.test(nested) && /health\.lua/.test(nested);
}

function healthCheckFindings(resolution: Resolution, tree: Tree, objectFiles: string[]): Finding[] {
  const parents = new Map<AppNode, AppNode[]>();
  for (const app of resolution.apps) {
    if (!app.reached || !app.parent) continue;
    const wave = app.doc.annotations[SYNC_WAVE];
    if (wave === undefined || parseWave(wave).wave === 0) continue;
    parents.set(app.parent, [...(parents.get(app.parent) ?? []), app]);
  }
  if (parents.size === 0) return [];

  // ArgoCD's configuration may be applied by hand at bootstrap: look at every file, not only reached ones.
  let configSeen = false;
  for (const file of objectFiles) {
    for (const doc of tree.objectsOf(file)) {
      if (doc.group !== '' || doc.kind !== 'ConfigMap' || doc.name !== 'argocd-cm') continue;
      configSeen = true;
      if (hasHealthCheck(doc.raw['data'])) return [];
    }
  }
  for (const app of resolution.apps) {
    for (const chart of app.expansion.charts) {
      if (chart.name !== 'argo-cd') continue;
      configSeen = true;
      // Helm merges values files in order: the last one setting the key wins.
      for (const input of [...chart.values].reverse()) {
        const configs = isMap(input.data) ? input.data['configs'] : undefined;
        const cm = isMap(configs) ? configs['cm'] : undefined;
        if (isMap(cm) && (APPLICATION_HEALTH_KEY in cm || 'resource.customizations' in cm)) {
          if (hasHealthCheck(cm)) return [];
          break;
        }
      }
    }
  }
  return [...parents].map(([parent, children]) => {
    const names = children.map((child) => child.doc.name).sort();
    const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    return {
      check: 'ordering' as const,
      severity: configSeen ? ('error' as const) : ('warning' as const),
      file: parent.doc.file,
      object: parent.label,
      problem: configSeen
        ? `its child Applications use sync waves (${shown}), but ArgoCD has no Application health check`
        : `its child Applications use sync waves (${shown}); ArgoCD's configuration (argocd-cm or the argo-cd chart) is not in this tree, so the Application health check cannot be confirmed`,
      hint: `Without ${APPLICATION_HEALTH_KEY} in argocd-cm (configs.cm of the argo-cd chart) a parent does not wait for a wave of Applications to be healthy, and the waves order nothing`,
    };
  });
}

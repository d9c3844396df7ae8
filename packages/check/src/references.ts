/**
 * Dangling references: a Secret, ConfigMap, PVC, StorageClass, Service, Gateway, (Cluster)Issuer,
 * ServiceAccount or Namespace some applied object names, that nothing creates. What counts as
 * created: objects ArgoCD applies from this tree (SOPS-encrypted Secrets included: their metadata
 * is plain text) or applied by hand (`roots:`), Secrets cert-manager writes (Certificate.secretName, ACME account keys, shim-annotated
 * Gateways and Ingresses), namespaces ArgoCD creates (CreateNamespace=true), what every cluster and
 * namespace has, and objects declared external. A namespace a Helm chart deploys into may hold
 * anything the chart creates, so references into it are reported as information only.
 */
import { describeObject } from '@homelab/core';
import { describePlaced, type Placed, type Resolution } from './argocd.js';
import { BUILTIN_NAMESPACES, CONFIG_FILE, NFS_EXPORT_REQUIREMENTS, PER_NAMESPACE_OBJECTS, nfsExportRequirementsText } from './defaults.js';
import { externalMatcher, type CheckSettings } from './config.js';
import type { Finding } from './finding.js';
import { grantPermits, producedSecrets, sharedRefsOf, type Ref } from './refs.js';
import { isMap } from './tree.js';

const keyOf = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ''}/${name}`;

export interface SecretUse {
  consumer: Placed;
  secret: Placed;
  field: string;
}

export interface ReferenceResult {
  findings: Finding[];
  /** Pod-blocking references to Secrets the tree applies, for the ordering check. */
  secretUses: SecretUse[];
}

/** Where cert-manager keeps ClusterIssuer secrets: its chart's clusterResourceNamespace, else its namespace. */
export function clusterResourceNamespace(resolution: Resolution): string {
  for (const { chart, app } of resolution.charts) {
    if (chart.name !== 'cert-manager') continue;
    for (const input of [...chart.values].reverse()) {
      const value = isMap(input.data) ? input.data['clusterResourceNamespace'] : undefined;
      if (typeof value === 'string' && value !== '') return value;
    }
    if (app.destinationNamespace) return app.destinationNamespace;
  }
  return 'cert-manager';
}

export function checkReferences(resolution: Resolution, settings: CheckSettings): ReferenceResult {
  const findings: Finding[] = [];
  const secretUses: SecretUse[] = [];
  const crNamespace = clusterResourceNamespace(resolution);
  const { trusted: chartObjects, findings: chartObjectFindings } = verifyChartObjects(resolution, settings);
  findings.push(...chartObjectFindings, ...nfsExportFindings(resolution));
  const isExternal = externalMatcher({ external: [...settings.external, ...chartObjects] });

  const objects = new Map<string, Placed>();
  const produced = new Set<string>();
  for (const entry of resolution.placed) {
    const name = entry.rename ? `${entry.rename.prefix}${entry.doc.name}${entry.rename.suffix}` : entry.doc.name;
    const key = keyOf(entry.doc.kind, entry.namespace, entry.doc.kind === 'Namespace' ? entry.doc.name : name);
    if (!objects.has(key)) objects.set(key, entry);
    for (const [namespace, secret] of producedSecrets(entry.doc, entry.namespace, crNamespace)) produced.add(keyOf('Secret', namespace, secret));
  }
  const handApplied = new Set<string>();
  for (const entry of resolution.handApplied) {
    handApplied.add(keyOf(entry.doc.kind, entry.namespace, entry.doc.name));
    for (const [namespace, secret] of producedSecrets(entry.doc, entry.namespace, crNamespace)) produced.add(keyOf('Secret', namespace, secret));
  }

  const namespaces = new Set<string>([...BUILTIN_NAMESPACES, ...resolution.argocdNamespaces]);
  for (const app of resolution.apps) if (app.reached && app.createNamespace && app.destinationNamespace) namespaces.add(app.destinationNamespace);
  const chartNamespaces = new Map<string, { chart: string; app: Placed['app'] }[]>();
  for (const { chart, app } of resolution.charts) {
    if (chart.rendered) continue; // what it creates is known: references into its namespace resolve against it
    const namespace = app.destinationNamespace ?? 'default';
    chartNamespaces.set(namespace, [...(chartNamespaces.get(namespace) ?? []), { chart: chart.name, app }]);
  }
  /** The chart deploying into a namespace, preferring the referring object's own Application. */
  const chartIn = (namespace: string | undefined, from: Placed) => {
    const charts = namespace === undefined ? undefined : chartNamespaces.get(namespace);
    const chosen = charts?.find((candidate) => candidate.app === from.app) ?? charts?.[0];
    return chosen && `${chosen.chart} (${chosen.app.label})`;
  };

  const exists = (ref: Ref, from: Placed): Placed | true | undefined => {
    if (ref.kind === 'Namespace') {
      const placed = objects.get(keyOf('Namespace', undefined, ref.name));
      return placed ?? (namespaces.has(ref.name) || handApplied.has(keyOf('Namespace', undefined, ref.name)) ? true : undefined);
    }
    const names = from.rename ? [`${from.rename.prefix}${ref.name}${from.rename.suffix}`, ref.name] : [ref.name];
    for (const name of names) {
      const placed = objects.get(keyOf(ref.kind, ref.namespace, name));
      if (placed) return placed;
      if (handApplied.has(keyOf(ref.kind, ref.namespace, name))) return true;
      if (ref.kind === 'Secret' && produced.has(keyOf('Secret', ref.namespace, name))) return true;
    }
    if (ref.namespace !== undefined && PER_NAMESPACE_OBJECTS.some((object) => object.kind === ref.kind && object.name === ref.name)) return true;
    return undefined;
  };

  const grants = resolution.placed.filter((entry) => entry.doc.group === 'gateway.networking.k8s.io' && entry.doc.kind === 'ReferenceGrant');
  const granted = (ref: Ref) =>
    ref.grantFrom === undefined ||
    grants.some((grant) => grant.namespace === ref.namespace && grantPermits(grant.doc.raw['spec'], ref.grantFrom!, ref.kind, ref.name)) ||
    isExternal('ReferenceGrant', ref.namespace, '*');

  const seen = new Set<string>();
  for (const entry of resolution.placed) {
    const own = sharedRefsOf(entry.doc, entry.namespace, crNamespace);
    const refs = entry.namespace === undefined ? own : [...own, { kind: 'Namespace', namespace: undefined, name: entry.namespace, field: 'metadata.namespace', blocksPods: true }];
    for (const ref of refs) {
      const target = describeObject({ kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
      const object = () => describePlaced(entry); // only for findings: most references have none
      const found = exists(ref, entry);
      // Each reference needs its own port or keys; whether the target exists is reported once.
      const mismatch = found && found !== true ? targetMismatch(ref, found) : undefined;
      if (mismatch) {
        findings.push({
          check: 'references',
          severity: 'error',
          file: entry.doc.file,
          object: object(),
          problem: `${entry.app.label} applies it, and it references ${target} ${mismatch.what} (${ref.field}), which ${target} does not have (${mismatch.has})`,
          hint: mismatch.hint,
        });
      }
      const dedupe = `${entry.doc.id}→${target}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      if (found && found !== true && ref.kind === 'Secret' && ref.blocksPods) secretUses.push({ consumer: entry, secret: found, field: ref.field });
      if (!granted(ref)) {
        const from = ref.grantFrom!;
        findings.push({
          check: 'references',
          severity: 'error',
          file: entry.doc.file,
          object: object(),
          problem: `references ${target} (${ref.field}) across namespaces, but no ReferenceGrant in ${ref.namespace} lets ${from.kind}s from ${from.namespace} refer to it`,
          hint: `The Gateway ignores the reference (RefNotPermitted): add a ReferenceGrant in ${ref.namespace} from ${from.group} ${from.kind} in ${from.namespace} to ${ref.kind}s, or declare it external (--external ReferenceGrant/${ref.namespace}/*)`,
        });
      }
      if (found && found !== true) continue;
      if (found || isExternal(ref.kind, ref.namespace, ref.name)) continue;
      const chart = chartIn(ref.kind === 'Namespace' ? ref.name : ref.namespace, entry);
      if (chart) {
        findings.push({
          check: 'references',
          severity: 'info',
          file: entry.doc.file,
          object: object(),
          problem: `references ${target} (${ref.field}), which this tree does not create`,
          hint: `Not checked: chart ${chart} deploys into namespace ${ref.namespace ?? ref.name} and may create it; declare it external if it comes from elsewhere`,
        });
        continue;
      }
      const external = `--external ${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
      findings.push({
        check: 'references',
        severity: 'error',
        file: entry.doc.file,
        object: object(),
        problem: `references ${target} (${ref.field}), which nothing creates`,
        hint:
          ref.kind === 'Namespace'
            ? `Add a Namespace object, set CreateNamespace=true on an Application whose destination it is, or declare it external (${external})`
            : `Add it to the tree${ref.kind === 'Secret' ? ' (a *.sops.yaml file)' : ''}, fix the name, or declare it external (${external}, or external: in .homelab-check.yaml)`,
      });
    }
  }
  return { findings, secretUses };
}

/** What a referenced object lacks: the Service port or the Secret/ConfigMap keys the reference needs. */
function targetMismatch(ref: Ref, target: Placed): { what: string; has: string; hint: string } | undefined {
  const raw = target.doc.raw;
  if (ref.port !== undefined && ref.kind === 'Service') {
    const ports = (Array.isArray(get(raw, 'spec', 'ports')) ? (get(raw, 'spec', 'ports') as unknown[]) : []).filter(isMap);
    const field = typeof ref.port === 'number' ? 'port' : 'name';
    if (ports.some((port) => port[field] === ref.port)) return undefined;
    const has = ports.map((port) => (typeof port['name'] === 'string' ? `${port['name']}: ${String(port['port'])}` : String(port['port'])));
    return {
      what: `port ${ref.port}`,
      has: has.length > 0 ? `its ports: ${has.join(', ')}` : 'no ports',
      hint: `Traffic never reaches it (the reference does not resolve): use one of its ports, or fix the Service (${target.doc.file})`,
    };
  }
  if (ref.keys !== undefined && (ref.kind === 'Secret' || ref.kind === 'ConfigMap') && !target.generated) {
    const present = new Set<string>();
    for (const field of ref.kind === 'Secret' ? ['data', 'stringData'] : ['data', 'binaryData']) {
      const data = raw[field];
      if (isMap(data)) for (const key of Object.keys(data)) present.add(key);
    }
    const missing = ref.keys.filter((key) => !present.has(key));
    if (missing.length === 0) return undefined;
    return {
      what: `key${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
      has: present.size > 0 ? `its keys: ${[...present].sort().join(', ')}` : 'no keys',
      hint: `The pod does not start (CreateContainerConfigError): add the key to ${target.doc.file}${ref.kind === 'Secret' ? ' (homelab secrets set, or sops)' : ''}, or fix the reference`,
    };
  }
  return undefined;
}

const get = (value: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((current, key) => (isMap(current) ? current[key] : undefined), value);

/**
 * `chartObjects:` of .homelab-check.yaml: trusted while charts are opaque; once charts are rendered,
 * an entry in a namespace whose charts all rendered must be among the objects they created.
 */
function verifyChartObjects(resolution: Resolution, settings: CheckSettings): { trusted: CheckSettings['chartObjects']; findings: Finding[] } {
  const rendered = resolution.charts.filter(({ chart }) => chart.rendered);
  if (rendered.length === 0) return { trusted: settings.chartObjects, findings: [] };
  const unrendered = new Set(resolution.charts.filter(({ chart }) => !chart.rendered).map(({ app }) => app.destinationNamespace ?? 'default'));
  const trusted: CheckSettings['chartObjects'] = [];
  const findings: Finding[] = [];
  for (const [index, entry] of settings.chartObjects.entries()) {
    if (entry.namespace !== undefined && unrendered.has(entry.namespace)) {
      trusted.push(entry);
      continue;
    }
    const matches = externalMatcher({ external: [entry] });
    const created = resolution.placed.some((placed) => placed.doc.kind === entry.kind && matches(placed.doc.kind, placed.namespace, placed.doc.name));
    if (created) continue;
    const spec = `${entry.kind}/${entry.namespace ? `${entry.namespace}/` : ''}${entry.name}`;
    const charts = rendered.filter(({ app }) => entry.namespace === undefined || (app.destinationNamespace ?? 'default') === entry.namespace).map(({ chart, app }) => `${chart.name} (${app.label})`);
    findings.push({
      check: 'references',
      severity: 'error',
      file: CONFIG_FILE,
      object: `chartObjects[${index}]`,
      problem: `vouches for ${spec}, but no chart renders it${charts.length > 0 ? ` (rendered into ${entry.namespace ?? 'the cluster'}: ${charts.join(', ')})` : ''}`,
      hint: 'The vouched fact is wrong: fix the name, or the chart\'s values so that it creates it',
    });
  }
  return { trusted, findings };
}

/** `<server>:<share>` an NFS StorageClass provisions on, or a static NFS PersistentVolume mounts; undefined for anything else. */
function nfsExportOf(entry: Placed): string | undefined {
  const { doc } = entry;
  const at = (attributes: unknown) => `${String(get(attributes, 'server') ?? '?')}:${String(get(attributes, 'share') ?? '?')}`;
  if (doc.group === 'storage.k8s.io' && doc.kind === 'StorageClass' && doc.raw['provisioner'] === NFS_EXPORT_REQUIREMENTS.driver) return at(doc.raw['parameters']);
  if (doc.group === '' && doc.kind === 'PersistentVolume' && get(doc.raw, 'spec', 'csi', 'driver') === NFS_EXPORT_REQUIREMENTS.driver) return at(get(doc.raw, 'spec', 'csi', 'volumeAttributes'));
  return undefined;
}

/**
 * The NFS findings: the export behind every csi-driver-nfs StorageClass or PV must allow root
 * (no root squashing) and NFSv4; nothing in the tree shows whether it does, so this is information.
 */
export function nfsExportFindings(resolution: Resolution): Finding[] {
  return resolution.placed.flatMap((entry) => {
    const exported = nfsExportOf(entry);
    if (exported === undefined) return [];
    return [
      {
        check: 'references' as const,
        severity: 'info' as const,
        file: entry.doc.file,
        object: describePlaced(entry),
        problem: `${entry.app.label} applies it, and its volumes live on the NFS export ${exported}, whose options the tree cannot show`,
        hint: nfsExportRequirementsText(),
      },
    ];
  });
}

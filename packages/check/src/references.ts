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
import { BUILTIN_NAMESPACES, PER_NAMESPACE_OBJECTS } from './defaults.js';
import { externalMatcher, type CheckSettings } from './config.js';
import type { Finding } from './finding.js';
import { grantPermits, producedSecrets, refsOf, type Ref } from './refs.js';
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
  const isExternal = externalMatcher(settings);

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
    const refs = refsOf(entry.doc, entry.namespace, crNamespace);
    if (entry.namespace !== undefined) refs.push({ kind: 'Namespace', namespace: undefined, name: entry.namespace, field: 'metadata.namespace', blocksPods: true });
    for (const ref of refs) {
      const target = describeObject({ kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
      const dedupe = `${entry.doc.id}→${target}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      const found = exists(ref, entry);
      if (found && found !== true && ref.kind === 'Secret' && ref.blocksPods) secretUses.push({ consumer: entry, secret: found, field: ref.field });
      const object = () => describePlaced(entry); // only for findings: most references have none
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

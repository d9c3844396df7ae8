/**
 * Object schemas from @kubernetes-models: the class for an apiVersion/kind is imported by its file
 * path (`kubernetes-models/apps/v1/Deployment`, `@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute`),
 * once per kind, and its precompiled `validate()` runs on the object. Classes given by the caller
 * (`models`, by `apiVersion/Kind`) cover kinds no @kubernetes-models package does. Kinds without a
 * class are reported as information, not errors.
 */
import { Ajv } from 'ajv';
import { MODEL_PACKAGES } from './defaults.js';
import { describePlaced, type Applied } from './argocd.js';
import type { Finding } from './finding.js';
import { dynamicImport, type ImportModule } from './import-module.js';

/** A class shaped like @kubernetes-models': built from an object's data, `validate()` throws on a violation. */
export interface ModelClass {
  /** Takes the object as read (`never`: any data type the class declares is accepted). */
  new (data: never): { validate(): void };
  kind?: string;
}

/** Model classes by `apiVersion/Kind` (e.g. `tailscale.com/v1alpha1/Connector`). */
export type Models = Readonly<Record<string, ModelClass>>;

interface AjvLikeError {
  instancePath?: string;
  message?: string;
}

const classes = new Map<string, Promise<ModelClass | undefined>>();

/** What import() fails with when a package has no module for a kind. */
const NO_SUCH_MODULE = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

/** The module path of the class for apiVersion/kind, or undefined when no package covers the group. */
export function modelPath(apiVersion: string, kind: string): string | undefined {
  if (!/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (!version || !/^[a-z0-9]+$/.test(version)) return undefined;
  if (group === '') return `kubernetes-models/${version}/${kind}`;
  if (group!.endsWith('.k8s.io') || !group!.includes('.')) {
    const pkg = MODEL_PACKAGES[group!];
    return pkg ? `${pkg}/${group}/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
  }
  const pkg = MODEL_PACKAGES[group!];
  return pkg ? `${pkg}/${group}/${version}/${kind}` : undefined;
}

/**
 * The @kubernetes-models class for apiVersion/kind, or undefined when there is none. `importModule`
 * serves hosts where this code cannot call import() itself (the CLI's code-cached bundle).
 */
export function modelClass(apiVersion: string, kind: string, importModule: ImportModule = dynamicImport): Promise<ModelClass | undefined> {
  const key = `${apiVersion}/${kind}`;
  let found = classes.get(key);
  if (!found) {
    const path = modelPath(apiVersion, kind);
    found = path
      ? importModule(path).then(
          (module) => {
            const candidate = module[kind] as ModelClass | undefined;
            return typeof candidate === 'function' && typeof candidate.prototype?.validate === 'function' && candidate.kind === kind ? candidate : undefined;
          },
          (error: unknown) => {
            // No such file in the package: no class. Any other failure is a broken installation or host.
            if (NO_SUCH_MODULE.has((error as { code?: string }).code ?? '')) return undefined;
            throw error;
          },
        )
      : Promise.resolve(undefined);
    classes.set(key, found);
  }
  return found;
}

/** `/spec/selector: must have required property 'selector'`-style messages, deduplicated. */
export function validationMessages(error: unknown): string[] {
  const errors = (error as { errors?: AjvLikeError[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return [...new Set(errors.map((item) => `${item.instancePath || '/'} ${item.message ?? 'is invalid'}`))];
  }
  return [error instanceof Error ? error.message : String(error)];
}

/**
 * Classes for the custom resources of the CRD objects among `applied` (the tree's own and those
 * charts rendered), by `apiVersion/Kind`: each version's `openAPIV3Schema`, compiled with Ajv
 * (Kubernetes' `x-kubernetes-*` extensions and formats are not enforced).
 */
export function crdModels(applied: readonly Applied[]): Models {
  const models: Record<string, ModelClass> = {};
  let ajv: Ajv | undefined;
  for (const entry of applied) {
    const spec = entry.doc.raw['spec'] as Record<string, unknown> | undefined;
    if (entry.doc.kind !== 'CustomResourceDefinition' || !spec || typeof spec['group'] !== 'string') continue;
    const names = spec['names'] as Record<string, unknown> | undefined;
    if (typeof names?.['kind'] !== 'string') continue;
    const kind: string = names['kind'];
    for (const version of Array.isArray(spec['versions']) ? (spec['versions'] as Record<string, unknown>[]) : []) {
      const schema = (version?.['schema'] as Record<string, unknown> | undefined)?.['openAPIV3Schema'];
      if (typeof version?.['name'] !== 'string' || schema === null || typeof schema !== 'object') continue;
      ajv ??= new Ajv({ strict: false, allErrors: true, validateFormats: false });
      let validate: ReturnType<Ajv['compile']>;
      try {
        validate = ajv.compile(schema);
      } catch {
        continue; // a schema Ajv cannot compile is the API server's to reject, not ours to guess
      }
      models[`${spec['group']}/${version['name']}/${kind}`] = class {
        static readonly kind = kind;
        constructor(private readonly data: unknown) {}
        validate(): void {
          if (!validate(this.data)) throw Object.assign(new Error('invalid'), { errors: validate.errors ?? [] });
        }
      };
    }
  }
  return models;
}

/** Validates every applied object that has a schema; SOPS-encrypted and generated objects are skipped. */
export async function checkSchemas(applied: readonly Applied[], models: Models = {}, importModule?: ImportModule, crds: Models = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const unknownKinds = new Map<string, Applied>();
  for (const entry of applied) {
    if (entry.generated || entry.doc.sops) continue;
    const key = `${entry.doc.apiVersion}/${entry.doc.kind}`;
    const cls = models[key] ?? (await modelClass(entry.doc.apiVersion, entry.doc.kind, importModule)) ?? crds[key];
    if (!cls) {
      const key = `${entry.doc.apiVersion} ${entry.doc.kind}`;
      if (!unknownKinds.has(key)) unknownKinds.set(key, entry);
      continue;
    }
    try {
      new cls(entry.doc.raw as never).validate();
    } catch (error) {
      const messages = validationMessages(error);
      findings.push({
        check: 'schema',
        severity: 'error',
        file: entry.doc.file,
        object: describePlaced(entry),
        problem: `fails the ${entry.doc.apiVersion} ${entry.doc.kind} schema: ${messages.join('; ')}`,
        hint: 'The API server (or ArgoCD\'s dry run) rejects it: fix the fields named',
      });
    }
  }
  for (const [key, entry] of unknownKinds) {
    findings.push({
      check: 'schema',
      severity: 'info',
      file: entry.doc.file,
      object: describePlaced(entry),
      problem: `no schema known for ${key}`,
      hint: 'Objects of this kind are not validated (@kubernetes-models has no class for it, and no CRD in the tree defines it)',
    });
  }
  return findings;
}

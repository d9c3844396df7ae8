import type { KubeObject } from './component.js';

/** A problem found in generated output, pinned to the object and the package that made it. */
export interface OutputProblem {
  object: string;
  problem: string;
}

/** `Kind/namespace/name`, the way kubectl users think about an object. */
export function describeObject(object: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const { name = '<unnamed>', namespace } = object.metadata ?? {};
  return namespace ? `${object.kind}/${namespace}/${name}` : `${object.kind}/${name}`;
}

/** Runs each object's upstream schema validation (@kubernetes-models) and collects every failure. */
export function validateObjects(objects: Iterable<KubeObject>): OutputProblem[] {
  const problems: OutputProblem[] = [];
  for (const object of objects) {
    try {
      object.validate();
    } catch (error) {
      problems.push({ object: describeObject(object), problem: error instanceof Error ? error.message : String(error) });
    }
  }
  return problems;
}

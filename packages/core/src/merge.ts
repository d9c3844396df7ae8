/**
 * Jsonnet-style composition with Helm-values intuition.
 *
 * `merge(base, patch)`:
 * - plain objects merge key by key, recursively (jsonnet `a+: {...}`);
 * - arrays and scalars in the patch replace the base value (jsonnet `a: ...`);
 * - `null` in a patch deletes the key (as `helm --set a=null` does);
 * - `undefined` in a patch leaves the base value alone;
 * - `append(...items)` concatenates onto the base array (jsonnet `a+: [...]`);
 * - `replace(value)` sets the value verbatim, without merging into the base (jsonnet `a: {...}`).
 *
 * Inputs are never mutated; the result shares no mutable structure with the patch.
 */

const OPERATOR = Symbol('homelab.merge.operator');

/** A patch instruction that `merge()` applies instead of deep-merging. */
export type MergeOperator<T> =
  | { readonly [OPERATOR]: 'append'; readonly items: readonly ElementOf<T>[] }
  | { readonly [OPERATOR]: 'replace'; readonly value: T };

type ElementOf<T> = T extends readonly (infer E)[] ? E : never;

/** What may be merged onto a `T`: any part of it, `null` to delete, or an operator. */
export type Patch<T> =
  | MergeOperator<T>
  | (T extends readonly unknown[]
      ? T
      : T extends object
        ? { [K in keyof T]?: Patch<T[K]> | null }
        : T);

/** Appends items to the base array instead of replacing it. */
export function append<E>(...items: E[]): MergeOperator<E[]> {
  return { [OPERATOR]: 'append', items };
}

/** Sets a whole subtree verbatim: the base value underneath is dropped, not merged. */
export function replace<T>(value: T): MergeOperator<T> {
  return { [OPERATOR]: 'replace', value };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isOperator(value: unknown): value is MergeOperator<unknown> {
  return typeof value === 'object' && value !== null && OPERATOR in value;
}

/** Sets an own data property: plain assignment of a `__proto__` key would set the prototype instead. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Deep copy of plain data; operators and class instances are resolved/kept by `merge`. */
function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) setOwn(out, key, clone(child));
    return out;
  }
  return value;
}

function applyPatch(base: unknown, patch: unknown, path: string): unknown {
  if (patch === undefined) return clone(base);
  if (isOperator(patch)) {
    if (patch[OPERATOR] === 'replace') return clone(patch.value);
    const items: readonly unknown[] = patch.items;
    if (base === undefined || base === null) return items.map(clone);
    if (!Array.isArray(base)) {
      throw new TypeError(`merge: append() needs an array at '${path || '.'}' (got ${describe(base)}). Use replace() to set a new value.`);
    }
    return [...base.map(clone), ...items.map(clone)];
  }
  if (isPlainObject(patch)) {
    const result: Record<string, unknown> = isPlainObject(base) ? (clone(base) as Record<string, unknown>) : {};
    for (const [key, child] of Object.entries(patch)) {
      if (child === null) {
        delete result[key];
      } else if (child !== undefined) {
        const baseChild = isPlainObject(base) && Object.hasOwn(base, key) ? base[key] : undefined;
        setOwn(result, key, applyPatch(baseChild, child, path ? `${path}.${key}` : key));
      }
    }
    return result;
  }
  return clone(patch);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Merges `patch` onto `base` with the semantics described at the top of this file. */
export function merge<T>(base: T, patch: Patch<T> | undefined): T;
export function merge(base: unknown, patch: unknown): unknown {
  return applyPatch(base, patch, '');
}

/** Folds several patches onto a base, left to right. */
export function mergeAll<T>(base: T, ...patches: (Patch<T> | undefined)[]): T {
  if (patches.length === 0) return merge(base, undefined); // a copy, like every other merge result
  return patches.reduce<T>((acc, patch) => merge(acc, patch), base);
}

import { describe, expect, it } from 'vitest';
import { append, merge, mergeAll, replace } from './merge.js';

/** Untyped JSON-ish object: `Patch<Json>` accepts any patch shape, which edge-case tests need. */
type Json = Record<string, unknown>;

/** Freezes a value and everything reachable from it (string and symbol keys, operator payloads included). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/** Every object/array reachable from `value` (operator payloads are enumerable string keys, so included). */
function containers(value: unknown, into = new Set<object>()): Set<object> {
  if (value !== null && typeof value === 'object' && !into.has(value)) {
    into.add(value);
    for (const child of Object.values(value)) containers(child, into);
  }
  return into;
}

/** Asserts that no object or array of `result` is shared with any of `inputs`. */
function expectNoSharedStructure(result: unknown, ...inputs: unknown[]): void {
  const inputRefs = new Set<object>();
  for (const input of inputs) containers(input, inputRefs);
  const shared = [...containers(result)].filter((ref) => inputRefs.has(ref));
  expect(shared).toEqual([]);
}

describe('merge: plain objects deep-merge', () => {
  it('keeps base keys the patch does not mention and adds new ones', () => {
    expect(merge<Json>({ a: 1, b: 2 }, { c: 3 })).toStrictEqual({ a: 1, b: 2, c: 3 });
  });

  it('merges nested objects key by key, keeping siblings at every depth', () => {
    const base = { app: { image: { repo: 'nginx', tag: '1.0' }, replicas: 1 }, name: 'web' };
    const result = merge(base, { app: { image: { tag: '2.0' } } });
    expect(result).toStrictEqual({ app: { image: { repo: 'nginx', tag: '2.0' }, replicas: 1 }, name: 'web' });
  });

  it('lets a patch scalar override a base scalar, including falsy values', () => {
    expect(merge<Json>({ a: 1, b: true, c: 'x' }, { a: 0, b: false, c: '' })).toStrictEqual({ a: 0, b: false, c: '' });
  });

  it('replaces a base object with a patch scalar', () => {
    expect(merge<Json>({ a: { x: 1 } }, { a: 5 })).toStrictEqual({ a: 5 });
  });

  it('replaces a base scalar with the patch object (nothing to merge into)', () => {
    expect(merge<Json>({ a: 5 }, { a: { x: 1 } })).toStrictEqual({ a: { x: 1 } });
  });

  it('does not merge a patch object into a base array (no index keys leak in)', () => {
    expect(merge<Json>({ a: [1, 2] }, { a: { x: 1 } })).toStrictEqual({ a: { x: 1 } });
  });

  it('treats an empty patch object as "no change" and returns a copy', () => {
    const base = { a: { b: [1, 2] } };
    const result = merge(base, {});
    expect(result).toStrictEqual(base);
    expect(result).not.toBe(base);
    expect(result.a).not.toBe(base.a);
    expect(result.a.b).not.toBe(base.a.b);
  });

  it('does not merge into class instances: a non-plain patch value replaces the base value', () => {
    const when = new Date(0);
    const result = merge<Json>({ when: { year: 1970 } }, { when });
    expect(result.when).toBeInstanceOf(Date);
    expect(result.when).toBe(when);
    expect(result).not.toHaveProperty('when.year');
  });
});

describe('merge: arrays and scalars replace', () => {
  it('replaces a base array instead of concatenating', () => {
    expect(merge({ a: [1, 2, 3] }, { a: [9] })).toStrictEqual({ a: [9] });
  });

  it('replaces arrays of objects wholesale instead of merging element-wise', () => {
    const base = { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] };
    expect(merge(base, { ports: [{ name: 'http', port: 8080 }] })).toStrictEqual({ ports: [{ name: 'http', port: 8080 }] });
  });

  it('replaces a base object with a patch array', () => {
    expect(merge<Json>({ a: { 0: 'x', k: 1 } }, { a: ['y'] })).toStrictEqual({ a: ['y'] });
  });

  it('replaces with an empty array', () => {
    expect(merge({ a: [1, 2] }, { a: [] })).toStrictEqual({ a: [] });
  });

  it('keeps nulls inside a patch array verbatim (null only deletes object keys)', () => {
    expect(merge<Json>({ a: [1] }, { a: [null, 2] })).toStrictEqual({ a: [null, 2] });
  });

  it('replaces top-level scalars and arrays', () => {
    expect(merge(1, 2)).toBe(2);
    expect(merge('a', 'b')).toBe('b');
    expect(merge([1, 2], [3])).toStrictEqual([3]);
  });
});

describe('merge: null deletes, undefined leaves alone', () => {
  it('deletes a top-level key', () => {
    const result = merge<Json>({ a: 1, b: 2 }, { a: null });
    expect(result).toStrictEqual({ b: 2 });
    expect(Object.hasOwn(result, 'a')).toBe(false);
  });

  it('deletes a key at depth and keeps its siblings', () => {
    const base = { a: { b: { c: 1, d: 2 }, e: 3 } };
    expect(merge<Json>(base, { a: { b: { c: null } } })).toStrictEqual({ a: { b: { d: 2 }, e: 3 } });
  });

  it('deletes a whole subtree', () => {
    expect(merge<Json>({ a: { b: { c: 1 } }, z: 0 }, { a: null })).toStrictEqual({ z: 0 });
  });

  it('deleting a missing key is a no-op that does not create the key', () => {
    const result = merge<Json>({ a: 1 }, { b: null, c: { d: null } });
    expect(result).toStrictEqual({ a: 1, c: {} });
    expect(Object.hasOwn(result, 'b')).toBe(false);
  });

  it('deletes a key whose base value is falsy', () => {
    expect(merge<Json>({ a: 0, b: '', c: false }, { a: null, b: null, c: null })).toStrictEqual({});
  });

  it('leaves the base value alone for an undefined patch value', () => {
    expect(merge<Json>({ a: 1, b: { c: 2 } }, { a: undefined, b: { c: undefined } })).toStrictEqual({ a: 1, b: { c: 2 } });
  });

  it('does not create a key for an undefined patch value', () => {
    const result = merge<Json>({ a: 1 }, { b: undefined });
    expect(Object.keys(result)).toEqual(['a']);
  });

  it('returns a copy of the base for an undefined patch', () => {
    const base = { a: { b: 1 } };
    const result = merge(base, undefined);
    expect(result).toStrictEqual(base);
    expect(result).not.toBe(base);
    expect(result.a).not.toBe(base.a);
  });
});

describe('append()', () => {
  it('concatenates onto the base array (jsonnet a+: [...])', () => {
    expect(merge({ a: [1, 2] }, { a: append(3, 4) })).toStrictEqual({ a: [1, 2, 3, 4] });
  });

  it('appends at depth and leaves sibling arrays untouched', () => {
    const base = { spec: { args: ['--a'], env: ['X=1'] } };
    expect(merge(base, { spec: { args: append('--b') } })).toStrictEqual({ spec: { args: ['--a', '--b'], env: ['X=1'] } });
  });

  it('appends onto a top-level array', () => {
    expect(merge([1], append(2, 3))).toStrictEqual([1, 2, 3]);
  });

  it('with no items yields a copy of the base array', () => {
    const base = { a: [1, 2] };
    const result = merge(base, { a: append<number>() });
    expect(result).toStrictEqual({ a: [1, 2] });
    expect(result.a).not.toBe(base.a);
  });

  it('onto a missing key starts a new array', () => {
    expect(merge<{ a?: number[]; b: number }>({ b: 1 }, { a: append(1, 2) })).toStrictEqual({ a: [1, 2], b: 1 });
  });

  it('onto a missing nested path starts a new array', () => {
    expect(merge<Json>({}, { a: { b: append('x') } })).toStrictEqual({ a: { b: ['x'] } });
  });

  it('onto a null base value starts a new array', () => {
    expect(merge<Json>({ a: null }, { a: append(1) })).toStrictEqual({ a: [1] });
    expect(merge<number[] | null>(null, append(1))).toStrictEqual([1]);
  });

  it('onto a missing key named like an Object.prototype member starts a new array', () => {
    const result = merge<Json>({}, { toString: append(1), constructor: append(2) });
    // toStrictEqual would compare the own `constructor` keys as types, so compare the JSON text instead
    expect(JSON.stringify(result)).toBe('{"toString":[1],"constructor":[2]}');
  });

  it('keeps object items as copies, not references', () => {
    const item = { name: 'x' };
    const result = merge<{ a: { name: string }[] }>({ a: [{ name: 'w' }] }, { a: append(item) });
    expect(result.a).toStrictEqual([{ name: 'w' }, { name: 'x' }]);
    expect(result.a[1]).not.toBe(item);
  });

  it('throws onto a non-array, naming the dotted path and the found value', () => {
    expect(() => merge<Json>({ a: { b: { c: 'x' } } }, { a: { b: { c: append(1) } } })).toThrow(
      new TypeError(`merge: append() needs an array at 'a.b.c' (got string "x"). Use replace() to set a new value.`),
    );
  });

  it('throws onto a number and onto an object with the exact message', () => {
    expect(() => merge<Json>({ n: 5 }, { n: append(1) })).toThrow(
      new TypeError(`merge: append() needs an array at 'n' (got number 5). Use replace() to set a new value.`),
    );
    expect(() => merge<Json>({ a: { o: { k: 1 } } }, { a: { o: append(1) } })).toThrow(
      new TypeError(`merge: append() needs an array at 'a.o' (got an object). Use replace() to set a new value.`),
    );
  });

  it("names the root '.' when appending onto a non-array top-level base", () => {
    expect(() => merge<unknown>({ a: 1 }, append(1))).toThrow(
      new TypeError(`merge: append() needs an array at '.' (got an object). Use replace() to set a new value.`),
    );
  });

  it('throws a TypeError instance', () => {
    expect(() => merge<Json>({ a: true }, { a: append(1) })).toThrow(TypeError);
  });
});

describe('replace()', () => {
  it('replaces an object subtree verbatim, dropping base keys (jsonnet a: {...})', () => {
    const base = { a: { x: 1, y: { z: 2 } }, keep: true };
    expect(merge<Json>(base, { a: replace({ y: { w: 3 } }) })).toStrictEqual({ a: { y: { w: 3 } }, keep: true });
    // contrast: a plain patch object would have merged
    expect(merge<Json>(base, { a: { y: { w: 3 } } })).toStrictEqual({ a: { x: 1, y: { z: 2, w: 3 } }, keep: true });
  });

  it('replaces at depth', () => {
    const base = { a: { b: { c: 1, d: 2 }, e: 3 } };
    expect(merge<Json>(base, { a: { b: replace({ f: 4 }) } })).toStrictEqual({ a: { b: { f: 4 }, e: 3 } });
  });

  it('replaces with an empty object', () => {
    expect(merge<Json>({ a: { x: 1 } }, { a: replace({}) })).toStrictEqual({ a: {} });
  });

  it('sets a missing key', () => {
    expect(merge<Json>({}, { a: replace([1]) })).toStrictEqual({ a: [1] });
  });

  it('sets null verbatim instead of deleting the key', () => {
    const result = merge<Json>({ a: { x: 1 } }, { a: replace(null) });
    expect(result).toStrictEqual({ a: null });
    expect(Object.hasOwn(result, 'a')).toBe(true);
  });

  it('keeps nulls inside the replaced value instead of deleting', () => {
    expect(merge<Json>({ a: { x: 1, y: 2 } }, { a: replace({ x: null }) })).toStrictEqual({ a: { x: null } });
  });

  it('replaces the whole value at the top level', () => {
    expect(merge<Json>({ a: 1, b: { c: 2 } }, replace({ d: 3 }))).toStrictEqual({ d: 3 });
  });

  it('copies the replacement value instead of referencing it', () => {
    const value = { list: [1], nested: { k: 'v' } };
    const result = merge<Json>({}, { a: replace(value) });
    expect(result.a).toStrictEqual(value);
    expectNoSharedStructure(result, value);
  });
});

describe('merge: inputs are never mutated', () => {
  const makeBase = () => ({
    meta: { name: 'web', labels: { app: 'web', tier: 'front' } },
    spec: { replicas: 1, args: ['--a'], ports: [{ port: 80 }], volumes: { data: { size: '1Gi' } } },
    drop: { me: true },
  });
  const makePatch = () => ({
    meta: { labels: { tier: null, team: 'core' } },
    spec: { replicas: 3, args: append('--b', '--c'), ports: [{ port: 8080 }], volumes: replace({ cache: { size: '2Gi' } }), extra: { a: [1] } },
    drop: null,
    added: append({ x: 1 }),
  });
  const expected = {
    meta: { name: 'web', labels: { app: 'web', team: 'core' } },
    spec: { replicas: 3, args: ['--a', '--b', '--c'], ports: [{ port: 8080 }], volumes: { cache: { size: '2Gi' } }, extra: { a: [1] } },
    added: [{ x: 1 }],
  };

  it('works on deep-frozen base and patch, which stay equal to their snapshots', () => {
    const base = deepFreeze(makeBase());
    const patch = deepFreeze(makePatch());
    const baseSnapshot = structuredClone(base);
    const patchSnapshot = structuredClone(patch); // drops the operator tags (symbol keys) but keeps their payloads
    const result = merge<Json>(base, patch);
    expect(result).toStrictEqual(expected);
    expect(base).toStrictEqual(baseSnapshot);
    expect(structuredClone(patch)).toStrictEqual(patchSnapshot);
    expect(patch).toStrictEqual(makePatch()); // operator tags included
  });

  it('does not silently mutate unfrozen inputs', () => {
    const base = makeBase();
    const patch = makePatch();
    const baseSnapshot = structuredClone(base);
    const patchSnapshot = structuredClone(patch);
    expect(merge<Json>(base, patch)).toStrictEqual(expected);
    expect(base).toStrictEqual(baseSnapshot);
    expect(structuredClone(patch)).toStrictEqual(patchSnapshot);
    expect(patch).toStrictEqual(makePatch());
  });

  it('returns a result that shares no object or array with base or patch', () => {
    const base = makeBase();
    const patch = makePatch();
    const result = merge<Json>(base, patch);
    expectNoSharedStructure(result, base, patch);
  });

  it('does not alias patch arrays and objects that replace base values', () => {
    const patch = { list: [{ a: 1 }], obj: { nested: { b: [2] } } };
    const result = merge<Json>({ list: [0] }, patch);
    expect(result).toStrictEqual(patch);
    expectNoSharedStructure(result, patch);
  });

  it('returns a mutable result even from frozen inputs, and mutating it leaves the inputs intact', () => {
    const base = deepFreeze(makeBase());
    const patch = deepFreeze(makePatch());
    const result = merge(base, patch as never) as unknown as typeof expected;
    expect(Object.isFrozen(result)).toBe(false);
    result.spec.args.push('--mutated');
    result.spec.ports[0]!.port = 1;
    result.meta.labels.app = 'changed';
    (result.added[0] as { x: number }).x = 99;
    expect(base).toStrictEqual(makeBase());
    expect(patch).toStrictEqual(makePatch());
  });
});

describe('merge: keys that collide with Object.prototype', () => {
  it('keeps a JSON "__proto__" key as data instead of changing the result prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Json;
    const result = merge<Json>({}, patch);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(JSON.stringify(result)).toBe('{"__proto__":{"polluted":true},"a":1}');
    expect(({} as Json).polluted).toBeUndefined();
  });

  it('copies a "__proto__" data key of the base into the result', () => {
    const base = JSON.parse('{"__proto__": {"x": [1]}, "y": 1}') as Json;
    const result = merge<Json>(base, { y: 2 });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(JSON.stringify(result)).toBe('{"__proto__":{"x":[1]},"y":2}');
  });

  it('merges into a "__proto__" data key of the base', () => {
    const base = JSON.parse('{"__proto__": {"x": [1], "k": 0}}') as Json;
    const patch = JSON.parse('{"__proto__": {"k": 1}}') as Json;
    expect(JSON.stringify(merge<Json>(base, patch))).toBe('{"__proto__":{"x":[1],"k":1}}');
  });

  it('does not merge an inherited member into a patch object', () => {
    const result = merge<Json>({}, { constructor: { a: 1 }, toString: 'x' });
    expect(JSON.stringify(result)).toBe('{"constructor":{"a":1},"toString":"x"}');
  });
});

describe('mergeAll', () => {
  it('applies patches left to right: later patches win', () => {
    expect(mergeAll<Json>({ a: 0 }, { a: 1 }, { a: 2 }, { a: 3 })).toStrictEqual({ a: 3 });
  });

  it('applies appends in order', () => {
    expect(mergeAll({ l: [1] }, { l: append(2) }, { l: append(3) })).toStrictEqual({ l: [1, 2, 3] });
  });

  it('is order-sensitive for delete-then-set versus set-then-delete', () => {
    const base = { a: { x: 1 }, b: 1 };
    expect(mergeAll<Json>(base, { a: null }, { a: { y: 2 } })).toStrictEqual({ a: { y: 2 }, b: 1 });
    expect(mergeAll<Json>(base, { a: { y: 2 } }, { a: null })).toStrictEqual({ b: 1 });
  });

  it('is order-sensitive for replace-then-merge versus merge-then-replace', () => {
    const base = { a: { x: 1 } };
    expect(mergeAll<Json>(base, { a: replace({ y: 2 }) }, { a: { z: 3 } })).toStrictEqual({ a: { y: 2, z: 3 } });
    expect(mergeAll<Json>(base, { a: { z: 3 } }, { a: replace({ y: 2 }) })).toStrictEqual({ a: { y: 2 } });
  });

  it('equals folding merge() over the patches', () => {
    const base = { a: { b: [1] }, c: 1 };
    const p1 = { a: { b: append(2) }, d: 'x' };
    const p2 = { c: null, a: { e: true } };
    const p3 = { a: { b: append(3) } };
    expect(mergeAll<Json>(base, p1, p2, p3)).toStrictEqual(merge<Json>(merge<Json>(merge<Json>(base, p1), p2), p3));
    expect(mergeAll<Json>(base, p1, p2, p3)).toStrictEqual({ a: { b: [1, 2, 3], e: true }, d: 'x' });
  });

  it('skips undefined patches', () => {
    expect(mergeAll<Json>({ a: 1 }, undefined, { b: 2 }, undefined)).toStrictEqual({ a: 1, b: 2 });
  });

  it('returns a fresh copy of the base, even with no patches', () => {
    const base = deepFreeze({ a: { b: [1] } });
    const none = mergeAll(base);
    expect(none).toStrictEqual(base);
    expectNoSharedStructure(none, base);
    expectNoSharedStructure(mergeAll(base, {}), base);
  });

  it('does not mutate frozen base or patches', () => {
    const base = deepFreeze({ a: { b: [1] }, c: 1 });
    const p1 = deepFreeze({ a: { b: append(2) } });
    const p2 = deepFreeze({ c: null });
    const snapshots = [base, p1, p2].map((v) => structuredClone(v));
    expect(mergeAll<Json>(base, p1, p2)).toStrictEqual({ a: { b: [1, 2] } });
    expect([base, p1, p2].map((v) => structuredClone(v))).toStrictEqual(snapshots);
  });
});

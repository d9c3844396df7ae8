import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dump, load, loadAll } from 'js-yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { dumpYamlAll } from './yaml.js';
import { generatedHeader, hasGeneratedHeader, jsonData, objectData, objectFileName, renderObjectFile, renderYamlFile, toYaml } from './render.js';

describe('toYaml', () => {
  it('quotes YAML 1.1 booleans and octal-looking strings so 1.1 readers see strings', () => {
    const values = ['on', 'off', 'yes', 'no', 'y', 'n', 'true', '0123', '1e3', '~', 'null'];
    const yaml = toYaml(Object.fromEntries(values.map((v) => [v, v])));
    for (const value of values) expect(yaml).toMatch(new RegExp(`^'?${value.replace('~', '\\~')}'?: ['"]${value.replace('~', '\\~')}['"]$`, 'm'));
    expect(load(yaml)).toEqual(Object.fromEntries(values.map((v) => [v, v])));
  });

  it('drops undefined, never folds long lines, never emits anchors', () => {
    const shared = { a: 1 };
    const long = 'x'.repeat(300);
    const yaml = toYaml({ skip: undefined, long, one: shared, two: shared });
    expect(yaml).not.toContain('skip');
    expect(yaml).toContain(`long: ${long}\n`);
    expect(yaml).not.toMatch(/[&*]ref/);
  });
});

/** The js-yaml call toYaml has always been; its output is the format, byte for byte. */
const jsYaml = (plain: unknown) => dump(plain, { lineWidth: -1, noRefs: true, indent: 2 });

/** Strings js-yaml quotes, escapes or writes as `? key` pairs — and some it leaves plain. */
const oneLineTraps = fc.constantFrom(
  ...['on', 'yes', 'Y', '1', 'NO', 'True', '~', 'null', 'NULL', '', ' ', '\t', '0123', '1e3', '0x1F', '0b101', '0o17', '1_000', '12:30', '+1', '-.5', '.inf', '.NaN'],
  ...['2001-12-14', '<<', '=', '-', '--', '---', '...', '---x', ': x', 'a: b', 'a:b', '#', 'a #b', 'a#b', '- a', '? x', '?x', '[a]', '{a}', ',', '|', '>', '!x', '&a', '*a', '%', '@', '`'],
  ...['"', "'", "it's", ' lead', 'trail ', 'a  b', '\r', '\u0085', '\u2028', '\ufeff', '\u00a0', 'é', 'ü: x', '日本', '😀', '\ud800', '__proto__'],
  ...['k'.repeat(1024), 'k'.repeat(1025), "'".repeat(511), "'".repeat(512)],
);
/** Multi-line strings, which js-yaml writes as block scalars (or double-quoted). */
const multiLineTraps = fc.constantFrom('\n', 'a\nb', 'a\n', '\n\n', ' a\nb', 'a\n\n', 'a\r\nb', 'a\n---\nb', 'a \nb');
/** Mostly one-line strings: one multi-line string (or -0) sends the whole document to js-yaml, past the code under test. */
const strings = fc.oneof(
  { arbitrary: fc.oneof(fc.string(), fc.string({ unit: 'binary' })).filter((string) => !string.includes('\n')), weight: 20 },
  { arbitrary: oneLineTraps, weight: 20 },
  { arbitrary: multiLineTraps, weight: 1 },
);
const numbers = fc.oneof(
  { arbitrary: fc.oneof(fc.double(), fc.integer()).filter((number) => !Object.is(number, -0)), weight: 20 },
  { arbitrary: fc.constantFrom(-0, 1e21, 5e-7, 2 ** 53 + 2), weight: 1 },
);

/** JSON values, with the strings YAML likes to reinterpret and the undefined YAML has no word for. */
const data = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    strings,
    numbers,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value')),
    fc.dictionary(strings, fc.oneof(tie('value'), fc.constant(undefined))),
  ),
})).value;

/** Data as the generator renders it: mostly a mapping or a sequence at the top. */
const documents = fc.oneof(
  { arbitrary: fc.dictionary(strings, data, { minKeys: 1 }), weight: 6 },
  { arbitrary: fc.array(data, { minLength: 1 }), weight: 3 },
  { arbitrary: data, weight: 1 },
);

describe('rendered files', () => {
  it('carry as documents exactly what parsing their content yields', () => {
    fc.assert(
      fc.property(data, (value) => {
        const file = renderYamlFile('x.yaml', '@homelab/x', value);
        expect(loadAll(file.content)).toStrictEqual(file.documents);
      }),
      { numRuns: 300 },
    );
  });

  it('hold byte for byte what js-yaml writes for their documents', () => {
    fc.assert(
      fc.property(documents, (value) => {
        const file = renderYamlFile('x.yaml', '@homelab/x', value);
        expect(toYaml(value)).toBe(jsYaml(file.documents![0]));
        expect(file.content).toBe(generatedHeader('@homelab/x') + jsYaml(file.documents![0]));
      }),
      { numRuns: 1000 },
    );
  });

  it('hold byte for byte what js-yaml writes, rendered many at once too', () => {
    fc.assert(
      fc.property(fc.array(documents, { maxLength: 8 }), (values) => {
        expect(dumpYamlAll(values)).toEqual(values.map((value) => jsYaml(value)));
      }),
      { numRuns: 300 },
    );
  });

  it('hold byte for byte what js-yaml writes for strings of the characters plain YAML leaves alone', () => {
    // The strings toYaml writes without asking js-yaml (see yaml.ts): as keys and values, js-yaml agrees.
    const plainLooking = fc.stringMatching(/^[A-Za-z0-9_/.-]{1,12}$/);
    fc.assert(
      fc.property(fc.dictionary(plainLooking, fc.oneof(plainLooking, fc.array(plainLooking)), { minKeys: 1 }), (value) => {
        expect(toYaml(value)).toBe(jsYaml(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('write undefined and holes in arrays as js-yaml does (null)', () => {
    for (const value of [[undefined], ['a', , 'b'], { list: [1, undefined] }]) expect(toYaml(value)).toBe(jsYaml(value));
  });
});

describe('jsonData', () => {
  it('gives what a JSON round trip gives', () => {
    const withToJSON = fc.oneof(
      fc.anything().map((inner) => ({ toJSON: (key: string) => ({ key, inner }) })),
      fc.anything({ withDate: true }).map((data) => new ConfigMap({ metadata: { name: 'x', labels: undefined }, data: data as Record<string, string> })),
    );
    const values = fc.oneof(fc.anything({ withDate: true, withSparseArray: true, withNullPrototype: true, withObjectString: false }), withToJSON, fc.array(withToJSON), fc.constantFrom(-0, NaN, Infinity, [undefined, () => 1, Symbol('s')], [1, , 2], { __proto__: null, a: undefined, b: () => 1 }));
    fc.assert(
      fc.property(values, (value) => {
        const text = JSON.stringify(value);
        expect(jsonData(value)).toStrictEqual(text === undefined ? undefined : JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
});

describe('headers', () => {
  it('are recognised in every format the generator writes', () => {
    expect(hasGeneratedHeader(generatedHeader('@homelab/x'))).toBe(true);
    expect(hasGeneratedHeader(generatedHeader('@homelab/x', '//'))).toBe(true);
    expect(hasGeneratedHeader('<!-- Generated by homelab from @homelab/x. Do not edit by hand: … -->')).toBe(true);
    expect(hasGeneratedHeader('{\n  "//": "Generated by homelab from @homelab/x. Do not edit by hand: …"')).toBe(true);
    expect(hasGeneratedHeader('{\n  "$comment": "Generated by homelab from @homelab/x. Do not edit by hand: …"')).toBe(true);
  });

  it('are not found in hand-written files', () => {
    expect(hasGeneratedHeader('apiVersion: v1\n# Generated by homelab from @homelab/x. Do not edit by hand:')).toBe(false);
    expect(hasGeneratedHeader('# my notes\n')).toBe(false);
  });
});

describe('objects', () => {
  const object = new ConfigMap({ metadata: { name: 'settings', namespace: 'media' }, data: { a: 'b' } });

  it('lead with apiVersion, kind, metadata', () => {
    expect(Object.keys(objectData(object)).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('get stable file names, namespace-qualified only outside the default namespace', () => {
    expect(objectFileName(object, 'media')).toBe('ConfigMap-settings.yaml');
    expect(objectFileName(object, 'kube-system')).toBe('ConfigMap-media-settings.yaml');
  });

  it('render as files carrying the object and its data, the data no different from a YAML file of it', () => {
    const file = renderObjectFile('kubernetes/apps/x/manifests/ConfigMap-settings.yaml', '@homelab/x', object);
    expect(file).toStrictEqual({ ...renderYamlFile(file.path, '@homelab/x', objectData(object)), objects: [object] });
  });

  it('render with the header naming the source package', () => {
    const file = renderYamlFile('kubernetes/apps/x/manifests/ConfigMap-settings.yaml', '@homelab/x', objectData(object));
    expect(file.content.startsWith(generatedHeader('@homelab/x'))).toBe(true);
    expect(load(file.content)).toEqual(object.toJSON());
  });
});

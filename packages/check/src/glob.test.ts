import { describe, expect, it } from 'vitest';
import { globMatch, isLiteralGlob, isValidGlob } from './glob.js';

describe("globMatch (ArgoCD's util/glob: gobwas/glob without separators)", () => {
  it("lets '*' and '?' cross '/' (no separators are passed)", () => {
    expect(globMatch('*.yaml', 'deployment.yaml')).toBe(true);
    expect(globMatch('*.yaml', 'sub/dir/deployment.yaml')).toBe(true);
    expect(globMatch('*.yaml', 'deployment.yml')).toBe(false);
    expect(globMatch('a?b', 'a/b')).toBe(true);
    expect(globMatch('**/x.json', 'a/b/x.json')).toBe(true);
  });

  it('anchors the whole path', () => {
    expect(globMatch('deployment.yaml', 'sub/deployment.yaml')).toBe(false);
    expect(globMatch('sub/*', 'sub/a/b.yaml')).toBe(true);
    expect(globMatch('sub/*', 'other/sub/a.yaml')).toBe(false);
  });

  it('supports {alternatives}, [classes], [!negation], ranges and escapes', () => {
    expect(globMatch('{*.yml,*.yaml}', 'x.yml')).toBe(true);
    expect(globMatch('{config.json,env-usw2/*}', 'env-usw2/configmap.yaml')).toBe(true);
    expect(globMatch('{config.json,env-usw2/*}', 'env-use2/configmap.yaml')).toBe(false);
    expect(globMatch('{a,{b,c}}.yaml', 'c.yaml')).toBe(true);
    expect(globMatch('[ab].yaml', 'b.yaml')).toBe(true);
    expect(globMatch('[!ab].yaml', 'b.yaml')).toBe(false);
    expect(globMatch('v[0-9].yaml', 'v7.yaml')).toBe(true);
    expect(globMatch('\\*.yaml', '*.yaml')).toBe(true);
    expect(globMatch('\\*.yaml', 'x.yaml')).toBe(false);
    expect(globMatch('a.b', 'axb')).toBe(false);
  });

  it('tells literal patterns, which match exactly themselves, from those with glob syntax', () => {
    const texts = ['media', 'a.b', 'axb', 'x]y', 'a}b,c', '!ns', '', 'media-2'];
    for (const pattern of ['media', 'a.b', 'x]y', 'a}b,c', '!ns', '']) {
      expect(isLiteralGlob(pattern)).toBe(true);
      for (const text of texts) expect(globMatch(pattern, text)).toBe(pattern === text);
    }
    for (const pattern of ['media*', 'a?b', '[ab]', '{a,b}', '\\*']) expect(isLiteralGlob(pattern)).toBe(false);
  });

  it('matches nothing with a pattern that does not compile, as ArgoCD does', () => {
    expect(isValidGlob('{a,b')).toBe(false);
    expect(globMatch('{a,b', 'a')).toBe(false);
    expect(globMatch('[abc', '[abc')).toBe(false);
  });
});

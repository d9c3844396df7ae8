import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '@homelab/config';
import type { Component, DeriveContext, DerivationStage } from '@homelab/core';
import { v1 } from '@homelab/core/models';
import { seedConfig } from '@homelab/testing';
import { GENERATOR_ARTIFACTS } from './artifacts.js';
import type { HomelabModule } from './compose.js';
import { composeHomelab, renderHomelab, SCHEMA_PATH } from './render.js';
import { MANIFEST_PATH } from './writer.js';

// A library composition: its config names only the modules it lists.
const library: ResolvedConfig = { ...seedConfig(), components: {}, apps: {} };

/** An app module with one ConfigMap of its own; its derivations log `<name>.<stage>` to `log` when run. */
function app(name: string, log: string[], stages: DerivationStage[] = [], provides?: HomelabModule['provides'], seen?: (context: DeriveContext) => void): HomelabModule {
  return {
    name,
    kind: 'app',
    ...(provides ? { provides } : {}),
    build: (): Component => ({
      name,
      group: 'apps',
      namespace: name,
      source: 'test',
      objects: { settings: new v1.ConfigMap({ metadata: { name: `${name}-settings`, namespace: name }, data: { greeting: 'hello' } }) },
    }),
    derivations: stages.map((stage) => ({
      stage,
      derive: (_components, _config, context) => {
        log.push(`${name}.${stage}`);
        seen?.(context);
        return stage === 'objects' ? { [name]: [new v1.ConfigMap({ metadata: { name: `${name}-derived`, namespace: name } })] } : {};
      },
    })),
  };
}

describe('derivations carried by the modules', () => {
  it('run stage by stage, within a stage by module name, whatever the order of the module list', () => {
    const runs = (order: 'listed' | 'reversed') => {
      const log: string[] = [];
      const modules = [app('zeta', log, ['checks', 'objects']), app('alpha', log, ['policies', 'objects']), app('mid', log, ['objects'])];
      const composed = composeHomelab(library, order === 'listed' ? modules : [...modules].reverse());
      expect(composed.ok).toBe(true);
      return log;
    };
    expect(runs('listed')).toEqual(['alpha.objects', 'mid.objects', 'zeta.objects', 'alpha.policies', 'zeta.checks']);
    expect(runs('reversed')).toEqual(runs('listed'));
  });

  it("write each derived object into its owner's objects, keyed <kind>-<name>", () => {
    const composed = composeHomelab(library, [app('alpha', [], ['objects'])]);
    if (!composed.ok) throw new Error(JSON.stringify(composed));
    const alpha = composed.components.find((component) => component.name === 'alpha')!;
    expect(Object.keys(alpha.objects ?? {}).sort()).toEqual(['configmap-alpha-derived', 'settings']);
  });

  it('do not run for a module homelab.yaml switches off, and its capability is not provided', () => {
    const proxy = { backend: () => ({ name: 'outpost', namespace: 'sso', port: 9000 }) };
    const contexts: DeriveContext[] = [];
    const log: string[] = [];
    const modules = [app('sso', log, ['objects'], { ssoProxy: proxy }), app('web', log, ['objects'], undefined, (context) => contexts.push(context))];
    expect(composeHomelab(library, modules).ok).toBe(true);
    expect(contexts.at(-1)?.ssoProxy).toBe(proxy);
    expect(log).toEqual(['sso.objects', 'web.objects']);

    const off = composeHomelab({ ...library, apps: { sso: { enabled: false } } }, modules);
    expect(off.ok).toBe(true);
    expect(log.slice(2)).toEqual(['web.objects']);
    expect(contexts.at(-1)?.ssoProxy).toBeUndefined();
    // Switched off, it is still known to be composed: the missing-provider check says "enable", not "add".
    expect(contexts.at(-1)?.moduleNames.has('sso')).toBe(true);
  });

  it('reject two enabled providers of one capability, whatever the list order, at the second by name', () => {
    const proxy = (namespace: string) => ({ backend: () => ({ name: 'outpost', namespace, port: 9000 }) });
    const modules = [app('sso-b', [], [], { ssoProxy: proxy('b') }), app('sso-a', [], [], { ssoProxy: proxy('a') })];
    const problems = (list: HomelabModule[]) => {
      const composed = composeHomelab(library, list);
      return composed.ok ? [] : composed.configProblems;
    };
    expect(problems(modules)).toEqual([
      { path: 'apps.sso-b.enabled', problem: 'provides ssoProxy, which sso-a provides too (one provider per capability: sso-a, sso-b)', got: true, fix: 'Switch one of them off (apps.sso-b.enabled: false), or leave one out of the module list.' },
    ]);
    expect(problems([...modules].reverse())).toEqual(problems(modules));
    expect(composeHomelab({ ...library, apps: { 'sso-b': { enabled: false } } }, modules).ok).toBe(true);
  });

  it('report a derivation that throws as an output problem, with the others still run', () => {
    const log: string[] = [];
    const broken: HomelabModule = { ...app('broken', log), derivations: [{ stage: 'objects', derive: () => { throw new Error('broken: cannot derive'); } }] };
    const composed = composeHomelab(library, [broken, app('later', log, ['objects'])]);
    expect(composed).toEqual({ ok: false, configProblems: [], outputProblems: [{ object: 'derived objects', problem: 'broken: cannot derive' }] });
    expect(log).toEqual(['later.objects']);
  });

  it('report objects derived for a component that is not composed (or switched off) as an output problem naming it', () => {
    const stray: HomelabModule = { ...app('stray', []), derivations: [{ stage: 'objects', derive: () => ({ ghost: [new v1.ConfigMap({ metadata: { name: 'ghost', namespace: 'ghost' } })] }) }] };
    const composed = composeHomelab(library, [stray, app('other', [])]);
    expect(composed.ok).toBe(false);
    if (composed.ok) return;
    expect(composed.outputProblems).toHaveLength(1);
    expect(composed.outputProblems[0]!.problem).toContain("for 'ghost', which is no composed and enabled component (known: other, stray)");
  });
});

describe('renderHomelab', () => {
  it("writes, by default, the generator's own artifacts beside the components, the schema and the manifest", () => {
    const rendered = renderHomelab(library, [app('alpha', [], ['objects'])]);
    if (!rendered.ok) throw new Error(JSON.stringify(rendered));
    const paths = rendered.files.map((file) => file.path);
    for (const artifact of GENERATOR_ARTIFACTS) {
      const own = artifact.build(library, []).map((file) => file.path);
      expect(own.length).toBeGreaterThan(0);
      for (const path of own) expect(paths).toContain(path);
    }
    expect(paths).toContain(SCHEMA_PATH);
    expect(paths).toContain('kubernetes/apps/alpha/manifests/ConfigMap-alpha-derived.yaml');
    expect(paths.at(-1)).toBe(MANIFEST_PATH);
    expect(paths.slice(0, -1)).toEqual([...paths.slice(0, -1)].sort());
  });

  it('writes only the artifacts it is given', () => {
    const rendered = renderHomelab(library, [app('alpha', [])], { artifacts: [] });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered));
    expect(rendered.files.map((file) => file.path).filter((path) => !path.startsWith('kubernetes/'))).toEqual([SCHEMA_PATH, MANIFEST_PATH]);
  });
});

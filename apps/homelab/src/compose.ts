/** Composes registered component modules with the user's per-component settings. */
import { merge, type Component, type ComponentModule } from '@homelab/core';
import { joinPath, suggest, type ConfigProblem, type ResolvedConfig } from '@homelab/config';

export type HomelabModule = ComponentModule<ResolvedConfig>;

const sectionOf = (kind: HomelabModule['kind']) => (kind === 'app' ? 'apps' : 'components');

function unknownNames(config: ResolvedConfig, modules: HomelabModule[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const kind of ['component', 'app'] as const) {
    const section = sectionOf(kind);
    const known = modules.filter((module) => module.kind === kind).map((module) => module.name);
    for (const name of Object.keys(config[section])) {
      if (known.includes(name)) continue;
      const guess = suggest(name, known);
      problems.push({
        path: joinPath(section, name),
        problem: `is not a known ${kind}`,
        got: name,
        fix: guess ? `Did you mean '${guess}'?` : known.length ? `Known ${section}: ${known.join(', ')}.` : `No ${section} are installed in this generator.`,
      });
    }
  }
  return problems;
}

export type Composition = { ok: true; components: Component[] } | { ok: false; problems: ConfigProblem[] };

/**
 * Builds every enabled module and applies its settings from homelab.yaml: `enabled`, `syncWave`
 * and `values` (merged onto the Helm values with merge() semantics).
 */
export function composeComponents(config: ResolvedConfig, modules: HomelabModule[]): Composition {
  const problems = unknownNames(config, modules);
  const components: Component[] = [];
  for (const module of modules) {
    const section = sectionOf(module.kind);
    const settings = config[section][module.name] ?? {};
    if (settings.enabled === false) continue;
    const built = [module.build(config)].flat();
    const own = built.find((component) => component.name === module.name);
    if (settings.values !== undefined) {
      if (!own?.chart) {
        problems.push({ path: joinPath(section, module.name, 'values'), problem: `cannot apply: ${module.name} deploys no Helm chart`, got: settings.values, fix: 'Remove the values override.' });
      } else {
        own.values = merge(own.values ?? {}, settings.values);
      }
    }
    if (settings.syncWave !== undefined && own) own.syncWave = settings.syncWave;
    components.push(...built);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, components };
}

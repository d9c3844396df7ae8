/** Composes registered component modules with the user's per-component settings. */
import { ConfigMistake, merge, type BuildContext, type Component, type ComponentModule, type ModuleCapabilities } from '@homelab/core';
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

/** The modules of the list that homelab.yaml does not turn off (`enabled: false`), in list order. */
export const enabledModules = (config: ResolvedConfig, modules: HomelabModule[]): HomelabModule[] =>
  modules.filter((module) => config[sectionOf(module.kind)][module.name]?.enabled !== false);

/**
 * What the enabled modules of the list provide to all of them. Each capability has one provider:
 * with two, which one served would depend on the list's order, so composeComponents rejects that
 * (capabilityConflicts) and the first is only what a failed composition's derivations see.
 */
export function composedCapabilities(config: ResolvedConfig, modules: HomelabModule[]): ModuleCapabilities {
  const capabilities: ModuleCapabilities = {};
  // Every capability alike, so a new one in ModuleCapabilities needs no line here.
  for (const module of enabledModules(config, modules)) {
    for (const [capability, provided] of Object.entries(module.provides ?? {})) {
      if (provided !== undefined && !(capability in capabilities)) Object.assign(capabilities, { [capability]: provided });
    }
  }
  return capabilities;
}

/** A capability two enabled modules provide, at the second's `enabled` setting (modules by name, not list order). */
function capabilityConflicts(config: ResolvedConfig, modules: HomelabModule[]): ConfigProblem[] {
  const providers = new Map<string, string[]>();
  for (const module of enabledModules(config, modules)) {
    for (const capability of Object.keys(module.provides ?? {})) providers.set(capability, [...(providers.get(capability) ?? []), module.name]);
  }
  return [...providers].filter(([, names]) => names.length > 1).map(([capability, names]) => {
    const [first, second] = [...names].sort();
    const section = sectionOf(modules.find((module) => module.name === second)!.kind);
    return {
      path: joinPath(section, second!, 'enabled'),
      problem: `provides ${capability}, which ${first} provides too (one provider per capability: ${[...names].sort().join(', ')})`,
      got: true,
      fix: `Switch one of them off (${section}.${second}.enabled: false), or leave one out of the module list.`,
    };
  });
}

export type Composition = { ok: true; components: Component[] } | { ok: false; problems: ConfigProblem[] };

/**
 * Builds every enabled module and applies its settings from homelab.yaml: `enabled`, `syncWave`
 * and `values` (merged onto the Helm values with merge() semantics). Deriving modules are built
 * last, from the others.
 */
export function composeComponents(config: ResolvedConfig, modules: HomelabModule[]): Composition {
  const problems = [...unknownNames(config, modules), ...capabilityConflicts(config, modules)];
  const components: Component[] = [];
  const buildWithSettings = (module: HomelabModule, context?: BuildContext): Component[] => {
    const section = sectionOf(module.kind);
    const settings = config[section][module.name] ?? {};
    if (settings.enabled === false) return [];
    let built: Component[];
    try {
      built = [module.build(config, context)].flat();
    } catch (error) {
      // A mistake in homelab.yaml the module saw: reported with the others, in the one format.
      if (!(error instanceof ConfigMistake)) throw error;
      problems.push(...error.problems);
      return [];
    }
    const own = built.find((component) => component.name === module.name);
    if (settings.values !== undefined) {
      if (!own?.chart) {
        problems.push({ path: joinPath(section, module.name, 'values'), problem: `cannot apply: ${module.name} deploys no Helm chart`, got: settings.values, fix: 'Remove the values override.' });
      } else {
        own.values = merge(own.values ?? {}, settings.values);
      }
    }
    if (settings.syncWave !== undefined && own) own.syncWave = settings.syncWave;
    return built;
  };
  const capabilities = composedCapabilities(config, modules);
  const ownContext: BuildContext = { components: [], ...capabilities };
  for (const module of modules.filter((m) => !m.derives)) components.push(...buildWithSettings(module, ownContext));
  // Deriving modules see the others (with the user's settings applied), not each other.
  const context: BuildContext = { components: [...components], ...capabilities };
  for (const module of modules.filter((m) => m.derives)) components.push(...buildWithSettings(module, context));
  return problems.length > 0 ? { ok: false, problems } : { ok: true, components };
}

/**
 * The user's own modules, named in homelab.yaml's `modules:` (ES module files relative to
 * homelab.yaml), imported at run time and composed after the built-in ones: what a library user
 * adds to its module list, the CLI user adds here. A file that is missing, cannot be imported or
 * exports no HomelabModule is a mistake in homelab.yaml, reported at its `modules[i]` entry.
 * Importing runs the file: it is trusted like homelab.yaml itself, and a `../` path leaving the
 * homelab directory is allowed (a sibling project's build output), as the README documents.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImportModule } from '@homelab/check';
import type { ConfigProblem, ResolvedConfig } from '@homelab/config';
import { ConfigMistake } from '@homelab/core';
import type { HomelabModule } from '@homelab/generator';
import { loadConfig, reportProblems, type Io } from './command.js';
import { defaultModules } from './modules.js';

/** A value shaped like a HomelabModule: what `modules:` files export. */
function isHomelabModule(value: unknown): value is HomelabModule {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<HomelabModule>;
  return typeof candidate.name === 'string' && (candidate.kind === 'app' || candidate.kind === 'component') && typeof candidate.build === 'function';
}

const EXAMPLE_EXPORT = "export const myApp = { name: 'my-app', kind: 'app', build: (config) => ({ name: 'my-app', group: 'apps', namespace: 'my-app', objects: {} }) }";

/**
 * The module with a build whose failure is a mistake at its `modules[i]` entry (a ConfigMistake,
 * reported with the other config problems and nothing written), not an unexplained crash: a user
 * module is user input. A ConfigMistake it throws itself passes unchanged.
 */
function reportingBuildErrorsAt(module: HomelabModule, path: string, file: string): HomelabModule {
  return {
    ...module,
    build: (config, context) => {
      try {
        return module.build(config, context);
      } catch (error) {
        if (error instanceof ConfigMistake) throw error;
        throw new ConfigMistake([{ path, problem: `module '${module.name}' failed to build: ${(error as Error).message}`, got: file, fix: 'Fix its build function (it runs with the resolved homelab.yaml), or remove the entry.' }]);
      }
    },
  };
}

export type UserModules = { ok: true; modules: HomelabModule[] } | { ok: false; problems: ConfigProblem[] };

/**
 * Imports every file of `config.modules` (relative to `configPath`'s directory) and returns the
 * HomelabModules each exports, file by file in the list's order, exports by name. `builtIn` are
 * the modules they are composed with: a user module may not take one of their names.
 */
export async function importUserModules(config: ResolvedConfig, configPath: string, builtIn: readonly HomelabModule[], importModule: ImportModule): Promise<UserModules> {
  const problems: ConfigProblem[] = [];
  const modules: HomelabModule[] = [];
  const taken = new Map(builtIn.map((module) => [module.name, 'a built-in module']));
  for (const [index, file] of config.modules.entries()) {
    const path = `modules[${index}]`;
    const absolute = resolve(dirname(configPath), file);
    if (!existsSync(absolute)) {
      problems.push({ path, problem: `names no file (looked for ${absolute})`, got: file, fix: 'Point it at the compiled .js file, relative to homelab.yaml, or remove the entry.' });
      continue;
    }
    let exported: Record<string, unknown>;
    try {
      exported = await importModule(pathToFileURL(absolute).href);
    } catch (error) {
      problems.push({ path, problem: `cannot be imported: ${(error as Error).message}`, got: file, fix: 'Fix the module (it must be an ES module whose imports resolve from its own directory), or remove the entry.' });
      continue;
    }
    // By export name; a module exported under two names counts once.
    const found = [...new Set(Object.keys(exported).sort().map((name) => exported[name]))].filter(isHomelabModule);
    if (found.length === 0) {
      problems.push({ path, problem: 'exports no HomelabModule (an object with name, kind: app | component and build)', got: file, fix: `Export one, e.g. \`${EXAMPLE_EXPORT}\`.` });
      continue;
    }
    for (const module of found) {
      const owner = taken.get(module.name);
      if (owner) {
        problems.push({ path, problem: `exports a module named '${module.name}', the name of ${owner}`, got: file, fix: 'Give your module a name of its own: names are unique across the module list (enabled: false does not free one).' });
        continue;
      }
      taken.set(module.name, `the module of ${file}`);
      modules.push(reportingBuildErrorsAt(module, path, file));
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, modules };
}

/** homelab.yaml, checked, and the modules it composes. */
export interface LoadedHomelab {
  path: string;
  display: string;
  config: ResolvedConfig;
  /** The built-in modules (`io.modules`, else defaultModules), then the user's of `modules:`. */
  modules: HomelabModule[];
}

/** Reads and checks the config and imports its `modules:`; reports problems and returns undefined when anything is invalid. */
export async function loadHomelab(io: Io, option: string | undefined): Promise<LoadedHomelab | undefined> {
  const loaded = loadConfig(io, option);
  if (!loaded) return undefined;
  const builtIn = io.modules ?? defaultModules;
  if (loaded.config.modules.length === 0) return { ...loaded, modules: builtIn };
  // The bundled CLI cannot call import(): bin/homelab.js hands its importer over (load-bundle.ts).
  if (!io.importModule) throw new Error(`${loaded.display} names modules, but this host passed no importModule to import them`);
  const user = await importUserModules(loaded.config, loaded.path, builtIn, io.importModule);
  if (!user.ok) {
    reportProblems(io, loaded.display, user.problems);
    return undefined;
  }
  return { ...loaded, modules: [...builtIn, ...user.modules] };
}

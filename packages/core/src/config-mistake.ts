/**
 * A mistake in homelab.yaml that only a component can see (a public app but no tunnel ID, an
 * exposure whose provider is disabled …). Components and derivations throw it; the CLI reports its
 * problems in the one config format (`<config path>: <problem> (got …). <fix>`), collected with
 * every other config problem — not as a bug in the component.
 */
export interface ConfigMistakeProblem {
  /** Dotted path into homelab.yaml, e.g. `cloudflare.tunnelId`. */
  path: string;
  problem: string;
  /** The offending value; omitted when nothing was there. */
  got?: unknown;
  fix: string;
}

/** Marks a ConfigMistake in the global symbol registry, which every copy of this package shares. */
const CONFIG_MISTAKE = Symbol.for('@homelab/core.ConfigMistake');

export class ConfigMistake extends Error {
  readonly [CONFIG_MISTAKE] = true;

  constructor(readonly problems: readonly ConfigMistakeProblem[]) {
    super(problems.map((problem) => `${problem.path}: ${problem.problem}${'got' in problem ? ` (got '${String(problem.got)}')` : ''}. ${problem.fix}`).join('\n'));
    this.name = 'ConfigMistake';
  }

  /**
   * True for a ConfigMistake of any copy of @homelab/core: the CLI's bundle carries its own, while
   * a module of the user's (homelab.yaml `modules:`) throws the one installed beside it.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[CONFIG_MISTAKE] === true;
  }
}

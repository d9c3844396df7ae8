/** Config problems in one format: `<config path>: <problem> (got '<value>'). <how to fix>`. */

export interface ConfigProblem {
  /** Dotted path into homelab.yaml, e.g. `nodes.talos-cp01.ip`; `(root)` for the document. */
  path: string;
  problem: string;
  /** The offending value; omitted when nothing was there. */
  got?: unknown;
  fix: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return 'null';
  // JSON would show .nan and .inf as null.
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export function formatProblem(problem: ConfigProblem): string {
  const got = 'got' in problem ? ` (got '${show(problem.got)}')` : ' (got nothing)';
  return `${problem.path}: ${problem.problem}${got}. ${problem.fix}`;
}

/** Thrown by `loadConfig` when homelab.yaml is unusable; carries every problem, not just the first. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(source: string, problems: ConfigProblem[]) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super(`${source} is invalid (${count}):\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Joins path segments the way users read them: `nodes.talos-cp01.ip`, `network.nameservers[0]`. */
export function joinPath(...segments: (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path ? `.${segment}` : segment;
  }
  return path || '(root)';
}

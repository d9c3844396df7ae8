/**
 * Recording fakes of the tools a plan runs, for tests: shell scripts on PATH that append their argv
 * to a log, answer the plan's probes from what the fake "cluster" has done so far, and record the
 * effect of each command (files its probe looks for included). Built from the plan itself, so they
 * know nothing the plan does not say.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A bootstrap plan as far as the fakes read it (structurally @homelab/bootstrap's BootstrapPlan). */
export interface FakeablePlan {
  steps: readonly {
    commands: readonly {
      argv: readonly string[];
      probe?: { argv: readonly string[]; expect?: string } | { files: readonly string[]; contains?: string };
      stdoutTo?: unknown;
    }[];
  }[];
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** How the fake identifies an invocation: its tool and arguments joined by spaces. */
const keyOf = (argv: readonly string[]) => createHash('sha1').update(argv.join(' ')).digest('hex');

const FAKE = `#!/bin/sh
state="$FAKE_STATE"
line="$(basename "$0")"
for arg in "$@"; do line="$line $arg"; done
printf '%s\\n' "$line" >> "$state/argv.log"
printf '%s %s\\n' "$TALOSCONFIG" "$KUBECONFIG" > "$state/env"
key=$(printf '%s' "$line" | sha1sum | cut -c1-40)
if [ -f "$state/probe/$key" ]; then
  marker=$(cat "$state/probe/$key")
  [ -f "$state/done/$marker" ] || exit 1
  [ -f "$state/expect/$marker" ] && cat "$state/expect/$marker"
  exit 0
fi
if [ -f "$state/fail/$key" ]; then echo "fake: $line failed" >&2; exit 3; fi
if [ -f "$state/effect/$key" ]; then . "$state/effect/$key"; fi
exit 0
`;

export interface Fakes {
  /** Put first on PATH. */
  bin: string;
  /** FAKE_STATE, for the fakes' environment. */
  state: string;
  /** TALOSCONFIG and KUBECONFIG as the last invocation saw them. */
  env(): { TALOSCONFIG: string; KUBECONFIG: string };
  /** Every invocation so far, one `tool arg …` line each. */
  log(): string[];
  /** Makes the invocation `argv` fail (exit 3) until `heal`. */
  fail(argv: readonly string[]): void;
  heal(argv: readonly string[]): void;
}

/** Fakes for every tool the plan runs, whose probes pass once their command ran. */
export function fakeTools(plan: FakeablePlan, root: string, extraTools: readonly string[] = []): Fakes {
  const base = mkdtempSync(join(tmpdir(), 'bootstrap-fakes-'));
  const bin = join(base, 'bin');
  const state = join(base, 'state');
  for (const dir of [bin, state, ...['probe', 'done', 'expect', 'fail', 'effect'].map((name) => join(state, name))]) mkdirSync(dir, { recursive: true });
  const tools = new Set([...extraTools, ...plan.steps.flatMap((step) => step.commands.flatMap((command) => [command.argv[0]!, ...(command.probe && 'argv' in command.probe ? [command.probe.argv[0]!] : [])]))]);
  for (const tool of tools) {
    writeFileSync(join(bin, tool), FAKE);
    chmodSync(join(bin, tool), 0o755);
  }
  plan.steps.forEach((step, stepIndex) =>
    step.commands.forEach((command, commandIndex) => {
      const marker = `${stepIndex}-${commandIndex}`;
      const effects = [`touch "$state/done/${marker}"`];
      if (command.probe && 'argv' in command.probe) {
        writeFileSync(join(state, 'probe', keyOf(command.probe.argv)), marker);
        if (command.probe.expect !== undefined) writeFileSync(join(state, 'expect', marker), `${command.probe.expect}\n`);
      } else if (command.probe && !command.stdoutTo) {
        const text = command.probe.contains ?? '';
        for (const file of command.probe.files) effects.push(`mkdir -p "$(dirname ${quote(resolve(root, file))})"`, `printf '%s' ${quote(text)} >> ${quote(resolve(root, file))}`);
      }
      if (command.stdoutTo) effects.push(`echo "rendered by $line"`);
      writeFileSync(join(state, 'effect', keyOf(command.argv)), `${effects.join('\n')}\n`);
    }),
  );
  const failPath = (argv: readonly string[]) => join(state, 'fail', keyOf(argv));
  return {
    bin,
    state,
    env: () => {
      const [TALOSCONFIG = '', KUBECONFIG = ''] = readFileSync(join(state, 'env'), 'utf8').trim().split(' ');
      return { TALOSCONFIG, KUBECONFIG };
    },
    log: () => (existsSync(join(state, 'argv.log')) ? readFileSync(join(state, 'argv.log'), 'utf8').trimEnd().split('\n') : []),
    fail: (argv) => writeFileSync(failPath(argv), ''),
    heal: (argv) => rmSync(failPath(argv), { force: true }),
  };
}

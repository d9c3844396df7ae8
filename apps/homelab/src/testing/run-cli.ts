/**
 * Runs the homelab CLI in process for tests: `main(argv, io)` with an Io that records every line
 * printed and every question asked. Test-only: tsconfig.lib.json leaves this folder out of dist.
 */
import type { Command, Io } from '../command.js';
import { main } from '../cli.js';

export interface CliOptions {
  /** The directory the command runs in (homelab.yaml and relative paths are found from it). */
  cwd: string;
  /** The whole environment the command sees: nothing of the test process's leaks in. @default {} */
  env?: Record<string, string>;
  /** Standard input, read in full by the command. Absent: the command reads none. */
  stdin?: string;
  /** Makes standard input a terminal whose prompts are answered in order ('' once they run out). Absent: not a terminal. */
  answers?: string[];
  /** The commands main dispatches to. @default main's own (every registered command) */
  commands?: Command[];
  importModule?: Io['importModule'];
}

export interface CapturedIo {
  io: Io;
  outLines: string[];
  errLines: string[];
  /** Every question the command prompted with, in order. */
  questions: string[];
}

export interface CliRun {
  code: number;
  /** stdout's lines joined by newlines. */
  out: string;
  err: string;
  outLines: string[];
  errLines: string[];
  questions: string[];
}

/** An Io whose clock stands at 0 (durations print as 0.00 s) and which records what is printed. */
export function captureIo(options: CliOptions): CapturedIo {
  const outLines: string[] = [];
  const errLines: string[] = [];
  const questions: string[] = [];
  const answers = [...(options.answers ?? [])];
  const { stdin, env, importModule } = options;
  const io: Io = {
    cwd: options.cwd,
    out: (line) => outLines.push(line),
    err: (line) => errLines.push(line),
    now: () => 0,
    ...(env !== undefined ? { env } : {}),
    ...(stdin !== undefined ? { stdin: async () => stdin } : {}),
    ...(importModule !== undefined ? { importModule } : {}),
    stdinIsTTY: options.answers !== undefined,
    prompt: async (question) => {
      questions.push(question);
      return answers.shift() ?? '';
    },
  };
  return { io, outLines, errLines, questions };
}

export async function runCli(argv: string[], options: CliOptions): Promise<CliRun> {
  const { io, outLines, errLines, questions } = captureIo(options);
  const code = await main(argv, io, options.commands);
  return { code, out: outLines.join('\n'), err: errLines.join('\n'), outLines, errLines, questions };
}

/** The `homelab` command line: dispatch, help and exit codes. Exit 0 ok, 1 invalid, 2 usage. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError, type Command, type Io } from './command.js';
import { COMMANDS } from './commands/index.js';
import { promptHidden } from './prompt.js';

export type { Io } from './command.js';

/** The real process: stdout, stderr, stdin, the working directory. */
export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  now: () => performance.now(),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  stdinIsTTY: process.stdin.isTTY === true,
  prompt: promptHidden,
  env: process.env,
};

function mainHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length), 'help'.length) + 3;
  return `homelab: generate a GitOps homelab repository from homelab.yaml

Usage: homelab <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`).join('\n')}
  ${'help'.padEnd(width)}Show help for a command (homelab help generate)

Options:
  -h, --help     Show help
  -v, --version  Show the version

Exit codes: 0 success, 1 invalid config or output (or a stale tree with --check), 2 usage error.`;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The option node:util's parseArgs did not know (its own message tells how to pass a positional instead). */
function unknownOptionOf(error: unknown): string | undefined {
  if ((error as { code?: string }).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  return /'(-[^']*)'/.exec((error as Error).message)?.[1];
}

/** Runs the CLI and returns the exit code; `io` is injectable for tests. */
export async function main(argv: string[], io: Io = processIo, commands: Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  const byName = new Map(commands.map((command) => [command.name, command]));
  try {
    if (name === undefined || name === '--help' || name === '-h') {
      io.out(mainHelp(commands));
      return name === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (name === '--version' || name === '-v') {
      io.out(version());
      return EXIT_OK;
    }
    if (name === 'help') {
      const topic = rest[0];
      if (topic === undefined) {
        io.out(mainHelp(commands));
        return EXIT_OK;
      }
      const command = byName.get(topic);
      if (!command) throw new UsageError(`unknown command '${topic}'`);
      io.out(command.help);
      return EXIT_OK;
    }
    const command = byName.get(name);
    if (!command) throw new UsageError(`unknown command '${name}'`);
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values['help']) {
      io.out(command.help);
      return EXIT_OK;
    }
    if (positionals.length > (command.maxPositionals ?? 0)) {
      throw new UsageError(`unexpected argument '${positionals[command.maxPositionals ?? 0]}'`);
    }
    return await command.run(io, values, positionals);
  } catch (error) {
    const unknownOption = unknownOptionOf(error);
    if (unknownOption !== undefined && name !== undefined && byName.has(name)) {
      io.err(`homelab: unknown option ${unknownOption} for 'homelab ${name}'; see homelab ${name} --help`);
      return EXIT_USAGE;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`homelab: ${(error as Error).message}`);
      io.err(`Run 'homelab ${name && byName.has(name) ? `${name} ` : ''}--help' for usage.`);
      return EXIT_USAGE;
    }
    io.err(`homelab: ${(error as Error).message}`);
    return EXIT_INVALID;
  }
}

/** Finding a command's binary the way a shell would, plus Go's bin directory (where `go install` puts tools). */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where `go install` puts binaries: GOBIN, else GOPATH/bin, else ~/go/bin. */
function goBinDirs(env: Readonly<Record<string, string | undefined>>): string[] {
  if (env['GOBIN']) return [env['GOBIN']];
  const gopath = env['GOPATH'] || join(homedir(), 'go');
  return gopath.split(delimiter).map((dir) => join(dir, 'bin'));
}

/** The absolute path of `command` on PATH or in Go's bin directory, or undefined. */
export function locateExecutable(command: string, env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter(Boolean), ...goBinDirs(env)];
  return dirs.map((dir) => join(dir, command)).find((path) => existsSync(path));
}

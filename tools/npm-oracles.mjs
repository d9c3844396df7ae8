#!/usr/bin/env node
// Installs the Node LTS line .ci/run also tests with ("$node" in tools/oracles.json, from the npm
// package `node`, which ships the binary) and the oracles pinned as npm packages (renovate,
// mermaid-cli) into ~/.cache/homelab-tools/<name>-<version>, each once per version, then prints
// the directories to put on PATH, one a line: first that Node's bin, then each oracle's bin/.
//
// The npm oracles always run with that Node, whatever Node runs the tests: Renovate needs
// ^24.11 and mermaid-cli ≥ 22.13, so bin/ holds a wrapper per command of the package. They are not
// workspace devDependencies: Renovate alone is ~200 MB, both would make `npm ci` print EBADENGINE
// on Node 22 (Renovate) and every developer install them, and only their tests need them.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const oracles = JSON.parse(readFileSync(join(root, 'tools', 'oracles.json'), 'utf8'));
const toolsDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'homelab-tools');

function npmInstall(dir, spec, nodeBin, { scripts }) {
  console.error(`installing ${spec} into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...(scripts ? [] : ['--ignore-scripts']), spec];
  // npm's stdout goes to stderr: this script's stdout is the list of directories .ci/run reads.
  const result = spawnSync('npm', args, {
    stdio: ['ignore', process.stderr, 'inherit'],
    env: { ...process.env, PATH: `${nodeBin}:${process.env.PATH}` },
  });
  if (result.status !== 0) throw new Error(`npm install ${spec} failed (exit ${result.status ?? result.signal})`);
}

const nodeVersion = oracles.$node;
const nodeDir = join(toolsDir, `node-${nodeVersion}`);
// The `node` package's own binary; its bin/node is the platform package's, resolved at install.
const nodeBin = join(nodeDir, 'node_modules', 'node', 'node_modules', `node-linux-${process.arch}`, 'bin');
// Its install script fetches the binary (the platform's package, from the npm registry).
if (!existsSync(join(nodeBin, 'node'))) npmInstall(nodeDir, `node@${nodeVersion}`, dirname(process.execPath), { scripts: true });
const paths = [nodeBin];

for (const [name, pin] of Object.entries(oracles)) {
  if (name.startsWith('$') || !pin.npm) continue;
  const dir = join(toolsDir, `${name}-${pin.version}`);
  const binDir = join(dir, 'bin');
  // bin/ is written last: without it the install is incomplete and is redone.
  if (!existsSync(join(binDir, name))) {
    // Without install scripts: puppeteer's would download a browser (the tests use Debian's
    // chromium, oracle "chromium"), Renovate's re2 would compile for minutes (no prebuilt is
    // reachable), and Renovate falls back to JavaScript RegExp; the renovate-config tests check
    // that every regex is RE2 syntax themselves.
    npmInstall(dir, `${pin.npm}@${pin.version}`, nodeBin, { scripts: false });
    const packageDir = join(dir, 'node_modules', ...pin.npm.split('/'));
    const { bin } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    mkdirSync(binDir);
    for (const [command, file] of Object.entries(typeof bin === 'string' ? { [name]: bin } : bin)) {
      writeFileSync(join(binDir, command), `#!/bin/sh\n# ${pin.npm}@${pin.version} run with Node ${nodeVersion} (tools/npm-oracles.mjs)\nexec '${join(nodeBin, 'node')}' '${join(packageDir, file)}' "$@"\n`);
      chmodSync(join(binDir, command), 0o755);
    }
  }
  paths.push(binDir);
}
console.log(paths.join('\n'));

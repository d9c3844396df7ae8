/**
 * `homelab bootstrap` end to end in a temporary homelab (the seed with a test age key as its
 * recipient, generated, every declared secret set), against recording fakes of talosctl,
 * kubectl, helm, talhelper, sops and tofu on PATH.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapFacts, bootstrapPlan, runnableSteps, type BootstrapPlan } from '@homelab/bootstrap';
import { parseConfigText, type ResolvedConfig } from '@homelab/config';
import type { Component } from '@homelab/core';
import { encryptYaml } from '@homelab/sops';
import { fakeTools, findOracle, seedConfigData, type Fakes } from '@homelab/testing';
import { runCli } from '../testing/run-cli.js';
import { defaultModules } from '../modules.js';
import { composeHomelab } from '@homelab/generator';
import { declaredSecrets, secretManifest } from '@homelab/secrets';

const age = findOracle('age', 'homelab bootstrap end to end (age-keygen makes the age key)');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

function keygen(dir: string, name: string): { file: string; recipient: string } {
  const file = join(dir, name);
  execFileSync(join(dirname(age!), 'age-keygen'), ['-o', file], { stdio: 'ignore' });
  return { file, recipient: /public key: (age1\S+)/.exec(readFileSync(file, 'utf8'))![1]! };
}

describe.skipIf(!age)('homelab bootstrap', () => {
  let root: string;
  let key: { file: string; recipient: string };
  let config: ResolvedConfig;
  let components: Component[];
  let plan: BootstrapPlan;
  let fakes: Fakes;

  const run = (...argv: string[]) => runCli(['bootstrap', ...argv], { cwd: root, env: { PATH: `${fakes.bin}:/usr/bin:/bin`, FAKE_STATE: fakes.state, HOME: root } });

  /** The plan's commands found in the fakes' log since `from`, in the order they ran. */
  const commandsRun = (from = 0) => {
    const commands = new Set(plan.steps.flatMap((step) => step.commands.map((command) => command.argv.join(' '))));
    return fakes.log().slice(from).filter((line) => commands.has(line));
  };
  const planCommands = (ids = runnableSteps(plan).map((step) => step.id)) =>
    runnableSteps(plan)
      .filter((step) => ids.includes(step.id))
      .flatMap((step) => step.commands.map((command) => command.argv.join(' ')));

  beforeAll(async () => {
    root = tempDir('homelab-bootstrap-');
    key = keygen(tempDir('homelab-bootstrap-keys-'), 'keys.txt');
    const data = seedConfigData();
    data.secrets.ageRecipients = [key.recipient];
    writeFileSync(join(root, 'homelab.yaml'), dump(data));
    const parsed = parseConfigText(readFileSync(join(root, 'homelab.yaml'), 'utf8'));
    if (!parsed.ok) throw new Error('the seed copy does not parse');
    config = parsed.config;
    const composed = composeHomelab(config, defaultModules);
    if (!composed.ok) throw new Error('the seed copy does not compose');
    components = composed.components;
    expect((await runCli(['generate', '--quiet'], { cwd: root })).code).toBe(0);
    for (const secret of declaredSecrets(components, { repoURL: config.gitops.repoURL, revision: config.gitops.revision })) {
      if (secret.bootstrap) continue;
      const values = new Map(secret.declaration.keys.map((name) => [name, `test-${name}`]));
      mkdirSync(dirname(join(root, secret.path)), { recursive: true });
      writeFileSync(join(root, secret.path), await encryptYaml(secretManifest(secret.declaration, values), { recipients: [key.recipient] }));
    }
    plan = bootstrapPlan(bootstrapFacts(config, components), { ageKeyFile: key.file, terraform: 'tofu' });
    fakes = fakeTools(plan, root);
    dirs.push(dirname(fakes.bin));
  });

  it('prints the plan with the versions and paths of the generated tree on disk, and is ready', async () => {
    const result = await run('--identity', key.file);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const ciliumApp = load(readFileSync(join(root, 'kubernetes/core/cilium.yaml'), 'utf8')) as any;
    const chart = ciliumApp.spec.sources.find((source: any) => source.chart);
    expect(result.out).toContain(
      `$ helm upgrade --install ${chart.helm.releaseName} ${chart.chart} --repo ${chart.repoURL} --version ${chart.targetRevision} --namespace ${ciliumApp.spec.destination.namespace} --values ${chart.helm.valueFiles[0].replace('$values/', '')} --wait`,
    );
    const gateway = load(readFileSync(join(root, 'kubernetes/core/gateway-api.yaml'), 'utf8')) as any;
    expect(result.out).toContain(`/releases/download/${gateway.spec.sources[0].targetRevision}/standard-install.yaml`);
    const talconfig = load(readFileSync(join(root, 'talos/talconfig.yaml'), 'utf8')) as any;
    for (const node of talconfig.nodes) expect(result.out).toContain(`talosctl apply-config --insecure --nodes ${node.ipAddress} --file talos/clusterconfig/${talconfig.clusterName}-${node.hostname}.yaml`);
    const numbered = [...result.out.matchAll(/^(\d+)\. ([a-z-]+): /gm)].map((match) => match[2]);
    expect(numbered).toEqual(plan.steps.map((step) => step.id));
    expect(result.out).toContain(`✔ age key ${key.file} is the identity of ${key.recipient} (secrets.ageRecipients)`);
    expect(result.out).toMatch(/✔ all \d+ declared secrets are set and encrypted for secrets.ageRecipients/);
    expect(result.out).toContain('✔ ready: homelab bootstrap --run runs these steps');
    expect(commandsRun()).toEqual([]);
  });

  it('--run executes every step in order; a second --run redoes none', async () => {
    const first = await run('--run', '--identity', key.file);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(commandsRun()).toEqual(planCommands());
    expect(first.out).toContain(`✔ bootstrap done: ${runnableSteps(plan).length} steps run, 0 already done.`);
    expect(first.out).toContain('☐ first-admin: Log in, and make the first admin (by hand)');

    const before = fakes.log().length;
    const second = await run('--run', '--identity', key.file);
    expect(second.code).toBe(0);
    expect(commandsRun(before)).toEqual([]);
    expect(second.out).toContain(`✔ bootstrap done: 0 steps run, ${runnableSteps(plan).length} already done.`);
  });

  it('stops at a failing step, says what to do, and resumes with --from', async () => {
    // A fresh cluster: new fakes, and none of the files earlier runs left.
    for (const step of plan.steps) for (const command of step.commands) if (command.probe && 'files' in command.probe) for (const file of command.probe.files) rmSync(join(root, file), { force: true });
    const fresh = fakeTools(plan, root);
    dirs.push(dirname(fresh.bin));
    const saved = fakes;
    fakes = fresh;
    try {
      const argocd = runnableSteps(plan).find((step) => step.id === 'argocd')!;
      fakes.fail(argocd.commands[0]!.argv);
      const failed = await run('--run', '--identity', key.file);
      expect(failed.code).toBe(1);
      expect(failed.err).toContain(`✖ argocd failed: helm exited with 3. ${argocd.onFailure}`);
      expect(failed.err).toContain('Then resume: homelab bootstrap --run --from argocd');
      const ids = runnableSteps(plan).map((step) => step.id);
      // Every step before argocd ran, then argocd's failing command was tried, and nothing after it.
      expect(commandsRun()).toEqual([...planCommands(ids.slice(0, ids.indexOf('argocd'))), argocd.commands[0]!.argv.join(' ')]);
      fakes.heal(argocd.commands[0]!.argv);
      const before = fakes.log().length;
      const resumed = await run('--run', '--from', 'argocd', '--identity', key.file);
      expect(resumed.code).toBe(0);
      expect(commandsRun(before)).toEqual(planCommands(ids.slice(ids.indexOf('argocd'))));
    } finally {
      fakes = saved;
    }
  });

  it('runs nothing when the age key is not one of secrets.ageRecipients', async () => {
    const other = keygen(tempDir('homelab-bootstrap-other-'), 'other.txt');
    const before = fakes.log().length;
    const result = await run('--run', '--identity', other.file);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`✖ age key ${other.file} is for ${other.recipient}, none of secrets.ageRecipients (${key.recipient})`);
    expect(result.err).toContain('precondition not met: nothing was run');
    expect(commandsRun(before)).toEqual([]);
  });

  it('names a declared secret that is not set, and a stale tree', async () => {
    const secret = declaredSecrets(components, { repoURL: config.gitops.repoURL, revision: config.gitops.revision }).find((candidate) => !candidate.bootstrap)!;
    const secretText = readFileSync(join(root, secret.path), 'utf8');
    const talconfig = readFileSync(join(root, 'talos/talconfig.yaml'), 'utf8');
    rmSync(join(root, secret.path));
    writeFileSync(join(root, 'talos/talconfig.yaml'), `${talconfig}# edited\n`);
    try {
      const result = await run('--identity', key.file);
      expect(result.code).toBe(1);
      expect(result.out).toContain(`${secret.id} (${secret.path}): missing`);
      expect(result.out).toContain('✖ the generated tree is stale (talos/talconfig.yaml)');
      expect(result.err).toContain('✖ 2 preconditions not met.');
    } finally {
      writeFileSync(join(root, secret.path), secretText);
      writeFileSync(join(root, 'talos/talconfig.yaml'), talconfig);
    }
  });

  it.each([
    [['--from', 'argocd'], '--from STEP resumes a run: use it with --run'],
    [['--cilium', 'flannel'], "--cilium must be helm or inline (got 'flannel')"],
    [['--run', '--from', 'cillium'], "no bootstrap step 'cillium'. Steps: infrastructure, talos-secrets"],
  ])('rejects %j as a usage error', async (argv, message) => {
    const result = await run(...argv, '--identity', key.file);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('prints the Cilium inline-manifest plan on --cilium inline', async () => {
    const result = await run('--cilium', 'inline', '--identity', key.file);
    expect(result.code).toBe(0);
    expect(result.out).toContain('(Cilium: Talos inline manifest)');
    expect(result.out).toMatch(/^\d+\. cilium-manifest: /m);
    expect(result.out).not.toMatch(/^\d+\. cilium: /m);
  });
});

/**
 * The runbook's talhelper commands, run by the real talhelper: gensecret's output and genconfig's
 * arguments work, and genconfig writes exactly the files the step's probe looks for (so a second
 * run skips it). `--offline-mode` is added only here: it keeps the test off the Image Factory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArgoCd } from '@homelab/argocd';
import { buildCilium } from '@homelab/cilium';
import { buildGatewayApi } from '@homelab/gateway-api';
import type { ResolvedConfig } from '@homelab/config';
import { identitiesFromKeyFile, recipientsOfIdentities } from '@homelab/sops';
import { buildTalos } from '@homelab/talos';
import { configVariant, findOracle, haConfig, seedConfig, sharedDir } from '@homelab/testing';
import { bootstrapFacts } from './facts.js';
import { bootstrapPlan } from './steps.js';

const talhelper = findOracle('talhelper', "the bootstrap runbook's talhelper commands");
const sops = findOracle('sops', "the bootstrap runbook's encryption of the talhelper secret bundle");
const testKey = sharedDir() && join(sharedDir()!, 'sops-fixtures', 'test-key.txt');
if (!testKey) console.warn('../shared not found: the encrypted talhelper secret bundle test is SKIPPED');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository root holding the config's talos/ files, the plan, and `exec` running the plan's argv with the real tools. */
function setup(config: ResolvedConfig, env: Record<string, string> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-talhelper-'));
  dirs.push(root);
  for (const file of buildTalos(config)) {
    mkdirSync(dirname(join(root, file.path)), { recursive: true });
    writeFileSync(join(root, file.path), file.content);
  }
  const plan = bootstrapPlan(bootstrapFacts(config, [...buildGatewayApi(config), buildCilium(config), buildArgoCd(config)]), { ageKeyFile: 'keys.txt' });
  const step = (id: string) => plan.steps.find((candidate) => candidate.id === id)!;
  const binaries: Record<string, string | undefined> = { talhelper, sops };
  const exec = (argv: readonly string[]) => {
    const result = spawnSync(binaries[argv[0]!]!, argv.slice(1), { cwd: root, encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: root, ...env } });
    expect(result.status, `${argv.join(' ')}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };
  return { root, step, exec };
}

describe.skipIf(!talhelper).each([
  ['seed', seedConfig()],
  ['3 control planes + 3 workers', haConfig()],
])('the talos steps of the %s runbook, run by talhelper', (_name, config) => {
  it('writes every file the talos-config probe checks', () => {
    const { root, step, exec } = setup(config);
    // The secret bundle stays plain here (sops is the next command of the step; talhelper reads both).
    const [gensecret] = step('talos-secrets').commands;
    writeFileSync(join(root, gensecret!.stdoutTo!.path), exec(gensecret!.argv));
    const [genconfig] = step('talos-config').commands;
    exec([...genconfig!.argv, '--offline-mode']);
    const probe = genconfig!.probe as { files: string[] };
    expect(probe.files).toHaveLength(config.nodes.length + 1);
    for (const file of probe.files) expect(existsSync(join(root, file)), file).toBe(true);
  });
});

describe.skipIf(!talhelper || !sops || !testKey)('the talhelper secret bundle, encrypted by the real sops as the runbook says', () => {
  it('is encrypted for secrets.ageRecipients (the probe sees it) and talhelper decrypts it with the age key', async () => {
    const [recipient] = await recipientsOfIdentities(identitiesFromKeyFile(readFileSync(testKey!, 'utf8')));
    const config = configVariant((data) => {
      data.secrets.ageRecipients = [recipient!];
    });
    const { root, step, exec } = setup(config, { SOPS_AGE_KEY_FILE: testKey! });
    // The repository's .sops.yaml has rules for kubernetes/ only; the command must not trip over it.
    writeFileSync(join(root, '.sops.yaml'), `creation_rules:\n  - path_regex: kubernetes/.*\\.sops\\.yaml$\n    age: ${recipient}\n`);
    const [gensecret, encrypt] = step('talos-secrets').commands;
    writeFileSync(join(root, gensecret!.stdoutTo!.path), exec(gensecret!.argv));
    exec(encrypt!.argv);
    const probe = encrypt!.probe as { files: string[]; contains: string };
    const encrypted = readFileSync(join(root, probe.files[0]!), 'utf8');
    expect(encrypted).toContain(probe.contains);
    expect(encrypted).toContain(recipient);
    const [genconfig] = step('talos-config').commands;
    exec([...genconfig!.argv, '--offline-mode']);
    for (const file of (genconfig!.probe as { files: string[] }).files) expect(existsSync(join(root, file)), file).toBe(true);
  });
});

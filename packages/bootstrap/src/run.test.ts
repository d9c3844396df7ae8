import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArgoCd } from '@homelab/argocd';
import { buildCilium } from '@homelab/cilium';
import type { ResolvedConfig } from '@homelab/config';
import { buildGatewayApi } from '@homelab/gateway-api';
import { fakeTools, haConfig, seedConfig } from '@homelab/testing';
import { bootstrapFacts } from './facts.js';
import { processEnvironment, runnableSteps, runPlan } from './run.js';
import { bootstrapPlan, type BootstrapPlan, type CiliumInstall } from './steps.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function setup(config: ResolvedConfig, cilium: CiliumInstall = 'helm') {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-root-'));
  dirs.push(root);
  const components = [...buildGatewayApi(config), buildCilium(config), buildArgoCd(config)];
  const plan = bootstrapPlan(bootstrapFacts(config, components), { ageKeyFile: join(root, 'keys.txt'), cilium });
  const fakes = fakeTools(plan, root);
  dirs.push(join(fakes.bin, '..'));
  const out: string[] = [];
  const err: string[] = [];
  const env = processEnvironment(root, (line) => out.push(line), (line) => err.push(line), { PATH: `${fakes.bin}:/usr/bin:/bin`, FAKE_STATE: fakes.state });
  return { root, plan, fakes, out, err, run: (from?: string) => runPlan(plan, env, from ? { from } : {}) };
}

/** The log lines of the commands (not the probes) of the plan, in plan order. */
const commandLines = (plan: BootstrapPlan, ids?: string[]) =>
  runnableSteps(plan)
    .filter((step) => !ids || ids.includes(step.id))
    .flatMap((step) => step.commands.map((command) => command.argv.join(' ')));

const commandsRun = (plan: BootstrapPlan, log: string[]) => {
  const commands = new Set(commandLines(plan));
  return log.filter((line) => commands.has(line));
};

describe.each([
  ['seed', seedConfig()],
  ['3 control planes + 3 workers', haConfig()],
])('runPlan against recording fakes (%s)', (_name, config) => {
  it('runs every command once, in plan order, and a second run redoes none', () => {
    const { plan, fakes, run, root } = setup(config);
    const first = run();
    expect(first).toEqual({ ok: true, ran: runnableSteps(plan).map((step) => step.id), skipped: [] });
    expect(commandsRun(plan, fakes.log())).toEqual(commandLines(plan));
    expect(existsSync(join(root, 'talos/talsecret.sops.yaml'))).toBe(true);

    const before = fakes.log().length;
    const second = run();
    expect(second).toEqual({ ok: true, ran: [], skipped: runnableSteps(plan).map((step) => step.id) });
    expect(commandsRun(plan, fakes.log().slice(before))).toEqual([]);
  });

  it('gives TALOSCONFIG and KUBECONFIG as absolute paths in the repository to every command', () => {
    const { plan, fakes, run, root } = setup(config);
    run();
    expect(fakes.env()).toEqual({ TALOSCONFIG: join(root, plan.env.TALOSCONFIG), KUBECONFIG: join(root, plan.env.KUBECONFIG) });
    expect(existsSync(join(root, plan.env.KUBECONFIG))).toBe(true);
  });
});

describe('a failing step', () => {
  const config = haConfig();

  it('stops the run there with what to do and how to resume; --from resumes without redoing earlier steps', () => {
    const { plan, fakes, run, err } = setup(config);
    const failing = plan.steps.find((step) => step.id === 'cilium')!.commands[0]!.argv;
    fakes.fail(failing);
    const result = run();
    expect(result).toMatchObject({ ok: false, step: 'cilium' });
    expect(err).toContain(`✖ cilium failed: helm exited with 3. ${plan.steps.find((step) => step.id === 'cilium')!.onFailure}`);
    expect(err).toContain('  Then resume: homelab bootstrap --run --from cilium');
    const ids = runnableSteps(plan).map((step) => step.id);
    const later = ids.slice(ids.indexOf('cilium') + 1);
    expect(commandsRun(plan, fakes.log()).filter((line) => commandLines(plan, later).includes(line))).toEqual([]);

    fakes.heal(failing);
    const before = fakes.log().length;
    const resumed = run('cilium');
    expect(resumed).toEqual({ ok: true, ran: ['cilium', ...later], skipped: [] });
    const resumedLog = fakes.log().slice(before);
    expect(commandsRun(plan, resumedLog)).toEqual(commandLines(plan, ['cilium', ...later]));
    // Steps before --from are not even probed.
    const earlierProbes = runnableSteps(plan)
      .slice(0, ids.indexOf('cilium'))
      .flatMap((step) => step.commands.flatMap((command) => (command.probe && 'argv' in command.probe ? [command.probe.argv.join(' ')] : [])));
    expect(resumedLog.filter((line) => earlierProbes.includes(line))).toEqual([]);
  });

  it('rejects an unknown --from step, listing the steps', () => {
    const { run } = setup(config);
    expect(() => run('cillium')).toThrow("no bootstrap step 'cillium'. Steps: infrastructure, talos-secrets, talos-config, talos-apply");
  });

  it('reports a tool that is not installed as a failure of its step', () => {
    const { plan, out, err } = setup(config);
    const env = processEnvironment(mkdtempSync(join(tmpdir(), 'bootstrap-empty-')), out.push.bind(out), err.push.bind(err), { PATH: '/nonexistent' });
    expect(runPlan(plan, env)).toMatchObject({ ok: false, step: 'infrastructure' });
    expect(err.some((line) => line.startsWith('✖ infrastructure failed: tofu exited with 127.'))).toBe(true);
  });
});

describe('Cilium inline', () => {
  it('writes the rendered chart as a Talos patch the control planes are applied with', () => {
    const { plan, root, run } = setup(haConfig(), 'inline');
    expect(run()).toMatchObject({ ok: true });
    const template = plan.steps.find((step) => step.id === 'cilium-manifest')!.commands[0]!;
    const patch = load(readFileSync(join(root, template.stdoutTo!.path), 'utf8')) as any;
    expect(patch.cluster.inlineManifests).toEqual([{ name: 'cilium', contents: `rendered by ${template.argv.join(' ')}\n` }]);
    expect(patch.cluster.extraManifests).toEqual(template.stdoutTo!.talosPatch!.extraManifests);
  });
});

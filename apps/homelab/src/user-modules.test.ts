import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { seedConfigPath } from '@homelab/testing';
import type { Io } from './cli.js';
import { runCli } from './testing/run-cli.js';

/** The host's importer, as bin/homelab.js hands it to the bundle: a real import(). */
const importModule: NonNullable<Io['importModule']> = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

// Absolute paths, so a module file in the temporary directory imports the workspace's sources.
const CORE_MODELS = fileURLToPath(new URL('../../../packages/core/src/models.ts', import.meta.url));

/** A user's app in plain JavaScript: a Deployment and Service of its own, exposed on the internal domain. */
const pastebin = `import { appsV1, v1 } from ${JSON.stringify(CORE_MODELS)};
const NAME = 'pastebin';
const labels = { 'app.kubernetes.io/name': NAME };
export const notAModule = { name: 'half' };
export { pastebinModule as default };
export const pastebinModule = {
  name: NAME,
  kind: 'app',
  build: (config) => ({
    name: NAME,
    group: 'apps',
    namespace: NAME,
    source: 'my-homelab',
    objects: {
      deployment: new appsV1.Deployment({
        metadata: { name: NAME, namespace: NAME, labels },
        spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: NAME, image: 'ghcr.io/example/pastebin:1.0.0', ports: [{ name: 'http', containerPort: 8080 }] }] } } },
      }),
      service: new v1.Service({ metadata: { name: NAME, namespace: NAME, labels }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }),
    },
    secrets: [{ name: 'pastebin-key', namespace: NAME, keys: ['KEY'], description: 'Pastebin signing key', values: { KEY: { id: 'pastebin/key', description: 'Pastebin signing key', generate: { bytes: 32, encoding: 'base64url' } } } }],
    exposes: [{ host: NAME + '.' + config.domains.internal, access: 'internal', service: { name: NAME, namespace: NAME, port: 80 }, sso: 'none' }],
    network: { pods: { matchLabels: labels } },
  }),
};
`;

describe('homelab.yaml modules: the user’s own modules', () => {
  let home: string;
  const writeConfig = (modules: string[]) => {
    const seed = readFileSync(seedConfigPath(), 'utf8');
    writeFileSync(join(home, 'homelab.yaml'), `${seed}\nmodules:\n${modules.map((file) => `  - ${file}\n`).join('')}`);
  };
  const run = (...argv: string[]) => runCli(argv, { cwd: home, importModule });
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'homelab-modules-'));
    mkdirSync(join(home, 'modules'));
    cpSync(seedConfigPath(), join(home, 'homelab.yaml'));
  });

  it('composes an app of a module file, relative to homelab.yaml, like a built-in one: Application, objects, derived route and policies', async () => {
    writeFileSync(join(home, 'modules', 'pastebin.mjs'), pastebin);
    writeConfig(['./modules/pastebin.mjs']);
    const generate = await run('generate', '--quiet');
    expect(generate.errLines).toEqual([]);
    expect(generate.code).toBe(0);
    const yaml = (path: string) => load(readFileSync(join(home, path), 'utf8')) as Record<string, any>;
    expect(yaml('kubernetes/apps/pastebin.yaml')['spec']['destination']['namespace']).toBe('pastebin');
    expect(yaml('kubernetes/apps/pastebin/manifests/Deployment-pastebin.yaml')['spec']['template']['spec']['containers'][0]['image']).toBe('ghcr.io/example/pastebin:1.0.0');
    const config = yaml('homelab.yaml');
    expect(yaml('kubernetes/apps/pastebin/manifests/HTTPRoute-pastebin.yaml')['spec']['hostnames']).toEqual([`pastebin.${config['domains']['internal']}`]);
    expect(existsSync(join(home, 'kubernetes/apps/pastebin/manifests/CiliumNetworkPolicy-pastebin.yaml'))).toBe(true);
    // Every command composes the same list: `homelab secrets` sees the Secret it declares.
    const secrets = await run('secrets', 'list');
    expect(secrets.outLines.find((line) => line.startsWith('pastebin/pastebin-key'))).toMatch(/^pastebin\/pastebin-key\s+pastebin\s+/);
    // Its settings live under apps: like a built-in app's.
    writeFileSync(join(home, 'homelab.yaml'), `${readFileSync(join(home, 'homelab.yaml'), 'utf8').replace(/^apps:\n/m, 'apps:\n  pastebin: { enabled: false }\n')}`);
    expect((await run('generate', '--quiet')).code).toBe(0);
    expect(existsSync(join(home, 'kubernetes/apps/pastebin.yaml'))).toBe(false);
  });

  it('rejects a missing file, naming the entry, the path looked for and the fix; writes nothing', async () => {
    writeConfig(['./modules/missing.js']);
    const generate = await run('generate');
    expect(generate.code).toBe(1);
    expect(generate.errLines).toContain(
      `  modules[0]: names no file (looked for ${join(home, 'modules', 'missing.js')}) (got './modules/missing.js'). Point it at the compiled .js file, relative to homelab.yaml, or remove the entry.`,
    );
    expect(generate.errLines.at(-1)).toBe('Nothing was written.');
    expect(existsSync(join(home, 'kubernetes'))).toBe(false);
  });

  it('rejects a file that exports no HomelabModule, one that fails to import, and a module taking a built-in name', async () => {
    writeFileSync(join(home, 'modules', 'constants.mjs'), "export const name = 'pastebin';\nexport const half = { name: 'pastebin', kind: 'app' };\n");
    writeFileSync(join(home, 'modules', 'broken.mjs'), "throw new Error('no database URL');\n");
    writeFileSync(join(home, 'modules', 'plex.mjs'), "export const plex = { name: 'plex', kind: 'app', build: () => [] };\n");
    writeConfig(['./modules/constants.mjs', './modules/broken.mjs', './modules/plex.mjs']);
    const validate = await run('validate');
    expect(validate.code).toBe(1);
    const problems = validate.errLines.filter((line) => line.startsWith('  modules['));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^ {2}modules\[0\]: exports no HomelabModule \(an object with name, kind: app \| component and build\) \(got '\.\/modules\/constants\.mjs'\)\. Export one, e\.g\. `export const myApp = /);
    expect(problems[1]).toBe("  modules[1]: cannot be imported: no database URL (got './modules/broken.mjs'). Fix the module (it must be an ES module whose imports resolve from its own directory), or remove the entry.");
    expect(problems[2]).toBe(
      "  modules[2]: exports a module named 'plex', the name of a built-in module (got './modules/plex.mjs'). Give your module a name of its own: names are unique across the module list (enabled: false does not free one).",
    );
  });

  it('reports a module whose build throws at its entry, with the fix, and writes nothing', async () => {
    writeFileSync(join(home, 'modules', 'crash.mjs'), "export const crash = { name: 'crash', kind: 'app', build: () => { throw new Error('no database URL'); } };\n");
    writeConfig(['./modules/crash.mjs']);
    const generate = await run('generate');
    expect(generate.code).toBe(1);
    expect(generate.errLines).toContain("  modules[0]: module 'crash' failed to build: no database URL (got './modules/crash.mjs'). Fix its build function (it runs with the resolved homelab.yaml), or remove the entry.");
    expect(generate.errLines.at(-1)).toBe('Nothing was written.');
    expect(existsSync(join(home, 'kubernetes'))).toBe(false);
  });

  it('rejects, in the schema, an entry that is not a relative .js path', async () => {
    writeConfig(['/srv/modules/pastebin.ts']);
    const validate = await run('validate');
    expect(validate.code).toBe(1);
    expect(validate.err).toContain('modules[0]');
    expect(validate.err).toContain("./modules/vaultwarden.js");
  });
});

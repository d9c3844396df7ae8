import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { hasGeneratedHeader } from '@homelab/core';
import { encryptYaml } from '@homelab/sops';
import { composeHomelab, renderHomelab, SOPS_CONFIG_PATH, sopsConfigArtifact, sopsConfigFile } from '@homelab/generator';
import { defaultArtifacts, defaultModules } from './modules.js';
import { declaredSecrets } from '@homelab/secrets';
import { configVariant, seedConfig } from '@homelab/testing';

const seed = seedConfig();

interface SopsConfig {
  creation_rules: { path_regex: string; encrypted_regex: string; age: string }[];
}

const parse = (content: string) => load(content) as SopsConfig;

describe('.sops.yaml', () => {
  it('is a generated file at the output root with one creation rule for the recipients of homelab.yaml', () => {
    const file = sopsConfigFile(seed);
    expect(file.path).toBe(SOPS_CONFIG_PATH);
    expect(hasGeneratedHeader(file.content)).toBe(true);
    const config = parse(file.content);
    expect(config.creation_rules).toHaveLength(1);
    expect(config.creation_rules[0]!.age).toBe(seed.secrets.ageRecipients.join(','));
    expect(config.creation_rules[0]!.path_regex).toBe('kubernetes/.*\\.sops\\.yaml$');
  });

  it('follows secrets.ageRecipients: several recipients are comma-joined in order', () => {
    const [first] = seed.secrets.ageRecipients;
    const second = `age1${[...first!.slice(4)].reverse().join('')}`;
    const config = configVariant((data) => {
      data.secrets = { ageRecipients: [second, first!] };
    });
    expect(parse(sopsConfigFile(config).content).creation_rules[0]!.age).toBe(`${second},${first}`);
  });

  it('has the encryption rule of the files homelab secrets writes', async () => {
    const written = load(await encryptYaml({ kind: 'Secret', stringData: { a: 'b' } }, { recipients: seed.secrets.ageRecipients })) as { sops: { encrypted_regex: string } };
    expect(parse(sopsConfigFile(seed).content).creation_rules[0]!.encrypted_regex).toBe(written.sops.encrypted_regex);
  });

  it('matches the file of every declared secret and no generated file', () => {
    const regex = new RegExp(parse(sopsConfigFile(seed).content).creation_rules[0]!.path_regex);
    const composed = composeHomelab(seed, defaultModules);
    if (!composed.ok) throw new Error('compose failed');
    const secrets = declaredSecrets(composed.components, { repoURL: seed.gitops.repoURL, revision: seed.gitops.revision });
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(regex.test(secret.path), secret.path).toBe(true);
    const rendered = renderHomelab(seed, defaultModules, { artifacts: [...defaultArtifacts, sopsConfigArtifact] });
    if (!rendered.ok) throw new Error(JSON.stringify(rendered));
    expect(rendered.files.map((file) => file.path)).toContain(SOPS_CONFIG_PATH);
    expect(rendered.files.map((file) => file.path).filter((path) => regex.test(path))).toEqual([]);
  });
});

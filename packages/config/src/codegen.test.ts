import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderGenerated } from './codegen.js';
import { CONFIG_JSON_SCHEMA, checkShape } from './shape.js';
import { configJsonSchema } from './schema.js';

describe('generated schema artifacts', () => {
  it.each(renderGenerated().map((file) => [file.path, file.content] as const))('%s is up to date with schema.ts (run `npx nx run config:codegen`)', (path, content) => {
    expect(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')).toBe(content);
  });

  it('the runtime uses the schema generated from the TypeBox source', () => {
    expect(CONFIG_JSON_SCHEMA).toEqual(configJsonSchema());
  });

  it('the precompiled validator fills schema defaults, as the interpreted schema says', () => {
    const config = { nodes: { n1: { ip: '10.0.0.5', role: 'worker' } } };
    checkShape(config);
    expect(config.nodes.n1).toMatchObject({ installDisk: '/dev/sda', vm: { cores: 4, memoryMiB: 8192 } });
  });
});

/**
 * Compiles the TypeBox schema (src/schema.ts) into the artifacts the runtime uses, so the CLI
 * neither imports TypeBox nor compiles a validator at start-up:
 *   src/generated/config.schema.json  the JSON Schema (also written to homelab.schema.json by generate)
 *   src/generated/validate-config.ts  an ajv standalone validator for it
 * Run `npx nx run config:codegen` after changing schema.ts; a test fails while they are stale.
 */
import { writeFileSync } from 'node:fs';
import { renderGenerated } from '../src/codegen.js';

for (const { path, content } of renderGenerated()) {
  writeFileSync(new URL(`../${path}`, import.meta.url), content);
  console.log(`wrote packages/config/${path}`);
}

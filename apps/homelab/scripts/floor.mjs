// The bench's floor: one Node process writing the given files (a JSON list of { path, content })
// under OUT_DIR, nothing else. Usage: node scripts/floor.mjs FILES.json OUT_DIR
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [blob, outDir] = process.argv.slice(2);
for (const file of JSON.parse(readFileSync(blob, 'utf8'))) {
  const target = join(outDir, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
}

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['component/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The workspace's private TMPDIR, removed after the run (see vitest.tmpdir.ts).
    globalSetup: [fileURLToPath(new URL('../../vitest.tmpdir.ts', import.meta.url))],
  },
});

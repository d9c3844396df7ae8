import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** One slow test: packs every package, installs the tarballs outside the workspace, generates a homelab. */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // The workspace's private TMPDIR, removed after the run (see vitest.tmpdir.ts).
    globalSetup: [fileURLToPath(new URL('../../vitest.tmpdir.ts', import.meta.url))],
  },
});

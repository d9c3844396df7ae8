import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** One vitest setup for every project: tests import workspace packages from source, not dist. */
export default defineConfig({
  resolve: { conditions: ['@homelab/source'] },
  ssr: { resolve: { conditions: ['@homelab/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 30_000,
    globalSetup: [fileURLToPath(new URL('./vitest.tmpdir.ts', import.meta.url))],
  },
});

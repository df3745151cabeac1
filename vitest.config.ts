import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'cli', include: ['test/cli/**/*.test.ts'], globalSetup: ['test/support/build.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/build.ts', 'test/fleet/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One fleet on one machine: suites share hosts, so they run one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});

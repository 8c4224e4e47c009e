import type { UserWorkspaceConfig } from 'vitest/config';

/**
 * Settings every test project shares: tests import each package's `src/` through the
 * `@switchyard/source` export condition, so no build is needed before a test run.
 */
export const sharedProjectConfig = {
  resolve: { conditions: ['@switchyard/source'] },
  ssr: { resolve: { conditions: ['@switchyard/source'] } },
  test: {
    environment: 'node',
    // Tests live beside the source; build output (a bundled worker, dist/) is never collected.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
} satisfies UserWorkspaceConfig;

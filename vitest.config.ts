import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.ts';

export default defineConfig({
  test: {
    projects,
    // One PostgreSQL server for every project: POSTGRES_URL, or an embedded one.
    globalSetup: ['./test/global-setup.ts'],
    // Two cores: one worker per core keeps engine-heavy suites from starving each other.
    maxWorkers: 2,
  },
});

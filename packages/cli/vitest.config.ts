import { defineProject } from 'vitest/config';
import { sharedProjectConfig } from '../../vitest.shared.ts';

export default defineProject({
  ...sharedProjectConfig,
  test: {
    ...sharedProjectConfig.test,
    name: 'cli',
    // The tests run the built binary: build it once per run, before any test file.
    globalSetup: ['./test/binary-build.ts'],
  },
});

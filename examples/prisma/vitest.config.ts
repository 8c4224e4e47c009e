import { defineProject } from 'vitest/config';
import { sharedProjectConfig } from '../../vitest.shared.ts';

export default defineProject({
  ...sharedProjectConfig,
  test: { ...sharedProjectConfig.test, name: 'example-prisma' },
});

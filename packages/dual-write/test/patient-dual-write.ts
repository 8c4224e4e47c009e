import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter as create, type DualWriteAdapter, type DualWriteOptions } from '../src/index';

/**
 * `createDualWriteAdapter` for tests that are not about timeouts: a loaded CI machine can
 * stall a healthy secondary past the 500 ms default, which would open the circuit and turn a
 * test of something else into a flaky one. Tests of timeouts pass their own value.
 */
export function createDualWriteAdapter<DB = any>(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  options: DualWriteOptions = {},
): DualWriteAdapter<DB> {
  return create<DB>(primary, secondary, { secondaryTimeoutMs: 30_000, ...options });
}

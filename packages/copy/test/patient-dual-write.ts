import type { DatabaseAdapter } from '@switchyard/core';
import { createDualWriteAdapter as create, type DualWriteOptions } from '@switchyard/dual-write';

/**
 * `createDualWriteAdapter` with a secondary allowance no loaded CI machine reaches: these
 * tests are about what reaches the secondary, not about timeouts, and a stall past the 500 ms
 * default would journal a write the test expects applied. Options given win.
 */
export const createDualWriteAdapter = (primary: DatabaseAdapter, secondary: DatabaseAdapter, options: DualWriteOptions = {}) =>
  create(primary, secondary, { secondaryTimeoutMs: 30_000, ...options });

import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: writes. */
export function writesConformance(ctx: ConformanceContext): void {
  describe('writes', () => {
    void ctx;
  });
}

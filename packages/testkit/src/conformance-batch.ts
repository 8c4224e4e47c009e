import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: batch. */
export function batchConformance(ctx: ConformanceContext): void {
  describe('batch', () => {
    void ctx;
  });
}

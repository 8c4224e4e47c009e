import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: limits. */
export function limitsConformance(ctx: ConformanceContext): void {
  describe('limits', () => {
    void ctx;
  });
}

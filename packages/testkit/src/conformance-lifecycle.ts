import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: lifecycle. */
export function lifecycleConformance(ctx: ConformanceContext): void {
  describe('lifecycle', () => {
    void ctx;
  });
}

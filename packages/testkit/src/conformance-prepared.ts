import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: prepared. */
export function preparedConformance(ctx: ConformanceContext): void {
  describe('prepared', () => {
    void ctx;
  });
}

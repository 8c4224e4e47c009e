import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: values. */
export function valuesConformance(ctx: ConformanceContext): void {
  describe('values', () => {
    void ctx;
  });
}

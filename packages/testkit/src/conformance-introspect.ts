import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: introspect. */
export function introspectConformance(ctx: ConformanceContext): void {
  describe('introspect', () => {
    void ctx;
  });
}

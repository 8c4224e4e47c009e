import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: kysely. */
export function kyselyConformance(ctx: ConformanceContext): void {
  describe('kysely', () => {
    void ctx;
  });
}

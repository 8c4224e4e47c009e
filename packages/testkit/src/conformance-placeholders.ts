import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: placeholders. */
export function placeholdersConformance(ctx: ConformanceContext): void {
  describe('placeholders', () => {
    void ctx;
  });
}

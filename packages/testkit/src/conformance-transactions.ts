import { describe } from 'vitest';
import type { ConformanceContext } from './conformance-context';

/** Conformance checks: transactions. */
export function transactionsConformance(ctx: ConformanceContext): void {
  describe('transactions', () => {
    void ctx;
  });
}

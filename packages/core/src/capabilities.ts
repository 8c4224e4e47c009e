import type { AdapterCapabilities, DialectName } from './types';

/**
 * Capabilities of each engine, as Switchyard's adapters report them.
 * Defaults for a custom adapter: no transactions, no RETURNING, 100 parameters,
 * no exact int64 (the safest assumptions).
 */
export const DEFAULT_CAPABILITIES: Readonly<Record<DialectName, AdapterCapabilities>> = Object.freeze({
  sqlite: { transactions: true, returning: true, maxBoundParameters: 32766, exactInt64: true },
  d1: { transactions: false, returning: true, maxBoundParameters: 100, maxStatementBytes: 100_000, exactInt64: false },
  postgres: { transactions: true, returning: true, maxBoundParameters: 65535, exactInt64: true },
});

/**
 * The capabilities two adapters share: what a dual-write adapter can promise.
 *
 * @example
 * ```ts
 * weakerCapabilities(sqlite.capabilities, d1.capabilities).transactions // false
 * ```
 */
export function weakerCapabilities(a: AdapterCapabilities, b: AdapterCapabilities): AdapterCapabilities {
  const bytes = [a.maxStatementBytes, b.maxStatementBytes].filter((x): x is number => x !== undefined);
  const out: AdapterCapabilities = {
    transactions: a.transactions && b.transactions,
    returning: a.returning && b.returning,
    maxBoundParameters: Math.min(a.maxBoundParameters, b.maxBoundParameters),
    exactInt64: a.exactInt64 && b.exactInt64,
  };
  if (bytes.length > 0) out.maxStatementBytes = Math.min(...bytes);
  return out;
}

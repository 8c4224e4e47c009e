import { TransientError, type DatabaseAdapter } from '@switchyard/core';

/**
 * How much work a write or a lookup may send the secondary for each `secondaryTimeoutMs`
 * it waits: values (bound parameters) for a write, rows for a lookup. The timeout tells a
 * hung secondary from a slow one; a bulk write (an `UPDATE` of 50,000 rows is 150,000
 * values for three columns, about 0.6 s on a local PostgreSQL) takes time in proportion
 * to its rows, and must not be taken for a hang.
 */
export const AMOUNT_PER_TIMEOUT = 10_000;

/** How long work of this amount may wait: `timeoutMs` for each {@link AMOUNT_PER_TIMEOUT}, at least once. */
export function timeAllowance(timeoutMs: number, amount: number): number {
  return timeoutMs * Math.max(1, Math.ceil(amount / AMOUNT_PER_TIMEOUT));
}

/** The text a timeout's error gives for its limit. */
export function allowanceText(timeoutMs: number, allowed: number, unit: 'values' | 'rows'): string {
  return allowed > timeoutMs
    ? `${allowed} ms (secondaryTimeoutMs, ${timeoutMs} ms for each ${AMOUNT_PER_TIMEOUT} ${unit})`
    : `${timeoutMs} ms (secondaryTimeoutMs)`;
}

/**
 * `lookup` bounded by `secondaryTimeoutMs`, for each 10,000 of the `rows` it looks up
 * ({@link timeAllowance}): a secondary that hangs costs the write no more than its own
 * statements may. The lookup only reads; left running, it changes nothing.
 */
export function within<T>(lookup: Promise<T>, ms: number, secondary: DatabaseAdapter, rows: number): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return lookup;
  lookup.catch(() => {});
  const allowed = timeAllowance(ms, rows);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const limit = allowanceText(ms, allowed, 'rows');
      reject(new TransientError(`${secondary.name} did not answer within ${limit}.`, { dialect: secondary.dialect }));
    }, allowed);
  });
  return Promise.race([lookup, late]).finally(() => clearTimeout(timer));
}

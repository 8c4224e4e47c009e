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

import { TransientError, type DatabaseAdapter } from '@switchyard/core';

/**
 * How much work may go to the secondary for each `secondaryTimeoutMs` it waits. The
 * timeout tells a hung secondary from a slow one; a bulk write takes time in proportion to
 * its rows and must not be taken for a hang. A write counts its values (bound parameters):
 * an `UPDATE` of 50,000 rows of three columns is 150,000, about 0.6 s on a local
 * PostgreSQL. A large value counts once more for each {@link BYTES_PER_VALUE} it holds:
 * 5,000 are 1 MB, and a 20 MB document took about 0.5 s to write (0.7 s read back by
 * `verifyWrites`) there. A lookup counts the rows it looks up, fewer per timeout: each is
 * looked for in every table that references it, page by page (25,000 deleted parents with
 * two such tables took about a second on a loaded machine).
 */
const PER_TIMEOUT = { values: 5_000, rows: 1_000 } as const;

/** The size in which a text or binary value counts as one more value (characters or bytes). */
const BYTES_PER_VALUE = 200;

/** What an allowance counts: a write's values, or a lookup's rows. */
type Unit = keyof typeof PER_TIMEOUT;

/** How long work of this amount may wait: `timeoutMs` for each {@link PER_TIMEOUT} of its unit, at least once. */
export function timeAllowance(timeoutMs: number, amount: number, unit: Unit): number {
  return timeoutMs * Math.max(1, Math.ceil(amount / PER_TIMEOUT[unit]));
}

/**
 * What parameters count as values for {@link timeAllowance}: one each, and one more for each
 * {@link BYTES_PER_VALUE} of a text or binary value, or each item of an array.
 */
export function valueCount(params: readonly unknown[]): number {
  let count = params.length;
  for (const p of params) {
    if (typeof p === 'string') count += Math.floor(p.length / BYTES_PER_VALUE);
    else if (p instanceof Uint8Array || p instanceof ArrayBuffer) count += Math.floor(p.byteLength / BYTES_PER_VALUE);
    else if (Array.isArray(p)) count += valueCount(p);
  }
  return count;
}

/** The text a timeout's error gives for its limit. */
export function allowanceText(timeoutMs: number, allowed: number, unit: Unit): string {
  const per = unit === 'values' ? `${PER_TIMEOUT.values} values or 1 MB` : `${PER_TIMEOUT[unit]} ${unit}`;
  return allowed > timeoutMs
    ? `${allowed} ms (secondaryTimeoutMs, ${timeoutMs} ms for each ${per})`
    : `${timeoutMs} ms (secondaryTimeoutMs)`;
}

/** Whether `error` is a secondary's timeout as {@link allowanceText} words it (counted in `secondaryTimeouts`). */
export function timedOut(error: Error): boolean {
  return /secondaryTimeoutMs/.test(error.message);
}

/**
 * `lookup` bounded by `secondaryTimeoutMs`, for each 1,000 of the `rows` it looks up
 * ({@link timeAllowance}): a secondary that hangs costs the write no more than its own
 * statements may. The lookup only reads; left running, it changes nothing.
 */
export function within<T>(lookup: Promise<T>, ms: number, secondary: DatabaseAdapter, rows: number): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return lookup;
  lookup.catch(() => {});
  const allowed = timeAllowance(ms, rows, 'rows');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const limit = allowanceText(ms, allowed, 'rows');
      reject(new TransientError(`${secondary.name} did not answer within ${limit}.`, { dialect: secondary.dialect }));
    }, allowed);
  });
  return Promise.race([lookup, late]).finally(() => clearTimeout(timer));
}

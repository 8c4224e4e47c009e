import type { DatabaseAdapter } from '@switchyard/core';
import { isOutage } from './write-errors';

/** The side a failed read was made on, by the error it raised (the first mark wins). */
const origins = new WeakMap<object, DatabaseAdapter>();

/**
 * Marks what `read` rejects with as `side`'s failure, and passes it on. The code that
 * sees a failure later (a journal replay, a write settling its rows) can then tell a
 * primary that stopped answering from a secondary that did, and blame only the one.
 */
export function readOn<T>(side: DatabaseAdapter, read: Promise<T>): Promise<T> {
  return read.catch((error: unknown) => {
    if (typeof error === 'object' && error !== null && !origins.has(error)) origins.set(error, side);
    throw error;
  });
}

/** The side whose read raised `error`, when a {@link readOn} saw it. */
export function failedOn(error: unknown): DatabaseAdapter | undefined {
  return typeof error === 'object' && error !== null ? origins.get(error) : undefined;
}

/**
 * Whether `error` says `secondary` is not answering: an outage that no read of another
 * side raised. A primary that fails a read while its rows go to the secondary must not
 * open the secondary's circuit: the probe would find the secondary answering, close it,
 * replay, fail on the primary again, and open it again, for as long as the primary is down.
 */
export function secondaryDown(error: Error, secondary: DatabaseAdapter): boolean {
  const side = failedOn(error);
  return isOutage(error) && (side === undefined || side === secondary);
}

/** Whether `error` came from a read of `side` (a primary, for the callers) rather than from the secondary. */
export function failedReading(error: unknown, side: DatabaseAdapter): boolean {
  return failedOn(error) === side;
}

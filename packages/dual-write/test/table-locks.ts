import type { DatabaseAdapter } from '@switchyard/core';

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes `tables` (a `LOCK TABLE` list) in ACCESS EXCLUSIVE mode on `locker`'s own session
 * and holds them for `ms`: every read of them on another session waits meanwhile. Asked
 * while a transaction writes one of them, the lock is granted the moment it commits.
 */
export function holdTables(locker: DatabaseAdapter, tables: string, ms: number): Promise<void> {
  return locker.transaction(async (l) => {
    await l.execute(`LOCK TABLE ${tables} IN ACCESS EXCLUSIVE MODE`);
    await sleep(ms);
  });
}

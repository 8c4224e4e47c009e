import type { DatabaseAdapter } from '@switchyard/core';
import type { ReplicatorParts } from './replication-types';
import type { TablePair } from './row-images';
import { timedOut, within } from './time-allowance';
import { toError } from './to-error';

/**
 * Both sides' definitions of a write's tables, or why they cannot be had now. While the
 * secondary's circuit is open it is not asked: the write is journaled at once, as every
 * write then is, rather than opening a connection that would only wait. Otherwise it has
 * `secondaryTimeoutMs` to answer (only a synchronous secondary's writes come here), so a
 * table first written while it hangs costs the write no more than its statements would
 * (the read goes on, and its answer is kept for the next write).
 */
export async function pairsOrWhyNot(
  parts: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  tables: readonly string[],
): Promise<((table: string) => TablePair) | Error> {
  if (parts.circuit.isOpen(secondary)) return parts.circuit.notAnswering(secondary);
  return secondaryAnswer(parts, parts.settler.pairs(primary, secondary, tables), secondary);
}

/**
 * A read of the secondary bounded by `secondaryTimeoutMs`, or why it did not answer: its
 * error, or the timeout's (counted in `secondaryTimeouts`). The read goes on after a timeout.
 */
export async function secondaryAnswer<T>(parts: ReplicatorParts, read: Promise<T>, secondary: DatabaseAdapter): Promise<T | Error> {
  const answer = await within(read, parts.options.secondaryTimeoutMs, secondary, 0).catch((e: unknown) => toError(e));
  if (answer instanceof Error && timedOut(answer)) parts.metrics.secondaryTimeouts++;
  return answer;
}

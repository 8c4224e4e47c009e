import type { JournalEntry } from '../journal-types';
import { toError } from './to-error';
import { isOutage } from './write-errors';

/** What settling a group of row entries needs from the replay, and what it tells it. */
export interface RowGroupReplay {
  /** Settles the rows of `entries` on their side; rejects if the side refused or did not answer. */
  settle(entries: readonly JournalEntry[]): Promise<void>;
  /** Removes settled entries from the journal. */
  done(entries: readonly JournalEntry[]): Promise<void>;
  /** Records a failed try of one entry. */
  failed(entry: JournalEntry, error: Error): Promise<void>;
}

/** How a group of row entries ended: how many were applied, the first failure, and whether a side stopped answering. */
export interface RowGroupResult {
  applied: number;
  error?: Error;
  outage: boolean;
}

/**
 * Settles consecutive row entries together, in one try when it succeeds. When the side
 * refuses the group, the entries go one by one, so the others still go through. When it
 * does not answer (a lost connection, a timeout), the first entry is tried alone: if that
 * fails the same way the side is away, and the rest waits for the next replay instead of
 * costing a timeout per entry; if it lands, the group was too large or the failure
 * passing, and the rest goes on in halves.
 */
export async function settleRowGroup(entries: readonly JournalEntry[], replay: RowGroupReplay): Promise<RowGroupResult> {
  const result: RowGroupResult = { applied: 0, outage: false };
  await settleSome(entries, replay, result);
  return result;
}

async function settleSome(entries: readonly JournalEntry[], replay: RowGroupReplay, result: RowGroupResult): Promise<void> {
  if (entries.length === 0 || result.outage) return;
  let failure: Error;
  try {
    await replay.settle(entries);
    await replay.done(entries);
    result.applied += entries.length;
    return;
  } catch (e) {
    failure = toError(e);
  }
  if (entries.length === 1) {
    result.error ??= failure;
    result.outage = isOutage(failure);
    return replay.failed(entries[0]!, failure);
  }
  if (!isOutage(failure)) {
    for (const entry of entries) await settleSome([entry], replay, result);
    return;
  }
  await settleSome(entries.slice(0, 1), replay, result);
  const half = 1 + Math.ceil((entries.length - 1) / 2);
  await settleSome(entries.slice(1, half), replay, result);
  await settleSome(entries.slice(half), replay, result);
}

import { advanceKeyGenerators, readKeyGenerators, type DatabaseAdapter } from '@switchyard/core';
import type { ReplayResult } from '../journal-types';
import { SecondaryWriteError } from '../secondary-write-error';
import type { JournalBook } from './journal-book';

/**
 * Moves the key generators of the side becoming primary past every key the old primary
 * handed out (its sequences' positions, not only the highest key left), so the first
 * insert after a switch cannot collide, on every engine.
 */
export async function advanceGenerators(oldPrimary: DatabaseAdapter, newPrimary: DatabaseAdapter): Promise<void> {
  await advanceKeyGenerators(newPrimary, await readKeyGenerators(oldPrimary));
}

/**
 * Closes both sides after a last replay. A memory journal's entries would die with the
 * process: if some still cannot be applied, the sides are closed and an error says how
 * many, carrying them, so the caller can keep them.
 */
export async function closeWithJournal(
  book: JournalBook,
  sides: readonly DatabaseAdapter[],
  replay: () => Promise<ReplayResult>,
): Promise<void> {
  let remaining = 0;
  let cause: Error | undefined;
  if (book.journal.kind === 'memory') {
    await book.ready().catch(() => {});
    if (book.depth() > 0) {
      const result = await replay().catch((error: Error) => ({ applied: 0, remaining: book.depth(), error }));
      remaining = result.remaining;
      cause = result.error;
    }
  }
  const entries = remaining > 0 ? await book.journal.entries() : [];
  const results = await Promise.allSettled(sides.map((s) => s.close()));
  if (remaining > 0) {
    const error = new SecondaryWriteError(
      `close(): ${remaining} journaled write(s) could not be applied and the memory journal ends with this process. ` +
        "They are in this error's `entries`; run validateDatabases and repair, or use tableJournal() to keep them across restarts.",
      { primary: sides[0]!.name, secondary: sides[1]!.name, cause },
    );
    Object.defineProperty(error, 'entries', { value: entries, enumerable: true });
    throw error;
  }
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

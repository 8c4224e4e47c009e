import { SwitchyardError, type DialectName } from '@switchyard/core';
import type { JournalEntry } from './journal-types';

/**
 * The primary accepted a write and the secondary did not. The primary write stands
 * (it is not undone); the statement is in the journal as {@link entry}, to be applied
 * by `replayJournal()`. Thrown unless `continueOnSecondaryFailure` is set.
 *
 * @example
 * ```ts
 * try { await adapter.execute('INSERT INTO t (id) VALUES (?)', [1]); }
 * catch (e) {
 *   if (e instanceof SecondaryWriteError) log.warn(`journaled as ${e.entry?.id}`);
 * }
 * ```
 */
export class SecondaryWriteError extends SwitchyardError {
  /** The journal entry holding the write; absent only when the journal itself could not store it. */
  readonly entry?: JournalEntry;
  /** Name of the primary, where the write was applied. */
  readonly primary: string;
  /** Name of the secondary, where it was not. */
  readonly secondary: string;

  constructor(
    message: string,
    options: { primary: string; secondary: string; entry?: JournalEntry; dialect?: DialectName; sql?: string; cause?: unknown },
  ) {
    super('SECONDARY_WRITE_FAILED', message, options);
    this.primary = options.primary;
    this.secondary = options.secondary;
    if (options.entry) this.entry = options.entry;
  }
}

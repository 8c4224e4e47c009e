import type { AbandonedSession, Statement } from '@switchyard/core';
import type { RowRef } from './row-ref';

/**
 * A write that reached the primary but not the other side, kept until
 * `replayJournal()` applies it.
 */
export interface JournalEntry {
  /** Increasing: entries replay in id order, which is the order the writes were made. */
  id: number;
  /** `name` of the adapter the write failed on, and must be replayed on. */
  target: string;
  /** The statement as that adapter runs it (compiled for its dialect when it came from `db`). */
  sql: string;
  params: unknown[];
  /** Set when the write was a `batch()` or a transaction: these statements replay atomically, in one batch. */
  statements?: Statement[];
  /**
   * Set for writes replicated by row image: the rows to settle. Replay reads each row's
   * current state from the primary and upserts it (or deletes it) on the target, so it is
   * idempotent and never stale, whatever happened in between. `sql` then only labels it.
   */
  rows?: RowRef[];
  /**
   * Server sessions of the target the writing instance had given up on (or, as it stopped,
   * was still running statements on) when it wrote the entry: a statement sent on one may
   * still run there. Whichever instance replays the entry ends them first (`fenceAbandoned`),
   * so that such a statement cannot land after the replay and leave a row older than the primary's.
   */
  fence?: AbandonedSession[];
  /** Message of the latest failure. */
  error: string;
  /** When the write first failed. */
  at: Date;
  /** How many times it has been tried, the original attempt included. */
  attempts: number;
}

/** What a journal is given to store; it assigns the id. */
export type NewJournalEntry = Omit<JournalEntry, 'id'>;

/**
 * Where failed secondary writes are kept: {@link memoryJournal} (the default) or the
 * durable {@link tableJournal}. Implement it to keep them elsewhere; entries must come
 * back from `entries()` in the order they were appended.
 *
 * @example
 * ```ts
 * const journal: WriteJournal = memoryJournal();
 * const adapter = createDualWriteAdapter(sqlite, pg, { journal });
 * ```
 */
export interface WriteJournal {
  /** Describes where entries live, for `getMetadata()`: `'memory'`, `'table:_switchyard_journal'`. */
  readonly kind: string;
  /** Stores an entry and returns it with its id. */
  append(entry: NewJournalEntry): Promise<JournalEntry>;
  /** Every entry, oldest first. */
  entries(): Promise<JournalEntry[]>;
  /** Removes an entry that has been applied. */
  remove(id: number): Promise<void>;
  /** Records another failed attempt at an entry. */
  recordAttempt(id: number, error: string): Promise<void>;
  /**
   * The table the journal lives in and the adapter holding it, when it is a table;
   * the dual-write adapter leaves it out of `introspect()`.
   */
  readonly location?: { adapter: { readonly name: string }; table: string };
}

/** What `replayJournal()` did. */
export interface ReplayResult {
  /** Entries applied and removed from the journal. */
  applied: number;
  /** Entries still in the journal. */
  remaining: number;
  /**
   * The first entry that failed again. Entries replicated by row image never block
   * others; a statement entry that fails holds back only later entries for its table.
   */
  error?: Error;
}

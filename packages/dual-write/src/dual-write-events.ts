import type { ExecResult, Row } from '@switchyard/core';
import type { JournalEntry, ReplayResult } from './journal-types';
import type { RowRef } from './row-ref';
import type { ControlEvent } from './control/control-events';

/**
 * What the dual-write adapter reports through `on(type, listener)` and the `onEvent`
 * option. Every event has a `type` and the time it happened.
 *
 * @example
 * ```ts
 * adapter.on('verification-failed', (e) => log.error(e.sql, e.primary, e.secondary));
 * ```
 */
export type DualWriteEvent =
  | {
      type: 'secondary-failure';
      at: Date;
      /** The secondary's name. */
      target: string;
      sql: string;
      error: Error;
      /** The journal entry holding the write (absent if the journal failed too). */
      entry?: JournalEntry;
      /** True when the write was not tried because earlier writes for that side wait in the journal. */
      deferred: boolean;
    }
  | {
      type: 'secondary-conflict';
      at: Date;
      /** The secondary's name. */
      target: string;
      sql: string;
      /** The secondary's refusal, e.g. a duplicate key. */
      error: Error;
      /** The rows copied from the primary instead (upserted, or deleted where the primary has none). */
      rows: RowRef[];
    }
  | {
      type: 'verification-failed';
      at: Date;
      sql: string;
      /** What differed, e.g. `rowsAffected 1 != 0` or `row 0 column flag: true != false`. */
      reason: string;
      primary: ExecResult;
      secondary: ExecResult;
    }
  | { type: 'read-fallback'; at: Date; sql: string; error: Error }
  | {
      type: 'shadow-mismatch';
      at: Date;
      sql: string;
      primary: Row[];
      /** The secondary's rows, or its error when the shadow read failed. */
      secondary: Row[] | Error;
    }
  | { type: 'switch'; at: Date; primary: string; secondary: string; mode: string }
  | {
      type: 'statement-replay';
      at: Date;
      /** A statement shape replicated as text instead of rows, reported once per shape. */
      sql: string;
      /** Why it could not be captured as rows. */
      reason: string;
    }
  | {
      type: 'circuit';
      at: Date;
      /** The side whose circuit changed. */
      target: string;
      /** `'open'`: writes skip it for the journal; `'closed'`: it answers again. */
      state: 'open' | 'closed';
      reason?: string;
    }
  | { type: 'journal-replayed'; at: Date; result: ReplayResult }
  | {
      type: 'secondary-trigger';
      at: Date;
      /** The secondary's name. */
      target: string;
      /** A table the secondary is written, reported once (again after a schema change through the adapter). */
      table: string;
      /**
       * Its triggers, which fire there on every row dual write applies: one that sets a column of
       * the row (`updated_at`) makes the sides differ, and belongs on the primary only; one that
       * writes another table (an audit log) stays on both sides.
       */
      triggers: string[];
    }
  | {
      type: 'primary-outcome-unknown';
      at: Date;
      /** The primary's name. */
      target: string;
      sql: string;
      /** The lost connection or timeout the app got: the write may have committed all the same. */
      error: Error;
      /** Rows the write names by key, journaled to be settled from the primary's current state. */
      rows: RowRef[];
      /** Tables where it may have changed rows it does not name (new rows with generated keys, an UPDATE by another column): run `repair` on them. */
      tables: string[];
      /** The journal entry holding `rows` (absent when there were none, or the journal failed too). */
      entry?: JournalEntry;
    }
  | ControlEvent;

/** The names of {@link DualWriteEvent} types. */
export type DualWriteEventType = DualWriteEvent['type'];

/** The event of one type. */
export type DualWriteEventOf<K extends DualWriteEventType> = Extract<DualWriteEvent, { type: K }>;

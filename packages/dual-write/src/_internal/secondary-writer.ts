import { ConstraintError, SwitchyardError, type DatabaseAdapter, type ExecResult, type Statement } from '@switchyard/core';
import type { ResolvedOptions } from '../dual-write-options';
import type { JournalEntry } from '../journal-types';
import { SecondaryWriteError } from '../secondary-write-error';
import type { ColumnTypeCache } from './column-types';
import { takeFromPrimary, touchedRows } from './conflict-resync';
import type { EventHub } from './event-hub';
import type { JournalBook } from './journal-book';
import type { MetricsCollector } from './metrics-collector';
import { toError } from './to-error';
import { runOn, type WriteOp } from './write-op';
import { verifyResults } from './write-verify';

/** What the secondary's half of a write reads and updates: the adapter's own parts. */
export interface SecondaryWriterParts {
  book: JournalBook;
  metrics: MetricsCollector;
  events: EventHub;
  types: ColumnTypeCache;
  options: ResolvedOptions;
}

/**
 * The secondary's half of a synchronous dual write: applies it, verifies it, settles a
 * backfill's duplicate key from the primary, or journals it. Called inside the adapter's
 * write queue, so the secondary sees writes in the primary's order.
 */
export class SecondaryWriter {
  readonly #parts: SecondaryWriterParts;

  constructor(parts: SecondaryWriterParts) {
    this.#parts = parts;
  }

  /**
   * Writes `statements` (the secondary's form of `op`) after the primary succeeded with
   * `primaryResults`. `primaryStatements` is the primary's form, used to name rows.
   */
  async apply(
    op: WriteOp,
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    primaryResults: ExecResult[],
    statements: Statement[],
    primaryStatements: Statement[],
  ): Promise<void> {
    const { book, metrics, options } = this.#parts;
    const waiting = book.pendingFor(secondary);
    if (waiting > 0) {
      const error = new SwitchyardError(
        'SECONDARY_WRITE_FAILED',
        `${secondary.name} has ${waiting} earlier writes waiting in the journal; this one waits behind them.`,
      );
      return this.#failed(op, statements, primary, secondary, error, true);
    }
    const started = metrics.now();
    let results: ExecResult[];
    try {
      results = await runOn(secondary, op.kind, statements);
    } catch (error) {
      metrics.recordSecondary(started);
      if (error instanceof ConstraintError && (await this.#settleConflict(op, primary, secondary, [statements, primaryStatements], error))) return;
      return this.#failed(op, statements, primary, secondary, toError(error), false);
    }
    metrics.recordSecondary(started);
    metrics.successfulDualWrites++;
    if (options.verifyWrites && op.kind !== 'transaction') {
      await verifyResults(this.#parts, statements, op.verifiable, primaryResults, results);
    }
  }

  /**
   * A secondary that refuses a write with a constraint violation most often already has
   * the row: a backfill read it from the primary after the app's write committed there and
   * wrote it to the secondary before the app's write arrived. The primary holds the truth
   * for those rows (writes are serialized), so they are copied from it. Returns false,
   * leaving the write to the journal, when the rows cannot be named or copied.
   */
  async #settleConflict(
    op: WriteOp,
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    forms: Statement[][],
    error: ConstraintError,
  ): Promise<boolean> {
    const { metrics, events, options } = this.#parts;
    if (!options.takePrimaryOnConflict) return false;
    try {
      const rows = await touchedRows(primary, forms);
      if (!rows) return false;
      await secondary.batch(await takeFromPrimary(primary, rows));
      metrics.secondaryConflictsResolved++;
      metrics.successfulDualWrites++;
      events.emit({ type: 'secondary-conflict', at: new Date(), target: secondary.name, sql: op.label, error, rows });
      return true;
    } catch {
      // The copy failed too (another unique column, a missing parent): the journal keeps the original error.
      return false;
    }
  }

  /** Journals a write the secondary did not apply, reports it, and throws unless told to carry on. */
  async #failed(
    op: WriteOp,
    statements: Statement[],
    primary: DatabaseAdapter,
    secondary: DatabaseAdapter,
    error: Error,
    deferred: boolean,
  ): Promise<void> {
    const { book, metrics, events, options } = this.#parts;
    metrics.secondaryFailures++;
    let entry: JournalEntry | undefined;
    let journalError: Error | undefined;
    try {
      entry = await book.append(secondary, op.kind === 'execute' ? 'single' : 'group', statements, error, deferred);
    } catch (e) {
      journalError = toError(e);
    }
    events.emit({ type: 'secondary-failure', at: new Date(), target: secondary.name, sql: op.label, error, deferred, ...(entry ? { entry } : {}) });
    const what =
      `The write succeeded on ${primary.name} (primary) but ${deferred ? 'was not sent to' : 'failed on'} ` +
      `${secondary.name} (secondary): ${error.message}`;
    const context = { primary: primary.name, secondary: secondary.name, dialect: secondary.dialect, sql: op.label };
    if (journalError) {
      // Not in the journal: the caller is the only one who can keep it now, so always throw.
      throw new SecondaryWriteError(
        `${what} The journal could not store it either (${journalError.message}); re-run the statement on ${secondary.name} yourself.`,
        { ...context, cause: journalError },
      );
    }
    if (options.continueOnSecondaryFailure) return;
    throw new SecondaryWriteError(
      `${what} It is kept in the journal as entry ${entry!.id}; fix ${secondary.name} and call replayJournal(). ` +
        'Set continueOnSecondaryFailure: true to carry on without throwing.',
      { ...context, entry: entry!, cause: error },
    );
  }
}

import { TransientError, type DatabaseAdapter } from '@switchyard/core';
import type { JournalEntry } from '../journal-types';
import type { RowRef } from '../row-ref';
import { SecondaryWriteError } from '../secondary-write-error';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import { dedupeRefs, refOf } from './row-images';
import { toError } from './to-error';
import { failedReading, secondaryDown } from './failed-side';

/**
 * Journals a write the secondary did not apply (its rows, and the statements it could
 * not capture), reports it, and throws a {@link SecondaryWriteError} unless told to carry
 * on. Always throws when the journal itself cannot keep it.
 */
export async function journalFailure(
  parts: Pick<ReplicatorParts, 'book' | 'metrics' | 'events' | 'options'>,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
  error: Error,
  deferred: boolean,
  rows?: RowRef[],
): Promise<void> {
  let entry: JournalEntry | undefined;
  let journalError: Error | undefined;
  try {
    entry = await appendWork(parts, secondary, work, rows ?? workRefs(work), error, deferred);
  } catch (e) {
    journalError = toError(e);
  }
  return reportFailure(parts, primary, secondary, work, error, deferred, entry, journalError);
}

/**
 * The rows a journaled write settles: its own, and the new keys of its key moves (the
 * replayed move finds nothing to move on a secondary that never got the row's old key).
 */
export function workRefs(work: SecondaryWork): RowRef[] {
  return dedupeRefs([...work.images.map(refOf), ...movedRefs(work)]);
}

/** The new keys of a write's key moves. */
export function movedRefs(work: Pick<SecondaryWork, 'moves'>): RowRef[] {
  return (work.moves ?? []).flatMap((m) => m.refs);
}

/** Appends a write's replayed statements, then its rows, to the journal; the last entry made. */
async function appendWork(
  parts: Pick<ReplicatorParts, 'book'>,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
  refs: RowRef[],
  error: Error,
  deferred: boolean,
): Promise<JournalEntry | undefined> {
  let entry: JournalEntry | undefined;
  if (work.replays.length > 0) entry = await parts.book.append(secondary, { label: work.label, statements: work.replays }, error, deferred);
  if (refs.length > 0) entry = await parts.book.append(secondary, { label: work.label, rows: refs }, error, deferred);
  const afterRows = work.afterRows ?? [];
  if (afterRows.length > 0) entry = await parts.book.append(secondary, { label: work.label, statements: afterRows }, error, deferred);
  return entry;
}

/** Counts and reports a write the secondary did not get, and throws as {@link journalFailure} says. */
function reportFailure(
  parts: Pick<ReplicatorParts, 'metrics' | 'events' | 'options'>,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
  error: Error,
  deferred: boolean,
  entry: JournalEntry | undefined,
  journalError: Error | undefined,
): void {
  const { metrics, events, options } = parts;
  metrics.secondaryFailures++;
  events.emit({
    type: 'secondary-failure',
    at: new Date(),
    target: secondary.name,
    sql: work.label,
    error,
    deferred,
    ...(entry ? { entry } : {}),
  });
  const what =
    `The write succeeded on ${primary.name} (primary) but ${deferred ? 'was not sent to' : 'failed on'} ` +
    `${secondary.name} (secondary): ${error.message}`;
  const context = { primary: primary.name, secondary: secondary.name, dialect: secondary.dialect, sql: work.label };
  if (journalError) {
    throw new SecondaryWriteError(
      `${what} The journal could not store it either (${journalError.message}); run validateDatabases and repair ${secondary.name}.`,
      { ...context, cause: journalError },
    );
  }
  if (options.continueOnSecondaryFailure) return;
  throw new SecondaryWriteError(
    `${what} It is kept in the journal as entry ${entry?.id}; it is settled from ${primary.name} by replayJournal(). ` +
      'Set continueOnSecondaryFailure: true to carry on without throwing.',
    { ...context, ...(entry ? { entry } : {}), cause: error },
  );
}

/**
 * Journals rows to be settled from the primary's current state on the next replay, and
 * asks for that replay soon: for writes whose effect on the secondary is in doubt (landed
 * late, or committed on a primary that lost the reply). Never throws: the entry, or
 * `undefined` when the journal could not keep it. Rows the journal could not keep are
 * then counted and reported as a `secondary-failure` without entry, whose error names
 * their tables for `repair`, unless `report` is false (the caller reports them itself).
 */
export async function journalToSettle(
  parts: Pick<ReplicatorParts, 'book' | 'replaySoon' | 'events' | 'metrics'>,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  label: string,
  refs: readonly RowRef[],
  why: Error,
  report = true,
): Promise<JournalEntry | undefined> {
  const rows = dedupeRefs(refs);
  let entry: JournalEntry | undefined;
  try {
    entry = await parts.book.append(secondary, { label, rows }, why, true);
  } catch (journalError) {
    if (report) reportUnkept(parts, primary, secondary, label, rows, why, toError(journalError));
  }
  parts.replaySoon();
  return entry;
}

/** Rows in doubt on the secondary that the journal could not keep: nothing will settle them but `repair`. */
function reportUnkept(
  parts: Pick<ReplicatorParts, 'events' | 'metrics'>,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  label: string,
  rows: readonly RowRef[],
  why: Error,
  journalError: Error,
): void {
  const tables = [...new Set(rows.map((r) => r.table))].join(', ');
  parts.metrics.secondaryFailures++;
  parts.events.emit({
    type: 'secondary-failure',
    at: new Date(),
    target: secondary.name,
    sql: label,
    deferred: true,
    error: new SecondaryWriteError(
      `${rows.length} row(s) of ${tables} may differ on ${secondary.name} (${why.message}), and the journal could not keep them ` +
        `to be settled (${journalError.message}): run validateDatabases and repair ${tables} on ${secondary.name}.`,
      { primary: primary.name, secondary: secondary.name, dialect: secondary.dialect, sql: label, cause: journalError },
    ),
  });
}

/**
 * Journals a committed write whose work could not be built for the secondary, blaming the
 * side that failed. When a read of the primary failed (its rows or table definitions after
 * the commit), the secondary is not at fault: the write's statements and rows are journaled
 * to be settled once the primary answers, and neither counted as a secondary failure nor
 * thrown (unless the journal cannot keep them either: then reported and thrown as by
 * {@link journalFailure}). Otherwise as {@link journalFailure}, with the secondary's
 * circuit opened when it is the side that stopped answering.
 */
export async function journalUnsent(
  p: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
  error: Error,
  deferred: boolean,
  rows?: RowRef[],
): Promise<void> {
  const refs = rows ? dedupeRefs(rows) : workRefs(work);
  if (!failedReading(error, primary)) {
    if (secondaryDown(error, secondary)) p.circuit.open(secondary, error.message);
    return journalFailure(p, primary, secondary, work, error, deferred, refs);
  }
  const why = new TransientError(`${primary.name} could not be read after the write committed (${error.message}).`);
  try {
    await appendWork(p, secondary, work, refs, why, true);
  } catch (journalError) {
    // Nothing reached the secondary, and the journal cannot keep it either (a table journal
    // lives in the primary): reported, and thrown, as any write the journal could not keep.
    return reportFailure(p, primary, secondary, work, error, false, undefined, toError(journalError));
  }
  p.replaySoon();
}

import { TimeoutError, TransientError, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { statementTables } from './journal-tables';
import type { ReplicatorParts, Step } from './replication-types';
import { dedupeRefs, refOf, type RowImage } from './row-images';
import { journalToSettle } from './secondary-failure';
import { toError } from './to-error';
import { isOutage } from './write-errors';
import { replicatesNothing } from './primary-only';

/**
 * What a write whose primary outcome is unknown may have changed: the rows it names by key
 * (their current state can be read from the primary later), and the tables where it may
 * have changed rows no one can name (new rows with generated keys, an UPDATE by another column).
 */
export interface UnsureWrite {
  label: string;
  rows: RowRef[];
  tables: string[];
}

/** What the steps of a write that failed on the primary may have changed. */
export function unsureOfSteps(steps: readonly Step[], label: string): UnsureWrite {
  const rows: RowRef[] = [];
  const tables: string[] = [];
  for (const step of steps) {
    if (step.kind === 'capture' && step.plan.named && !step.plan.newRowsOnly) rows.push(...step.plan.named);
    else if (step.kind === 'capture') tables.push(step.plan.table.name);
    else if (!replicatesNothing(step)) tables.push(...statementTables([step.primary]).filter((t) => t !== '*'));
  }
  return { label, rows, tables: [...new Set(tables)] };
}

/** What a transaction that failed on the primary may have committed: the rows it captured, and its replayed statements' tables. */
export function unsureOfTransaction(refs: readonly RowRef[], replays: readonly Statement[], label: string): UnsureWrite {
  return { label, rows: [...refs], tables: [...new Set(statementTables(replays).filter((t) => t !== '*'))] };
}

/** Failures that say the write never ran or was rolled back: a refused or unreachable server, a deadlock, a serialization failure. */
const NOT_RUN = /^(40|53|57P03|08001|08004)|^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/;

/**
 * Whether a failed write may have committed all the same: the connection was lost or the
 * reply did not come in time after the statement may have reached the server.
 */
export function outcomeUnknown(error: Error): boolean {
  if (!isOutage(error) || (error as { code?: string }).code === 'CONNECTION_FAILED') return false;
  if (error instanceof TimeoutError) return error.phase === 'query';
  const cause = error.cause as { code?: unknown; syscall?: unknown } | undefined;
  // A socket that failed while connecting never carried the write.
  if (cause?.syscall === 'connect') return false;
  return !(typeof cause?.code === 'string' && NOT_RUN.test(cause.code)) && !/not queryable/i.test(error.message);
}

/**
 * After the primary failed a write by losing its connection or timing out (not by refusing
 * it), the write may have committed there all the same: the reply, not the statement, may
 * be what was lost. The rows it names are journaled, to be settled from the primary's
 * current state on the next replay (a no-op where it did not commit), and the write is
 * counted and reported with the tables whose rows cannot be named (for `repair`). The app
 * still gets the primary's error.
 */
export async function settleUnsure(
  p: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  write: UnsureWrite,
  error: unknown,
): Promise<void> {
  const failure = toError(error);
  if (!outcomeUnknown(failure)) return;
  p.metrics.primaryOutcomesUnknown++;
  const rows = dedupeRefs(write.rows);
  const why = new TransientError(
    `${primary.name} lost a write's reply (${failure.message}); it may have committed, so its rows are settled from ${primary.name} once it answers.`,
  );
  const entry = rows.length > 0 ? await journalToSettle(p, primary, secondary, write.label, rows, why, false) : undefined;
  p.events.emit({
    type: 'primary-outcome-unknown',
    at: new Date(),
    target: primary.name,
    sql: write.label,
    error: failure,
    rows,
    tables: write.tables,
    ...(entry ? { entry } : {}),
  });
}

/**
 * A read of the primary after it committed a write (rows a trigger may have changed, rows
 * another write got to first): if the read fails, the captured rows go on to the secondary
 * as they are, and are journaled to be settled from the primary once it answers. The write
 * committed: failing it now would lose its rows with no trace.
 */
export async function readAfterCommit(
  p: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  images: RowImage[],
  label: string,
  read: (images: RowImage[]) => Promise<RowImage[]>,
): Promise<RowImage[]> {
  try {
    return await read(images);
  } catch (error) {
    await journalToSettle(p, primary, secondary, label, images.map(refOf), toError(error));
    return images;
  }
}

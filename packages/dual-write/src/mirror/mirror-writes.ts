import { InvalidArgumentError, UnsupportedError, type DatabaseAdapter, type ExecResult, type Statement } from '@switchyard/core';
import { MirrorSendError } from './mirror-errors';
import type { MirrorOp, MovedKeys } from './mirror-op';
import type { Mirror } from './mirror-types';
import type { CapturedRows } from './outbox-captured';
import type { RowRef } from '../row-ref';

/**
 * Runs one write on the primary together with what its mirror needs there (the outbox
 * entry), atomically, then hands the operation to the mirror. Returns the write's own
 * results, as if it had run alone. This is the write path of `secondaryWrites: 'async'`.
 * `moves`: the updates among `secondaryStatements` that move keys (see `MirrorOp.moves`).
 *
 * @example
 * ```ts
 * const [result] = await writeThroughMirror(mirror, primary, 'execute', [{ sql, params }]);
 * ```
 */
export async function writeThroughMirror(
  mirror: Mirror,
  primary: DatabaseAdapter,
  kind: 'execute' | 'batch' | 'transaction',
  primaryStatements: readonly Statement[],
  secondaryStatements: readonly Statement[] = primaryStatements,
  tolerateSendFailure = false,
  moves?: MovedKeys[],
): Promise<ExecResult[]> {
  const prepared = await mirror.prepare(secondaryStatements, primaryStatements, undefined, undefined, moves);
  let results: ExecResult[];
  if (kind === 'execute' && prepared.statements.length === 1) {
    const s = prepared.statements[0]!;
    results = [await primary.execute(s.sql, s.params ?? [])];
  } else {
    // One batch: the write and its entry commit together or not at all.
    results = await primary.batch(prepared.statements);
  }
  await commitMirrored(mirror, prepared.op, tolerateSendFailure);
  return results.slice(0, prepared.resultCount);
}

/**
 * Hands an operation to its mirror after the primary committed. A failed queue send is
 * thrown as {@link MirrorSendError} (the operation is kept in `failedSends` either way),
 * unless `tolerateSendFailure` (the adapter's `continueOnSecondaryFailure`) is set.
 *
 * @example
 * ```ts
 * await commitMirrored(mirror, op, false);
 * ```
 */
export async function commitMirrored(mirror: Mirror, op: MirrorOp, tolerateSendFailure = false): Promise<void> {
  try {
    await mirror.commit(op);
  } catch (error) {
    if (!(tolerateSendFailure && error instanceof MirrorSendError)) throw error;
  }
}

/**
 * Checks a mirror against the dual-write adapter's primary: an outbox must live in it.
 *
 * @example
 * ```ts
 * assertMirrorFits(outboxMirror(sqlite), sqlite); // fine
 * ```
 */
export function assertMirrorFits(mirror: Mirror, primary: DatabaseAdapter): void {
  if (typeof mirror?.prepare !== 'function' || typeof mirror.commit !== 'function') {
    throw new InvalidArgumentError('mirror must be made by outboxMirror(primary) or queueMirror(queue).');
  }
  if ('primary' in mirror && mirror.primary !== primary) {
    throw new InvalidArgumentError(
      `The outbox mirror was made for ${(mirror.primary as DatabaseAdapter).name}, but the primary is ${primary.name}: ` +
        'pass the primary adapter itself to outboxMirror(), so the outbox entry commits with the write.',
    );
  }
}

/**
 * The error `switchPrimary()` gives in async mode: the mirror still carries writes to the
 * side that would become primary, and an outbox lives in the current primary.
 *
 * @example
 * ```ts
 * if (options.mirror) throw asyncSwitchError(primary.name, secondary.name);
 * ```
 */
export function asyncSwitchError(primary: string, secondary: string): UnsupportedError {
  return new UnsupportedError(
    `switchPrimary() is not available with secondaryWrites: 'async': writes to ${secondary} may still be in the mirror. ` +
      `Stop writes, drain the mirror (drainOutbox until its depth is 0, or let the queue empty), then create the adapter ` +
      `again with ${secondary} as primary (or with secondaryWrites: 'sync') and switch from there.`,
  );
}

/**
 * Inside a primary transaction, just before it commits: writes what the mirror needs for
 * the transaction's recorded writes (the outbox entry), so it commits with them. Returns
 * the operation to pass to `mirror.commit()` after the commit, or `undefined` when the
 * transaction wrote nothing.
 *
 * @example
 * ```ts
 * const op = await primary.transaction(async (tx) => { ...; return recordInTransaction(mirror, tx, recorded); });
 * if (op) await mirror.commit(op);
 * ```
 */
export async function recordInTransaction(
  mirror: Mirror,
  tx: DatabaseAdapter,
  recorded: readonly Statement[],
  rows?: RowRef[],
  captured?: CapturedRows[],
  moves?: MovedKeys[],
  deleted?: RowRef[],
): Promise<MirrorOp | undefined> {
  if (recorded.length === 0 && !captured?.length) return undefined;
  const prepared = await mirror.prepare(recorded, [], rows, captured, moves, deleted);
  for (const s of prepared.statements) await tx.execute(s.sql, s.params ?? []);
  return prepared.op;
}

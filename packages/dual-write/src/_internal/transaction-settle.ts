import type { DatabaseAdapter } from '@switchyard/core';
import type { ReplicatorParts, SecondaryWork, TransactionRecord } from './replication-types';
import type { SecondaryDelivery } from './secondary-delivery';
import { dedupeRefs, imageStatements } from './row-images';
import { journalToSettle, journalUnsent, movedRefs, workRefs } from './secondary-failure';
import { toError } from './to-error';
import { addDependents } from './cascade-rows';
import { settleContended } from './contended-rows';
import { transactionClaims } from './write-claims';
import { pairsOrWhyNot } from './table-pairs';
import { dualWriteKind } from './primary-only';

/**
 * After a primary transaction committed: settles the rows it wrote from the primary's
 * current state (read under the rows' locks, so a concurrent write's newer image is
 * never overwritten) and replays the statements it could not capture, first.
 */
export async function settleTransaction(
  p: ReplicatorParts,
  delivery: SecondaryDelivery,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  recorded: TransactionRecord,
  label: string,
): Promise<void> {
  const refs = dedupeRefs(recorded.refs);
  const claims = transactionClaims(refs, recorded.replays);
  const release = await p.locks.acquire(claims);
  // Held now: a write that verifies these rows waits for this settle, which reads them again.
  recorded.committing?.();
  const { replays, moves } = recorded;
  const work: SecondaryWork = { label, statements: [...replays], images: [], replays: [...replays], moves, claims };
  if (recorded.afterRows) work.afterRows = recorded.afterRows;
  work.replayedRows = recorded.replayedRows;
  const settleLater = [...refs, ...movedRefs(work)];
  const unsent = (error: unknown) => journalUnsent(p, primary, secondary, work, toError(error), false, settleLater);
  try {
    p.metrics.totalWrites++;
    p.metrics.replicatedByRow += recorded.captured;
    p.metrics.replicatedByStatement += recorded.replays.length;
    try {
      work.images = await p.settler.current(primary, refs);
    } catch (error) {
      return await unsent(error);
    }
    if (!(await definitionsFirst(p, delivery, primary, secondary, work))) return;
    try {
      const pairs = await pairsOrWhyNot(
        p,
        primary,
        secondary,
        work.images.map((i) => i.table),
      );
      if (pairs instanceof Error) throw pairs;
      const written = work.images.map((i) => (i.row === null ? undefined : i.table));
      work.returning = work.replays.length === 0 && delivery.returns(secondary, written);
      work.statements.push(...imageStatements(work.images, pairs, primary.dialect, secondary, work.returning));
      work.statements.push(...(work.afterRows ?? []));
      work.pairs = pairs;
      if (recorded.replaced) work.replaced = recorded.replaced.map((r) => ({ table: r.table, key: r.key, row: null }));
      if (work.images.some((i) => i.row === null) || work.replaced) await addDependents(p, primary, secondary, work, pairs);
    } catch (error) {
      return await unsent(error);
    }
    await delivery.toSecondary(primary, secondary, work);
  } finally {
    work.held?.release();
    release();
    await settleContended(p, primary, secondary, work);
  }
}

/**
 * A transaction that changed the schema and wrote rows (a migration that creates a table
 * and fills it, as Kysely's `Migrator` runs one): the rows' statements are built from the
 * secondary's definition of each table, which exists only once the definitions ran there.
 * So they are sent first, alone, and `work` keeps the rows. Built together, the secondary's
 * tables could not be read, the whole write was journaled and the app was told the
 * secondary failed, until a replay. `false` when the definitions did not land: they are
 * journaled (and reported, as any failed write), and the rows after them, to settle.
 */
async function definitionsFirst(
  p: ReplicatorParts,
  delivery: SecondaryDelivery,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
): Promise<boolean> {
  if (work.images.length === 0 || !work.replays.some((s) => dualWriteKind(s.sql) === 'schema')) return true;
  const { label, replays, moves, claims, replayedRows } = work;
  const definitions: SecondaryWork = { label, statements: [...replays], images: [], replays: [...replays], moves, claims, replayedRows };
  const rows = workRefs(work);
  const journaled = p.book.pendingFor(secondary);
  // The rows wait in the journal behind the definitions, and what runs after the rows behind them.
  const journalRest = async (why: Error, report = true) => {
    await journalToSettle(p, primary, secondary, label, rows, why, report);
    if (work.afterRows?.length) await p.book.append(secondary, { label, statements: work.afterRows }, why, true).catch(() => undefined);
  };
  try {
    await delivery.toSecondary(primary, secondary, definitions);
  } catch (error) {
    await journalRest(toError(error), false);
    throw error;
  }
  if (p.book.pendingFor(secondary) > journaled) {
    await journalRest(new Error(`${secondary.name} has not run the definitions before these rows`));
    return false;
  }
  // The tables the definitions made are read again where the rows' statements are built.
  p.catalog.invalidate();
  Object.assign(work, { statements: [], replays: [], moves: undefined, replayedRows: undefined });
  return true;
}

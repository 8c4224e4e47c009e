import type { DatabaseAdapter } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { SwitchPrimaryError } from '../switch-primary-error';
import type { JournalEntry, ReplayResult } from '../journal-types';
import type { DualWriteCore } from './dual-write-core';
import { rowName } from './row-images';
import { refusedStatementRows } from './refused-statement';
import { settleOrphans } from './orphan-sweep';
import { toError } from './to-error';
import { isOutage } from './write-errors';
import { readOn, secondaryDown } from './failed-side';

/** Replays what the side about to become primary misses; refuses, unless forced, if some still fail. */
export async function settleNext(core: DualWriteCore, force: boolean): Promise<void> {
  await core.book.ready();
  const next = core.secondary;
  // A durable journal is read again: other instances may have added entries, or settled ours.
  if (core.book.journal.kind !== 'memory') {
    const unread = await core.book.refresh().then(
      () => undefined,
      (error: unknown) => toError(error),
    );
    if (unread && !force) {
      throw new SwitchPrimaryError(
        'journal-pending',
        `Cannot make ${next.name} primary: the journal (${core.book.journal.kind}) could not be read to see whether ` +
          `writes wait for it (${unread.message}). Fix its database and try again, or pass { force: true } to switch anyway.`,
        { dialect: next.dialect, cause: unread },
      );
    }
  }
  if (core.book.pendingFor(next) === 0) return;
  const replayed = await replay(core);
  if (core.book.pendingFor(next) > 0 && !force) {
    throw new SwitchPrimaryError(
      'journal-pending',
      `Cannot make ${next.name} primary: ${core.book.pendingFor(next)} journaled writes have not reached it ` +
        `(${replayed.error?.message ?? 'replay stopped'}). Fix ${next.name} and call replayJournal(), ` +
        'or pass { force: true } to switch anyway.',
      { dialect: next.dialect, cause: replayed.error },
    );
  }
}

/** Replays the journal between writes, once it is loaded. */
export function replayJournal(core: DualWriteCore): Promise<ReplayResult> {
  return core.shared(async () => {
    await core.book.ready();
    return replay(core);
  });
}

/** Replays the journal, settling row entries from the other side under their rows' locks. */
export async function replay(core: DualWriteCore): Promise<ReplayResult> {
  // Tables may have been created or fixed behind the adapter's back since they were read.
  core.catalog.refresh();
  const names = core.sides.map((s) => s.name);
  // With two adapters of one name, an entry is for the side that was secondary: the current one.
  const resolve = (name: string) => (core.secondary.name === name ? core.secondary : core.primary.name === name ? core.primary : undefined);
  // Entries are settled from the side other than the one they are for.
  const sourceOf = (target: DatabaseAdapter) => (target === core.primary ? core.secondary : core.primary);
  const settle = async (target: DatabaseAdapter, refs: RowRef[]) => {
    const release = await core.locks.acquire({
      sharedTables: refs.map((r) => r.table),
      exclusiveTables: [],
      rows: refs.map((r) => rowName(r.table, r.key)),
    });
    try {
      await settleRows(core, sourceOf(target), target, refs);
    } finally {
      release();
    }
  };
  const unfenced = await fenceSides(core);
  // A replay cut off by an outage left its sweep to this one (see below); an unfenced one keeps it.
  const touched = new Set<string>(!unfenced && core.unswept?.side === core.secondary ? core.unswept.tables : []);
  if (!unfenced) core.unswept = undefined;
  const result: ReplayResult = unfenced
    ? { applied: 0, remaining: core.book.depth(), error: unfenced }
    : await core.book.replay(
        resolve,
        names,
        settle,
        (target, entry) => refusedStatementRows(core.catalog, sourceOf(target), target, entry),
        touched,
        (entries) => fenceListed(core, entries),
      );
  // Rows the settled entries left referencing nothing on the secondary (see `settleOrphans`).
  // After a side stopped answering it is left to the next replay, with these tables: asked
  // now, the secondary would cost one more timeout, and the sweep would be lost.
  const target = core.secondary;
  const cutOff = result.error !== undefined && isOutage(result.error);
  if (touched.size > 0 && cutOff) core.unswept = { side: target, tables: touched };
  else if (touched.size > 0) {
    await settleOrphans(core.catalog, sourceOf(target), target, touched, (refs) => settle(target, refs)).catch((error: unknown) => {
      const failure = toError(error);
      result.error ??= failure;
      if (isOutage(failure)) core.unswept = { side: target, tables: touched };
    });
  }
  if (result.applied > 0 || result.error) core.events.emit({ type: 'journal-replayed', at: new Date(), result });
  if (!result.error && result.applied > 0) core.circuit.close(core.secondary);
  // Cut off by a side that stopped answering again: the circuit's probe replays once the secondary
  // answers; one that stopped reading the primary is tried again on the probe's interval.
  else if (result.error && result.remaining > 0) {
    if (secondaryDown(result.error, core.secondary)) core.circuit.open(core.secondary, result.error.message);
    else if (isOutage(result.error)) replaySoon(core, core.options.probeIntervalMs);
  }
  return result;
}

/**
 * Sets `refs` on `target` to their state on `source`. Another instance may write these rows
 * between this read and this write, and check its own write before this one lands: with
 * several instances (verifyWrites), the last writer of a row checks it, and settles a
 * difference under the row's lock on `source`.
 */
async function settleRows(core: DualWriteCore, source: DatabaseAdapter, target: DatabaseAdapter, refs: RowRef[]): Promise<void> {
  await core.settler.resync(source, target, refs);
  if (!core.options.verifyWrites) return;
  const stale = await core.settler.differences(source, target, refs);
  if (stale.length > 0)
    await core.settler.resync(
      source,
      target,
      stale.map((d) => d.ref),
      true,
    );
}

/**
 * Ends the sessions either side gave up on while a statement may still reach them, so that
 * no write abandoned before this replay can land after it and leave a row older than the
 * primary's. The error when a side cannot be fenced now: the replay waits for the next try.
 */
async function fenceSides(core: DualWriteCore): Promise<Error | undefined> {
  try {
    await Promise.all(core.sides.map((side) => side.fenceAbandoned && readOn(side, side.fenceAbandoned())));
    return undefined;
  } catch (error) {
    return toError(error);
  }
}

/**
 * Ends the sessions journal entries name (see `JournalEntry.fence`): another instance's,
 * which may have stopped before it could fence them itself. The error when a side cannot be
 * fenced now: nothing is replayed, and the next replay tries again.
 */
async function fenceListed(core: DualWriteCore, entries: readonly JournalEntry[]): Promise<Error | undefined> {
  try {
    await Promise.all(
      core.sides.map((side) => {
        const listed = entries.flatMap((e) => (e.target === side.name ? (e.fence ?? []) : []));
        return listed.length > 0 && side.fenceAbandoned ? readOn(side, side.fenceAbandoned(listed)) : undefined;
      }),
    );
    return undefined;
  } catch (error) {
    return toError(error);
  }
}

/** A replay shortly (`delayMs`) after the secondary answers again, after a late write landed, or after the primary did not answer a replay. */
export function replaySoon(core: DualWriteCore, delayMs = 50): void {
  if (core.replayTimer || core.circuit.stopped || core.circuit.isOpen(core.secondary)) return;
  core.replayTimer = setTimeout(() => {
    core.replayTimer = undefined;
    if (core.book.depth() > 0) replayJournal(core).catch(() => {});
  }, delayMs);
  (core.replayTimer as { unref?: () => void }).unref?.();
}

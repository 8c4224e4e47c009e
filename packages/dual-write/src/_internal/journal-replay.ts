import { SwitchPrimaryError } from '../switch-primary-error';
import type { ReplayResult } from '../journal-types';
import type { DualWriteCore } from './dual-write-core';
import { rowName } from './row-images';
import { isOutage } from './write-errors';

/** Replays what the side about to become primary misses; refuses, unless forced, if some still fail. */
export async function settleNext(core: DualWriteCore, force: boolean): Promise<void> {
  await core.book.ready();
  const next = core.secondary;
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
  core.catalog.invalidate();
  const names = core.sides.map((s) => s.name);
  // With two adapters of one name, an entry is for the side that was secondary: the current one.
  const resolve = (name: string) => (core.secondary.name === name ? core.secondary : core.primary.name === name ? core.primary : undefined);
  const result = await core.book.replay(resolve, names, async (target, refs) => {
    const source = target === core.primary ? core.secondary : core.primary;
    const release = await core.locks.acquire({
      sharedTables: refs.map((r) => r.table),
      exclusiveTables: [],
      rows: refs.map((r) => rowName(r.table, r.key)),
    });
    try {
      await core.settler.resync(source, target, refs);
    } finally {
      release();
    }
  });
  if (result.applied > 0 || result.error) core.events.emit({ type: 'journal-replayed', at: new Date(), result });
  if (!result.error && result.applied > 0) core.circuit.close(core.secondary);
  // Cut off by a side that stopped answering again: the circuit's probe replays once it answers.
  else if (result.error && result.remaining > 0 && isOutage(result.error)) core.circuit.open(core.secondary, result.error.message);
  return result;
}

/** A replay shortly after the secondary answers again, or after a late write landed. */
export function replaySoon(core: DualWriteCore): void {
  if (core.replayTimer || core.circuit.isOpen(core.secondary)) return;
  core.replayTimer = setTimeout(() => {
    core.replayTimer = undefined;
    if (core.book.depth() > 0) replayJournal(core).catch(() => {});
  }, 50);
  (core.replayTimer as { unref?: () => void }).unref?.();
}

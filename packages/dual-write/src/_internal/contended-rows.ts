import type { DatabaseAdapter } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import { refOf, rowName } from './row-images';
import { journalToSettle } from './secondary-failure';
import { toError } from './to-error';
import { updatedDependents } from './update-cascade-rows';

/**
 * After a write released its locks: the rows its foreign key actions changed that another
 * write held meanwhile are settled from the primary's current rows, under their locks (so
 * after that write, and before any later one). When that fails they are journaled to be
 * settled by the replay.
 */
export async function settleContended(
  parts: ReplicatorParts,
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  work: SecondaryWork,
): Promise<void> {
  const held = work.held;
  if (held && held.busyTables.length > 0) {
    // Every write that held those tables is done once they can be held alone; holding them
    // alone is not needed after that.
    (await parts.locks.acquire({ sharedTables: [], exclusiveTables: held.busyTables, rows: [] }))();
  }
  const refs = [...(held?.contended ?? []), ...(held?.deleted ?? [])];
  try {
    // The rows that reference the values this write's updates replaced, now that those writes landed.
    const read = (r: readonly RowRef[]) => parts.settler.current(primary, r);
    for (const { written, before } of held?.updated ?? [])
      refs.push(...(await updatedDependents(parts.catalog, primary, secondary, written, read, { before })).map(refOf));
  } catch (error) {
    return void (await journalToSettle(parts, primary, secondary, work.label, refs, toError(error)));
  }
  if (refs.length === 0) return;
  const release = await parts.locks.acquire({
    sharedTables: refs.map((r) => r.table),
    exclusiveTables: [],
    rows: refs.map((r) => rowName(r.table, r.key)),
  });
  try {
    if (parts.circuit.isOpen(secondary)) throw new Error(`${secondary.name} is not answering`);
    await parts.settler.resync(primary, secondary, refs, true);
  } catch (error) {
    await journalToSettle(parts, primary, secondary, work.label, refs, toError(error));
  } finally {
    release();
  }
}

import type { DatabaseAdapter } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import type { ReadCurrent } from './cascade-rows';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import type { LockClaims, RowLocks } from './row-locks';
import { rowName, type RowImage } from './row-images';
import { journalToSettle } from './secondary-failure';
import { toError } from './to-error';

/**
 * The row locks a write takes on the rows its foreign key actions changed. No write names
 * those rows, so they are found only after the write ran, when it already holds its own
 * locks: taking more then in the usual way could wait in a cycle. So a row whose lock is
 * free is taken at once (and held until the write's own locks are released), before it
 * is read from the primary; a row another write holds or waits for is `contended`: the
 * other write may reach the secondary after this one, with the row as it was before this
 * write's action changed it, so the row is settled again once that write is done (see
 * {@link settleContended}).
 */
export class DependentLocks {
  readonly #locks: RowLocks;
  readonly #claims: LockClaims;
  readonly #own: ReadonlySet<string>;
  readonly #taken = new Set<string>();
  readonly #releases: (() => void)[] = [];
  /** Rows another write held or waited for when this write's action changed them. */
  readonly contended: RowRef[] = [];

  constructor(locks: RowLocks, claims: LockClaims, own: readonly Pick<RowImage, 'table' | 'key'>[]) {
    this.#locks = locks;
    this.#claims = claims;
    this.#own = new Set([...claims.rows, ...own.map((r) => rowName(r.table, r.key))]);
  }

  /** Takes the free locks of `refs`; the others are noted as contended. */
  take(refs: readonly RowRef[]): void {
    const lower = (tables: string[]) => new Set(tables.map((t) => t.toLowerCase()));
    const exclusive = lower(this.#claims.exclusiveTables);
    const shared = lower(this.#claims.sharedTables);
    for (const ref of refs) {
      const name = rowName(ref.table, ref.key);
      const table = ref.table.toLowerCase();
      // A table this write holds alone covers its rows.
      if (this.#own.has(name) || this.#taken.has(name) || exclusive.has(table)) continue;
      this.#taken.add(name);
      const release = this.#locks.tryRow(ref.table, name, shared.has(table));
      if (release) this.#releases.push(release);
      else this.contended.push(ref);
    }
  }

  /**
   * Notes the tables whose rows the write's deletes changed through `ON DELETE` actions
   * (`children`) that another write holds: a row it wrote there before this write may not
   * have reached the secondary yet, where this write looks for the rows to change. Its
   * deleted rows are settled again once those writes are done (see {@link settleContended}).
   */
  recheck(children: readonly string[], deleted: readonly RowRef[]): void {
    const shared = new Set(this.#claims.sharedTables.map((t) => t.toLowerCase()));
    const busy = children.filter((t) => this.#locks.busy(t, shared.has(t.toLowerCase())));
    if (busy.length === 0) return;
    this.busyTables.push(...busy);
    this.deleted.push(...deleted);
  }

  /** Tables another write held when this write's deletes acted on them (see {@link recheck}). */
  readonly busyTables: string[] = [];
  /** This write's deleted rows, to be settled again after those writes. */
  readonly deleted: RowRef[] = [];

  /** Releases the locks taken, with the write's own. */
  release(): void {
    for (const release of this.#releases.splice(0)) release();
  }
}

/**
 * The read of the primary's current rows for the foreign key actions of `work`, taking
 * their locks first when the write holds locks of its own (`work.claims`).
 */
export function lockingRead(parts: Pick<ReplicatorParts, 'locks' | 'settler'>, primary: DatabaseAdapter, work: SecondaryWork): ReadCurrent {
  return (refs) => {
    if (work.claims) (work.held ??= new DependentLocks(parts.locks, work.claims, work.images)).take(refs);
    return parts.settler.current(primary, refs);
  };
}

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

import type { DatabaseAdapter, Row } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import type { ReadCurrent } from './cascade-rows';
import type { ReplicatorParts, SecondaryWork } from './replication-types';
import type { LockClaims, RowLocks } from './row-locks';
import { rowName, type RowImage } from './row-images';

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
  /** Rows another write held or waited for when this write's action changed them. */
  readonly contended: RowRef[] = [];
  /** Tables another write held when this write's actions reached them (see {@link recheck}). */
  readonly busyTables: string[] = [];
  /** This write's deleted rows, to be settled again after those writes. */
  readonly deleted: RowRef[] = [];
  /** This write's rows whose referenced values changed, with the secondary's rows before it, to be looked up again. */
  readonly updated: { written: readonly RowImage[]; before: Map<string, Row | null> }[] = [];
  readonly #locks: RowLocks;
  readonly #own: ReadonlySet<string>;
  /** The tables (lower case) the write holds alone, and those it holds shared. */
  readonly #exclusive: ReadonlySet<string>;
  readonly #shared: ReadonlySet<string>;
  readonly #taken = new Set<string>();
  readonly #releases: (() => void)[] = [];
  /** Set once the write released its locks; see {@link take}. */
  #released = false;

  constructor(locks: RowLocks, claims: LockClaims, own: readonly Pick<RowImage, 'table' | 'key'>[]) {
    this.#locks = locks;
    this.#own = new Set([...claims.rows, ...own.map((r) => rowName(r.table, r.key))]);
    this.#exclusive = new Set(claims.exclusiveTables.map((t) => t.toLowerCase()));
    this.#shared = new Set(claims.sharedTables.map((t) => t.toLowerCase()));
  }

  /**
   * Takes the free locks of `refs`; the others are noted as contended. After the write
   * released its locks it takes none: a lookup given up on by `secondaryTimeoutMs` still
   * runs, and a lock it took then would never be released, stalling every later write to
   * that table. Such a write's rows are journaled to be settled instead.
   */
  take(refs: readonly RowRef[]): void {
    if (this.#released) return;
    for (const ref of refs) {
      const name = rowName(ref.table, ref.key);
      const table = ref.table.toLowerCase();
      // A table this write holds alone covers its rows.
      if (this.#own.has(name) || this.#taken.has(name) || this.#exclusive.has(table)) continue;
      this.#taken.add(name);
      const release = this.#locks.tryRow(ref.table, name, this.#shared.has(table));
      if (release) this.#releases.push(release);
      else this.contended.push(ref);
    }
  }

  /**
   * Notes the tables whose rows the write's deletes changed through `ON DELETE` actions
   * (`children`) that another write holds: a row it wrote there before this write may not
   * have reached the secondary yet, where this write looks for the rows to change. Its
   * deleted rows are settled again once those writes are done (see `settleContended`).
   */
  recheck(children: readonly string[], deleted: readonly RowRef[]): void {
    if (this.#noteBusy(children)) this.deleted.push(...deleted);
  }

  /**
   * The same for an update of values that `ON UPDATE` actions of `children` follow: a row
   * another write added under an old value may not have been on the secondary when this
   * write looked for the rows referencing it. `before`: the secondary's rows of `written`
   * as that lookup finds them (asked before it), whose values are looked for again.
   */
  recheckUpdates(children: readonly string[], written: readonly RowImage[], before: Map<string, Row | null>): void {
    if (this.#noteBusy(children)) this.updated.push({ written, before });
  }

  /**
   * The same for rows this write left under values of `parents` (see `recheckParents`):
   * while another write holds one of those tables, `own` are settled again once it is done.
   */
  recheckParents(parents: readonly string[], own: readonly RowRef[]): void {
    if (this.#noteBusy(parents)) this.contended.push(...own);
  }

  /** Adds those of `children` another write holds to `busyTables`; whether there were any. */
  #noteBusy(children: readonly string[]): boolean {
    const busy = [...new Set(children)].filter((t) => this.#locks.busy(t, this.#shared.has(t.toLowerCase())));
    this.busyTables.push(...busy);
    return busy.length > 0;
  }

  /** Releases the locks taken, with the write's own. */
  release(): void {
    this.#released = true;
    for (const release of this.#releases.splice(0)) release();
  }
}

/** The write's {@link DependentLocks}, made on first use; none off the synchronous path (no `work.claims`). */
export function dependentLocks(locks: RowLocks, work: SecondaryWork): DependentLocks | undefined {
  return work.claims ? (work.held ??= new DependentLocks(locks, work.claims, work.images)) : undefined;
}

/**
 * The read of the primary's current rows for the foreign key actions of `work`, taking
 * their locks first when the write holds locks of its own (`work.claims`).
 */
export function lockingRead(parts: Pick<ReplicatorParts, 'locks' | 'settler'>, primary: DatabaseAdapter, work: SecondaryWork): ReadCurrent {
  return (refs) => {
    dependentLocks(parts.locks, work)?.take(refs);
    return parts.settler.current(primary, refs);
  };
}

import type { RowRef } from '../row-ref';

/** One write on its way to a secondary, and the rows of related writes sent while it was. */
export interface Flight {
  /** The write's tables, lower case. */
  tables: readonly string[];
  /** Tables tied to those by foreign key actions (`updateRelatives`), lower case. */
  related: ReadonlySet<string>;
  refs: readonly RowRef[];
  /** Rows of related writes sent to the same side while this one was on its way. */
  overlapped: RowRef[];
}

/**
 * Writes on their way to each secondary whose tables foreign key actions tie to others.
 * A write that fails there (refused, or given up on at its timeout and perhaps never
 * landed) leaves its rows to the journal; a related write sent meanwhile may have landed
 * all the same: a child written under a parent's code the secondary never got. When the
 * primary then renames that code, its `ON UPDATE CASCADE` moves the child, but the
 * secondary, without those foreign keys until the backfill ends, has no parent row whose
 * old value would lead the replay to it. So the failed write journals the rows of the
 * related writes that overlapped it too, and the replay settles them from the primary
 * under the keys they were sent with: a child moved since is deleted there and brought
 * under its new key.
 */
export class RelatedFlights {
  readonly #open = new Map<string, Set<Flight>>();

  /**
   * Registers a write sent to `side` (named) whose tables are tied to `related`, noting
   * its rows in every related write still on its way there and theirs in it.
   */
  begin(side: string, tables: readonly string[], related: readonly string[], refs: readonly RowRef[]): Flight {
    const flight: Flight = { tables: tables.map((t) => t.toLowerCase()), related: new Set(related), refs, overlapped: [] };
    let open = this.#open.get(side);
    if (!open) this.#open.set(side, (open = new Set()));
    for (const other of open) {
      if (!flight.tables.some((t) => other.related.has(t))) continue;
      other.overlapped.push(...refs);
      flight.overlapped.push(...other.refs);
    }
    open.add(flight);
    return flight;
  }

  /** The write has its answer (or was given up on): later writes no longer overlap it. */
  end(side: string, flight: Flight | undefined): void {
    if (!flight) return;
    const open = this.#open.get(side);
    open?.delete(flight);
    if (open?.size === 0) this.#open.delete(side);
  }
}

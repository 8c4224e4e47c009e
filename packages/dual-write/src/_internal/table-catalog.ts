import { isSwitchyardTable, type DatabaseAdapter, type TableInfo } from '@switchyard/core';

/** One side's tables: being read, or read (`loaded`). */
interface SideTables {
  tables: Promise<Map<string, TableInfo>>;
  via: DatabaseAdapter;
  settled: boolean;
  loaded?: Map<string, TableInfo>;
}

/**
 * Each side's tables as `introspect()` reports them, read once per side and looked up by
 * name without regard to case. Row images need the primary's keys and the secondary's
 * columns; schema statements passing through the adapter invalidate both, and a table
 * not found is looked up again once, in case it was created behind the adapter's back.
 */
export class TableCatalog {
  readonly #bySide = new Map<DatabaseAdapter, SideTables>();
  readonly #retried = new Set<string>();

  invalidate(): void {
    this.#bySide.clear();
    this.#retried.clear();
  }

  /**
   * The side's table of that name (the last part of a qualified name), or `undefined`.
   * `via` reads the schema when it must be read: inside a transaction, the transaction's
   * own adapter, since the side may wait for that transaction to end.
   */
  async table(side: DatabaseAdapter, name: string, via: DatabaseAdapter = side): Promise<TableInfo | undefined> {
    const key = name.toLowerCase();
    const found = (await this.#load(side, via)).get(key);
    if (found || isSwitchyardTable(name)) return found;
    const retry = `${side.name}\u0000${key}`;
    if (this.#retried.has(retry)) return undefined;
    this.#retried.add(retry);
    this.#bySide.delete(side);
    return (await this.#load(side, via)).get(key);
  }

  /**
   * The side's table of that name when the side's tables are already read and hold it,
   * without waiting; otherwise `undefined` (then `table()` reads them).
   */
  peek(side: DatabaseAdapter, name: string): TableInfo | undefined {
    return this.#bySide.get(side)?.loaded?.get(name.toLowerCase());
  }

  /** Every table of the side, as last read. */
  async all(side: DatabaseAdapter): Promise<TableInfo[]> {
    return [...(await this.#load(side, side)).values()];
  }

  #load(side: DatabaseAdapter, via: DatabaseAdapter): Promise<Map<string, TableInfo>> {
    const cached = this.#bySide.get(side);
    if (cached && (cached.settled || cached.via === via)) return cached.tables;
    const read = via.introspect().then((list) => new Map(list.map((t) => [t.name.toLowerCase(), t])));
    // A transaction never waits on a read another caller started on the side itself: on
    // SQLite that read waits for the transaction to end, and the two would wait forever.
    if (cached && via !== side) return read;
    const entry: SideTables = { tables: read, via, settled: false };
    this.#bySide.set(side, entry);
    read.then(
      (tables) => {
        entry.settled = true;
        entry.loaded = tables;
      },
      () => {
        if (this.#bySide.get(side) === entry) this.#bySide.delete(side);
      },
    );
    return read;
  }
}

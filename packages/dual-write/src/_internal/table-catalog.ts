import { isSwitchyardTable, type DatabaseAdapter, type TableInfo } from '@switchyard/core';

/** How long a side's triggers, as read, are trusted before they are read again. */
const TRIGGER_TTL_MS = 2_000;

/** Postgres: relations of that name whose rows something other than the statement may change. */
const PG_CHANGERS =
  "SELECT count(*)::int AS n FROM pg_class c WHERE lower(c.relname) = ? AND c.relkind IN ('r', 'p', 'f', 'v') AND (" +
  "c.relkind <> 'r' OR c.relhasrules OR c.relhassubclass" +
  ' OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)' +
  " OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f'" +
  " AND (k.confdeltype NOT IN ('a', 'r') OR k.confupdtype NOT IN ('a', 'r'))))";

/** SQLite and D1: triggers on the table (TEMP ones too, on SQLite) and foreign keys with an action. */
function sqliteChangers(temp: boolean): string {
  const triggers = (schema: string) => `(SELECT count(*) FROM ${schema} WHERE type = 'trigger' AND lower(tbl_name) = ?)`;
  const actions = "NOT IN ('NO ACTION', 'RESTRICT')";
  return (
    `SELECT ${triggers('sqlite_master')}${temp ? ` + ${triggers('sqlite_temp_master')}` : ''}` +
    ` + (SELECT count(*) FROM pragma_foreign_key_list(?) WHERE on_delete ${actions} OR on_update ${actions}) AS n`
  );
}

/**
 * Each side's tables as `introspect()` reports them, read once per side and looked up by
 * name without regard to case. Row images need the primary's keys and the secondary's
 * columns; schema statements passing through the adapter invalidate both, and a table
 * not found is looked up again once, in case it was created behind the adapter's back.
 */
export class TableCatalog {
  readonly #bySide = new Map<DatabaseAdapter, { tables: Promise<Map<string, TableInfo>>; via: DatabaseAdapter; settled: boolean }>();
  readonly #retried = new Set<string>();
  readonly #triggers = new Map<DatabaseAdapter, Map<string, { at: number; stored: boolean | undefined }>>();

  invalidate(): void {
    this.#bySide.clear();
    this.#retried.clear();
    this.#triggers.clear();
  }

  /**
   * Whether an upsert's `RETURNING *` shows the side's row as it stays: the table has no
   * trigger and no rule (which may change the row after the statement returned it, or
   * another row returned earlier in the same batch), no foreign key that changes its rows
   * when a parent changes (`CASCADE`, `SET NULL`, `SET DEFAULT`), and no partitions or
   * child tables (whose own triggers fire). Any other answer, or none, means read it back.
   * A change through the adapter is seen at once; one made behind its back within `TRIGGER_TTL_MS`.
   * Never waits: until the side has answered (again), the answer is no, so a write never
   * waits on a hung side's catalog.
   */
  returnsStoredRows(side: DatabaseAdapter, name: string): boolean {
    let bySide = this.#triggers.get(side);
    if (!bySide) this.#triggers.set(side, (bySide = new Map()));
    const key = name.toLowerCase();
    const now = Date.now();
    const found = bySide.get(key);
    if (found && now - found.at <= TRIGGER_TTL_MS) return found.stored === true;
    if (found?.stored === undefined && found && now - found.at <= 10 * TRIGGER_TTL_MS) return false;
    const pg = side.dialect === 'postgres';
    const temp = side.dialect === 'sqlite';
    const entry: { at: number; stored: boolean | undefined } = { at: now, stored: undefined };
    bySide.set(key, entry);
    side.query<{ n: number | string }>(pg ? PG_CHANGERS : sqliteChangers(temp), pg ? [key] : temp ? [key, key, key] : [key, key]).then(
      // Trusted for TRIGGER_TTL_MS from when it was asked.
      (rows) => (entry.stored = Number(rows[0]?.n ?? 1) === 0),
      // Not answering: no, and asked again next time.
      () => bySide.get(key) === entry && bySide.delete(key),
    );
    return false;
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
    const entry = { tables: read, via, settled: false };
    this.#bySide.set(side, entry);
    read.then(
      () => (entry.settled = true),
      () => {
        if (this.#bySide.get(side) === entry) this.#bySide.delete(side);
      },
    );
    return read;
  }
}

import { isSwitchyardTable, storedTypeOf, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import { BoundedCache } from './bounded-cache';
import { fixedTextType, textConversions } from './generated-on-alter';
import { readOn } from './failed-side';
import { tablesByName } from './shared-table-names';

/** How long a Postgres side's answer about a table's triggers is trusted before it is asked again. */
const TRIGGER_TTL_MS = 1_000;

/** Postgres: relations of that name whose rows something other than the statement may change. */
const PG_CHANGERS =
  "SELECT count(*)::int AS n FROM pg_class c WHERE lower(c.relname) = ? AND c.relkind IN ('r', 'p', 'f', 'v') AND (" +
  "c.relkind <> 'r' OR c.relhasrules OR c.relhassubclass" +
  ' OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)' +
  " OR EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f'" +
  " AND (k.confdeltype NOT IN ('a', 'r') OR k.confupdtype NOT IN ('a', 'r'))))";

/**
 * Postgres: rules, and triggers that do not fire before the row is written (whose work
 * `RETURNING` would show), on the table or any table under it (a partition's own trigger
 * fires for a row routed to it).
 */
const PG_AFTER =
  'WITH RECURSIVE tree(oid) AS (SELECT c.oid FROM pg_class c WHERE lower(c.relname) = ?' +
  ' UNION SELECT i.inhrelid FROM pg_inherits i JOIN tree t ON i.inhparent = t.oid)' +
  ' SELECT count(*)::int AS n FROM pg_class c WHERE c.oid IN (SELECT oid FROM tree) AND (c.relhasrules' +
  ' OR EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal AND (t.tgtype & 2) = 0))';
/** SQLite: any trigger on the table (a TEMP one too); one that changes the row being written is an AFTER trigger there. */
const SQLITE_TRIGGERS =
  "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE)" +
  " + (SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE) AS n";
/** D1, which keeps no TEMP schema. */
const D1_TRIGGERS = "SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE";

/** A side's answer about a table, and when it was asked; `stored` is unset until it answers. */
interface Answer {
  at: number;
  stored: boolean | undefined;
  /** The ask, resolved with the answer (`false` if it failed). */
  asked?: Promise<boolean>;
}

/** Whether nothing changes a primary table's rows after a write's `RETURNING` (see `primaryRowsStored`); `undefined` if the ask fails. */
async function askAfterTriggers(side: DatabaseAdapter, key: string): Promise<boolean | undefined> {
  const [sql, names] = side.dialect === 'postgres' ? [PG_AFTER, 1] : side.dialect === 'sqlite' ? [SQLITE_TRIGGERS, 2] : [D1_TRIGGERS, 1];
  try {
    const rows = await side.query<{ n: number | string }>(sql, Array<string>(names).fill(key));
    return Number(rows[0]?.n ?? 1) === 0;
  } catch {
    return undefined;
  }
}

/** Per read of a side's tables, the names that tables in several schemas share (see `tablesByName`). */
const sharedNames = new WeakMap<Map<string, TableInfo>, Map<string, string[]>>();

/** A table by name: of exactly that name first (Postgres's `"Users"` beside `users`), else in any case (see `tablesByName`). */
const lookUp = (map: Map<string, TableInfo>, name: string): TableInfo | undefined => map.get(name) ?? map.get(name.toLowerCase());

/** Each table once, its partitions' names aside. */
const uniqueTables = (map: Map<string, TableInfo>): TableInfo[] => [...new Set(map.values())];

/** One side's tables: being read, or read (`loaded`). */
interface SideTables {
  tables: Promise<Map<string, TableInfo>>;
  via: DatabaseAdapter;
  /** Set once the read succeeded. */
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
  /** What `derivedNow` worked out, per read of a side's tables. */
  readonly #derived = new WeakMap<Map<string, TableInfo>, Map<(tables: TableInfo[]) => unknown, unknown>>();
  readonly #retried = new Set<string>();
  /** Each side's tables as last read, kept while they are read again after {@link refresh}. */
  readonly #previous = new Map<DatabaseAdapter, Map<string, TableInfo>>();
  readonly #triggers = new Map<DatabaseAdapter, Map<string, Answer>>();
  readonly #afterTriggers = new Map<DatabaseAdapter, Map<string, Answer>>();
  /** Schema changes (by text) whose conversions to text read only columns with a fixed text form. */
  readonly #fixedText = new BoundedCache<string, boolean>(256);

  /** Forgets what was read: a schema change ran through the adapter, and no earlier read may stand for the tables now. */
  invalidate(): void {
    this.#bySide.clear();
    this.#previous.clear();
    this.#retried.clear();
    this.#triggers.clear();
    this.#afterTriggers.clear();
  }

  /**
   * Reads the tables again on next use: they may have been created or fixed behind the
   * adapter's back. Until the new read is in, the lookups that do not wait (`peek`,
   * `allNow`, `derivedNow`) answer from the last one: a write made meanwhile that found no
   * tables would not follow the primary's foreign key actions on a secondary without them.
   */
  refresh(): void {
    for (const side of [...this.#bySide.keys()]) this.#readAgain(side);
    this.#retried.clear();
    this.#triggers.clear();
    this.#afterTriggers.clear();
  }

  #readAgain(side: DatabaseAdapter): void {
    const loaded = this.#bySide.get(side)?.loaded;
    if (loaded) this.#previous.set(side, loaded);
    this.#bySide.delete(side);
  }

  /** The side's tables as read, or as last read while they are read again. */
  #known(side: DatabaseAdapter): Map<string, TableInfo> | undefined {
    return this.#bySide.get(side)?.loaded ?? this.#previous.get(side);
  }

  /**
   * Whether a Postgres side's upsert `RETURNING *` shows the row as it stays: the table
   * has no trigger and no rule (which may change the row after the statement returned it,
   * or another row returned earlier in the same batch), no foreign key that changes its
   * rows when a parent changes (`CASCADE`, `SET NULL`, `SET DEFAULT`), and no partitions
   * or child tables (whose own triggers fire). Asked in the background and never awaited,
   * so a write never waits on a hung side: until the side has answered (again), the answer
   * is no. An answer is trusted for `TRIGGER_TTL_MS` from when it was asked; a schema
   * statement through the adapter drops it at once. (SQLite and D1 upserts count these in
   * the statement itself: it costs them no round trip.)
   */
  returnsStoredRows(side: DatabaseAdapter, name: string): boolean {
    let bySide = this.#triggers.get(side);
    if (!bySide) this.#triggers.set(side, (bySide = new Map()));
    const key = name.toLowerCase();
    const now = Date.now();
    const found = bySide.get(key);
    if (found && now - found.at <= TRIGGER_TTL_MS) return found.stored === true;
    // Asked and not answered yet: asked again only if the side has been silent for long.
    if (found && found.stored === undefined && now - found.at <= 10 * TRIGGER_TTL_MS) return false;
    const entry: Answer = { at: now, stored: undefined };
    bySide.set(key, entry);
    side.query<{ n: number | string }>(PG_CHANGERS, [key]).then(
      (rows) => (entry.stored = Number(rows[0]?.n ?? 1) === 0),
      () => bySide.get(key) === entry && bySide.delete(key),
    );
    return false;
  }

  /**
   * Whether the rows a write to this table on the primary returned (`RETURNING`) are the
   * rows it left: nothing changes them after the statement computed them. A trigger that
   * fires after the row is written does (`AFTER UPDATE … UPDATE t SET updated_at = …`), and
   * so does a Postgres rule; `RETURNING` shows neither's work, so the rows are read again.
   * An answer is trusted for `TRIGGER_TTL_MS`; a new one is awaited (the write waits on the
   * primary anyway), except inside a transaction (`via`): there the answer is no until
   * one is in, since on SQLite the ask waits for the transaction to end.
   */
  primaryRowsStored(side: DatabaseAdapter, name: string, via: DatabaseAdapter = side): boolean | Promise<boolean> {
    let bySide = this.#afterTriggers.get(side);
    if (!bySide) this.#afterTriggers.set(side, (bySide = new Map()));
    const key = name.toLowerCase();
    let entry = bySide.get(key);
    if (entry?.stored !== undefined && Date.now() - entry.at <= TRIGGER_TTL_MS) return entry.stored;
    if (!entry || entry.stored !== undefined) {
      const asking: Answer = { at: Date.now(), stored: undefined };
      asking.asked = askAfterTriggers(side, key).then((stored) => {
        // A failed ask is asked again by the next write.
        if (bySide.get(key) !== asking) return stored === true;
        if (stored === undefined) bySide.delete(key);
        else asking.stored = stored;
        return stored === true;
      });
      bySide.set(key, (entry = asking));
    }
    return via === side ? entry.asked! : false;
  }

  /**
   * The side's table of that name (the last part of a qualified name), or `undefined`.
   * `via` reads the schema when it must be read: inside a transaction, the transaction's
   * own adapter, since the side may wait for that transaction to end.
   */
  async table(side: DatabaseAdapter, name: string, via: DatabaseAdapter = side): Promise<TableInfo | undefined> {
    const found = lookUp(await this.#load(side, via), name);
    if (found || isSwitchyardTable(name)) return found;
    const retry = `${side.name}\u0000${name.toLowerCase()}`;
    if (this.#retried.has(retry)) return undefined;
    this.#retried.add(retry);
    this.#readAgain(side);
    return lookUp(await this.#load(side, via), name);
  }

  /**
   * The tables holding that name, schema-qualified, when several share it (tables of two
   * schemas, or Postgres's `"Users"` beside `users`), as the side's tables were last read;
   * `undefined` for a name only one table has.
   */
  sharedName(side: DatabaseAdapter, name: string): readonly string[] | undefined {
    const loaded = this.#known(side);
    return loaded && sharedNames.get(loaded)?.get(name.toLowerCase());
  }

  /**
   * The side's table of that name when the side's tables are already read and hold it,
   * without waiting; otherwise `undefined` (then `table()` reads them).
   */
  peek(side: DatabaseAdapter, name: string): TableInfo | undefined {
    const known = this.#known(side);
    return known && lookUp(known, name);
  }

  /**
   * Before a schema change runs on the primary: reads the old types of the columns it
   * turns into text (see `textConversions`), so that {@link textIsFixed} can say after it
   * ran whether the secondary needs the primary's rows. `forms` are the change's texts
   * (the primary's and the secondary's). Kept across `invalidate()`, which the change causes.
   */
  async readTextConversions(primary: DatabaseAdapter, forms: readonly string[], via: DatabaseAdapter): Promise<void> {
    const conversion = textConversions(forms[0]!);
    if (!conversion) return;
    const info = await this.table(primary, conversion.table, via).catch(() => undefined);
    const types = new Map(info?.columns.map((c) => [c.name, storedTypeOf(c)]));
    // Words of a USING that name no column are passed over; a column not found at all
    // (one added earlier in the same batch, say) leaves the change counted as per side.
    const found = conversion.columns.flatMap((c) => types.get(c) ?? []);
    const fixed = found.length > 0 && found.every(fixedTextType);
    for (const sql of forms) this.#fixedText.set(sql, fixed);
  }

  /** Whether {@link readTextConversions} found only columns with a fixed text form in this change; `false` when not read. */
  readonly textIsFixed = (sql: string): boolean => this.#fixedText.get(sql) === true;

  /** Every table of the side when they are already read, without waiting; otherwise `undefined`. */
  allNow(side: DatabaseAdapter): TableInfo[] | undefined {
    const loaded = this.#known(side);
    return loaded ? uniqueTables(loaded) : undefined;
  }

  /**
   * What `derive` makes of the side's tables when they are read already, worked out once
   * per read of them (a write path asks on every write); otherwise `undefined`.
   */
  derivedNow<T>(side: DatabaseAdapter, derive: (tables: TableInfo[]) => T): T | undefined {
    const loaded = this.#known(side);
    if (!loaded) return undefined;
    let known = this.#derived.get(loaded);
    if (!known) this.#derived.set(loaded, (known = new Map()));
    if (!known.has(derive)) known.set(derive, derive(uniqueTables(loaded)));
    return known.get(derive) as T;
  }

  /** Every table of the side, as last read. */
  async all(side: DatabaseAdapter): Promise<TableInfo[]> {
    return uniqueTables(await this.#load(side, side));
  }

  #load(side: DatabaseAdapter, via: DatabaseAdapter): Promise<Map<string, TableInfo>> {
    const cached = this.#bySide.get(side);
    if (cached && (cached.loaded || cached.via === via)) return cached.tables;
    const read = readOn(
      side,
      via
        .introspect()
        .then((list) => tablesByName(list, via))
        .then(({ tables, shared }) => {
          if (shared.size > 0) sharedNames.set(tables, shared);
          return tables;
        }),
    );
    // A transaction never waits on a read another caller started on the side itself: on
    // SQLite that read waits for the transaction to end, and the two would wait forever.
    if (cached && via !== side) return read;
    const entry: SideTables = { tables: read, via };
    this.#bySide.set(side, entry);
    read.then(
      (tables) => {
        entry.loaded = tables;
        if (this.#bySide.get(side) === entry) this.#previous.delete(side);
      },
      () => {
        if (this.#bySide.get(side) === entry) this.#bySide.delete(side);
      },
    );
    return read;
  }
}

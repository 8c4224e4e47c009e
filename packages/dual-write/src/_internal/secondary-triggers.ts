import type { DatabaseAdapter } from '@switchyard/core';

/** Postgres: the user triggers on a table (not those behind foreign keys), that are not disabled. */
const PG_TRIGGERS =
  'SELECT t.tgname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid' +
  " WHERE lower(c.relname) = ? AND NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY t.tgname";
/** SQLite: a table's triggers, TEMP ones too. */
const SQLITE_TRIGGERS =
  "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE" +
  " UNION ALL SELECT name FROM sqlite_temp_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE ORDER BY name";
/** D1, which keeps no TEMP schema. */
const D1_TRIGGERS = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE ORDER BY name";

/** A table of a secondary with triggers that fire on the rows replicated to it. */
export interface SecondaryTriggers {
  table: string;
  triggers: string[];
}

/**
 * Asks a secondary, once per table it is written, which triggers fire there on the rows
 * dual write applies, and reports the tables that have some. Such a trigger runs again on
 * rows the primary already finished: one that sets a column (`updated_at`) makes the sides
 * differ, one that writes another table (an audit log) is what that table needs. Either
 * way the app should know, before validation finds out. The ask runs in the background:
 * no write waits for it.
 */
export class SecondaryTriggerWatch {
  readonly #report: (side: DatabaseAdapter, found: SecondaryTriggers) => void;
  /** Per side, per table (lower case): the triggers found, empty while asking or when there are none. */
  readonly #asked = new Map<DatabaseAdapter, Map<string, SecondaryTriggers | undefined>>();

  constructor(report: (side: DatabaseAdapter, found: SecondaryTriggers) => void) {
    this.#report = report;
  }

  /** The tables a write sends to `side`: each is asked about the first time. */
  note(side: DatabaseAdapter, tables: Iterable<string>): void {
    let bySide = this.#asked.get(side);
    if (!bySide) this.#asked.set(side, (bySide = new Map()));
    for (const table of tables) {
      const key = table.toLowerCase();
      if (bySide.has(key)) continue;
      bySide.set(key, undefined);
      const asked = bySide;
      ask(side, key).then(
        (triggers) => {
          if (asked.get(key) !== undefined || this.#asked.get(side) !== asked || triggers.length === 0) return;
          const found = { table, triggers };
          asked.set(key, found);
          this.#report(side, found);
        },
        // Asked again by the next write to the table.
        () => this.#asked.get(side) === asked && asked.delete(key),
      );
    }
  }

  /** The tables of `side` found with triggers so far. */
  found(side: DatabaseAdapter): SecondaryTriggers[] {
    return [...(this.#asked.get(side)?.values() ?? [])].filter((f): f is SecondaryTriggers => f !== undefined);
  }

  /** Forgets every answer: after a schema change through the adapter, tables are asked again. */
  forget(): void {
    this.#asked.clear();
  }
}

/** The names of the user triggers on a table of `side` (its name in any case), enabled ones on Postgres. */
export async function tableTriggers(side: DatabaseAdapter, table: string): Promise<string[]> {
  return ask(side, table.toLowerCase());
}

async function ask(side: DatabaseAdapter, key: string): Promise<string[]> {
  const [sql, names] = side.dialect === 'postgres' ? [PG_TRIGGERS, 1] : side.dialect === 'sqlite' ? [SQLITE_TRIGGERS, 2] : [D1_TRIGGERS, 1];
  const rows = await side.query<{ name: string }>(sql, Array<string>(names).fill(key));
  return rows.map((r) => r.name);
}

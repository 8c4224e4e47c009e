import type { DatabaseAdapter } from '@switchyard/core';
import { TEMPORARY_TABLE } from './primary-only';

/** Postgres: a view (or materialized view) of that name. */
const PG_VIEW = "SELECT count(*)::int AS n FROM pg_class WHERE lower(relname) = ? AND relkind IN ('v', 'm')";
/** SQLite and D1: a view of that name. */
const SQLITE_VIEW = "SELECT count(*) AS n FROM sqlite_master WHERE type = 'view' AND name = ? COLLATE NOCASE";

/** Postgres: a temporary table of that name that this session sees. */
const PG_TEMPORARY =
  "SELECT count(*)::int AS n FROM pg_class WHERE lower(relname) = ? AND relpersistence = 't' AND pg_table_is_visible(oid)";
/** SQLite and D1: a temporary table of that name on this connection. */
const SQLITE_TEMPORARY = "SELECT count(*) AS n FROM sqlite_temp_master WHERE type = 'table' AND name = ? COLLATE NOCASE";

/** Whether `name` is a temporary table that the primary's session `via` sees: asked each time, as it lives and dies with the session. */
async function isTemporaryTable(primary: DatabaseAdapter, name: string, via: DatabaseAdapter): Promise<boolean> {
  return via.query<{ n: number | string }>(primary.dialect === 'postgres' ? PG_TEMPORARY : SQLITE_TEMPORARY, [name.toLowerCase()]).then(
    (rows) => Number(rows[0]?.n ?? 0) > 0,
    () => false,
  );
}

const DROPS = /^\s*(?:DROP\s+TABLE(?:\s+IF\s+EXISTS)?|TRUNCATE(?:\s+TABLE)?)\s+(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))\s*;?\s*$/i;

/**
 * Whether `sql` drops or empties one temporary table of the primary's session (`DROP TABLE
 * staging` after an import): the primary's alone, as the table is. Replayed, the secondary,
 * which never had it, refused it, and later writes waited behind it.
 */
export async function dropsTemporaryTable(primary: DatabaseAdapter, sql: string, via: DatabaseAdapter = primary): Promise<boolean> {
  const m = DROPS.exec(sql);
  if (!m) return false;
  return isTemporaryTable(primary, m[1]?.replaceAll('""', '"') ?? m[2]!, via);
}

/** Each side's answers, by name in lower case: a view's name or not. Views seldom come and go. */
const answers = new WeakMap<DatabaseAdapter, Map<string, boolean>>();

/**
 * Why a write naming `name`, which the primary has no table of, is replayed as written. A
 * write through a view (an updatable Postgres view, a SQLite view with `INSTEAD OF`
 * triggers) changes rows of other tables, which no `RETURNING` of the view names: the
 * secondary runs the statement on its own view, with its own generated values. The reason
 * says so, for the `statement-replay` event and `getMetadata()`.
 */
export async function missingTableReason(primary: DatabaseAdapter, name: string, via: DatabaseAdapter = primary): Promise<string> {
  if (await isTemporaryTable(primary, name, via)) return TEMPORARY_TABLE;
  let known = answers.get(primary);
  if (!known) answers.set(primary, (known = new Map()));
  const key = name.toLowerCase();
  let view = known.get(key);
  if (view === undefined) {
    try {
      const rows = await via.query<{ n: number | string }>(primary.dialect === 'postgres' ? PG_VIEW : SQLITE_VIEW, [key]);
      view = Number(rows[0]?.n ?? 0) > 0;
      known.set(key, view);
    } catch {
      // Only the reason's wording depends on it: the write is replayed either way.
      view = false;
    }
  }
  return view
    ? `a write through the view ${name}: the rows it changes in the view's tables are not captured, and the secondary's view writes them with its own generated values (write to the tables themselves, or repair them)`
    : `no table ${name} on the primary`;
}

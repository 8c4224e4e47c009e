import { INTERNAL_TABLE } from './sqlite-introspector';
import type { DatabaseAdapter } from './types';

/** The application's tables on Postgres: ordinary and partitioned parents in the current schema, partitions left out. */
const POSTGRES_TABLES =
  "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = current_schema() ORDER BY 1";
const SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";

/**
 * The names of a database's tables, engine-internal ones left out, with one catalog
 * query instead of a full `introspect()`: for listing and counting, where columns and
 * keys are not needed. Switchyard's own tables are included.
 *
 * @example
 * ```ts
 * const names = await listTableNames(adapter); // ['orders', 'users']
 * ```
 */
export async function listTableNames(adapter: Pick<DatabaseAdapter, 'dialect' | 'query'>): Promise<string[]> {
  const rows = await adapter.query<{ name: string }>(adapter.dialect === 'postgres' ? POSTGRES_TABLES : SQLITE_TABLES);
  return rows.map((r) => r.name).filter((name) => !INTERNAL_TABLE.test(name));
}

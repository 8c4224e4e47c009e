import type { DatabaseAdapter, TableInfo } from '@switchyard/core';

/**
 * Names of a table's generated columns (`GENERATED ALWAYS AS …`): the engine computes
 * them, so the copy neither writes them (Postgres refuses a value) nor needs them from
 * the source. SQLite's `table_info` already leaves them out; Postgres lists them.
 */
export async function generatedColumnNames(adapter: DatabaseAdapter, table: TableInfo): Promise<Set<string>> {
  if (adapter.dialect !== 'postgres') return new Set();
  const rows = await adapter.query<{ name: string }>(
    'SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace ' +
      "WHERE c.relname = ? AND n.nspname = coalesce(?, current_schema()) AND a.attgenerated <> '' AND a.attnum > 0",
    [table.name, table.schema ?? null],
  );
  return new Set(rows.map((r) => r.name));
}

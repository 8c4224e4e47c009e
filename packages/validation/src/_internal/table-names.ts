import { INTERNAL_TABLE, isSwitchyardTable, type DatabaseAdapter } from '@switchyard/core';

/**
 * The application's table names, with one catalog query instead of a full
 * introspection: counting rows should cost little more than the counts.
 */
export async function listTableNames(adapter: DatabaseAdapter): Promise<string[]> {
  const rows =
    adapter.dialect === 'postgres'
      ? await adapter.query<{ name: string }>(
          "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = current_schema() ORDER BY 1",
        )
      : await adapter.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  return rows.map((r) => r.name).filter((name) => !INTERNAL_TABLE.test(name));
}

/** Names selected by `tables` / `excludeTables`, in a stable order; Switchyard's own tables only when named. */
export function selectTables(
  available: readonly string[],
  options: { tables?: string[]; excludeTables?: string[] },
): string[] {
  const excluded = new Set(options.excludeTables ?? []);
  // Switchyard's own tables (checkpoints, journal, outbox) live on one side by design.
  const names = options.tables ?? [...new Set(available)].filter((name) => !isSwitchyardTable(name)).sort();
  return names.filter((name) => !excluded.has(name));
}

/** Tables that exist but `excludeTables` leaves out: reported as `skipped`, so the report shows what was not checked. */
export function skippedTables(available: readonly string[], options: { tables?: string[]; excludeTables?: string[] }): string[] {
  const wanted = options.tables ? new Set(options.tables) : undefined;
  return [...new Set(available)].filter((name) => options.excludeTables?.includes(name) && (!wanted || wanted.has(name))).sort();
}

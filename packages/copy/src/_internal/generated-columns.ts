import type { TableInfo } from '@switchyard/core';

/**
 * Names (in lower case) of a table's generated columns (`GENERATED ALWAYS AS …`), as `introspect()` marks
 * them: the engine computes them, so the copy neither writes them (Postgres and SQLite
 * refuse a value) nor needs them from the source.
 */
export function generatedColumnNames(table: TableInfo): Set<string> {
  return new Set(table.columns.filter((c) => c.generated).map((c) => c.name.toLowerCase()));
}

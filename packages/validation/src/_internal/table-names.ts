import { isSwitchyardTable } from '@switchyard/core';

/** Names selected by `tables` / `excludeTables`, in a stable order; Switchyard's own tables only when named. */
export function selectTables(available: readonly string[], options: { tables?: string[]; excludeTables?: string[] }): string[] {
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

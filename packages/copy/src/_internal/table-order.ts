import type { TableInfo } from '@switchyard/core';

/**
 * Orders tables parents first, so foreign keys hold while children are copied.
 * Self-references are ignored; tables in a cycle keep name order and are reported.
 */
export function orderByForeignKeys(tables: readonly TableInfo[]): { ordered: TableInfo[]; cycles: string[] } {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const ordered: TableInfo[] = [];
  let remaining = [...tables].sort((a, b) => a.name.localeCompare(b.name));
  while (remaining.length > 0) {
    const ready = remaining.filter((t) =>
      t.foreignKeys.every((fk) => fk.referencedTable === t.name || done.has(fk.referencedTable) || !byName.has(fk.referencedTable)),
    );
    if (ready.length === 0) {
      for (const t of remaining) ordered.push(t);
      return { ordered, cycles: remaining.map((t) => t.name) };
    }
    for (const t of ready) {
      ordered.push(t);
      done.add(t.name);
    }
    remaining = remaining.filter((t) => !done.has(t.name));
  }
  return { ordered, cycles: [] };
}

/** Tables among `names` that `table` references (its parents), itself excluded. */
export function parentsOf(table: TableInfo, names: ReadonlySet<string>): string[] {
  return [...new Set(table.foreignKeys.map((fk) => fk.referencedTable))].filter((n) => n !== table.name && names.has(n));
}

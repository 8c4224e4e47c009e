import type { DatabaseAdapter } from '@switchyard/core';
import type { JournalEntry } from '../journal-types';
import type { RowRef } from '../row-ref';
import type { TableCatalog } from './table-catalog';
import { parseWrite } from './write-parse';
import { keysFilteredOn } from './where-clause';
import { keyValue } from './row-images';

/**
 * The rows a journaled statement entry would change on `target`, by key, so that a
 * statement the side refuses can be settled from the primary instead; `undefined` when
 * they cannot be told (not every statement an `UPDATE` with a filter that can be run
 * again, or a table without a key).
 *
 * Statements are journaled for the writes rows cannot stand for, key moves among them.
 * A move can be refused for good: a child written meanwhile under the new key had its
 * parent copied there ahead of it (`copyParents`), so `UPDATE … SET id = 17 WHERE id = 7`
 * meets the row 17 it would create. Replayed as written, it would hold back every later
 * entry for the table for ever. The rows its filter selects on the side now are the old
 * keys; the new ones are in the write's own row entry, which follows it in the journal.
 * Settled from `source` (the primary) by key, both end as it holds them, whatever moved since.
 */
export async function refusedStatementRows(
  catalog: TableCatalog,
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  entry: JournalEntry,
): Promise<RowRef[] | undefined> {
  const statements = entry.statements ?? [{ sql: entry.sql, params: entry.params }];
  const refs: RowRef[] = [];
  for (const statement of statements) {
    const parsed = parseWrite(statement.sql);
    if (parsed?.verb !== 'update') return undefined;
    const table = await catalog.table(target, parsed.table);
    const own = await catalog.table(source, parsed.table);
    if (!table || !own) return undefined;
    // Named as the side rows are settled from names them.
    const keys = await keysFilteredOn(target, table, own.primaryKey, { ...statement, sql: parsed.sql });
    if (!keys) return undefined;
    for (const key of keys) refs.push({ table: own.name, key: Object.fromEntries(Object.entries(key).map(([c, v]) => [c, keyValue(v)])) });
  }
  return refs;
}

import { QueryError, quoteIdentifier as quote, type DatabaseAdapter, type Statement, type TableInfo } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { imageStatements, type RowImage, type TablePair } from '../_internal/row-images';
import { currentImages } from '../_internal/row-resync';
import { TableCatalog } from '../_internal/table-catalog';
import { groupByTable } from '../_internal/row-resync';

/**
 * Statements that make the secondary's copy of `rows` equal to the primary's current
 * rows: an upsert of each row the primary still has, a delete by key of each it has not.
 * Used when an operation arrives after a newer one for the same row, so the row is taken
 * from the source of truth instead of replaying stale statements.
 *
 * They are built as dual write builds its row images: each value converted for both sides'
 * column types (a JSON string, an array holding NULL, JSON text with repeated keys arrive
 * as the primary holds them), and only the columns both sides have now, so the repair of
 * an entry queued before a schema change the secondary has not run yet names no column it
 * lacks (the change's own entry follows). `secondary` is what the statements run on: the
 * drain's transaction, which also reads the secondary's tables.
 *
 * @example
 * ```ts
 * const statements = await repairStatements(primary, secondary, [{ table: 'users', key: { id: 7 } }]);
 * await secondary.batch(statements);
 * ```
 */
export async function repairStatements(
  primary: DatabaseAdapter,
  secondary: DatabaseAdapter,
  rows: readonly RowRef[],
): Promise<Statement[]> {
  // A new catalog: both sides' tables as they are now, not as an earlier batch saw them.
  const catalog = new TableCatalog();
  const pairs = new Map<string, TablePair>();
  const images: RowImage[] = [];
  const out: Statement[] = [];
  for (const [table, refKeys] of groupByTable(rows)) {
    const source = await catalog.table(primary, table);
    const target = await catalog.table(secondary, table);
    if (!source || !target) {
      const missing = source ? secondary : primary;
      throw new QueryError(`${missing.name} has no table ${table}: the rows of a stale operation cannot be re-read.`, {
        dialect: missing.dialect,
      });
    }
    const keys = refKeys.map((key) => keyOf(key, source));
    // Rows named by other columns than the primary key (a table without one): delete and insert by those.
    if (keys.includes(undefined)) {
      for (const key of refKeys) out.push(...(await byOwnColumns(primary, { table, key })));
      continue;
    }
    pairs.set(table, { source, target });
    images.push(...(await currentImages(primary, source, keys as RowRef['key'][])));
  }
  return [...out, ...imageStatements(images, (t) => pairs.get(t)!, primary.dialect, secondary)];
}

/** A key under the table's primary-key names (matched without regard to case), or `undefined` if it names other columns. */
function keyOf(given: RowRef['key'], table: TableInfo): RowRef['key'] | undefined {
  const names = Object.keys(given);
  if (table.primaryKey.length === 0 || names.length !== table.primaryKey.length) return undefined;
  const key: RowRef['key'] = {};
  for (const column of table.primaryKey) {
    const name = names.find((n) => n.toLowerCase() === column.toLowerCase());
    if (name === undefined) return undefined;
    key[column] = given[name]!;
  }
  return key;
}

/** The row deleted on the secondary by the ref's columns, and inserted again as the primary holds it. */
async function byOwnColumns(primary: DatabaseAdapter, ref: RowRef): Promise<Statement[]> {
  const columns = Object.keys(ref.key);
  const where = columns.map((c) => `${quote(c)} = ?`).join(' AND ');
  const keyValues = columns.map((c) => ref.key[c]);
  const row = await primary.first<Record<string, unknown>>(`SELECT * FROM ${quote(ref.table)} WHERE ${where}`, keyValues);
  const out: Statement[] = [{ sql: `DELETE FROM ${quote(ref.table)} WHERE ${where}`, params: keyValues }];
  if (row) {
    const names = Object.keys(row);
    const sql = `INSERT INTO ${quote(ref.table)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
    out.push({ sql, params: names.map((n) => row[n]) });
  }
  return out;
}

import { quoteIdentifier as quote, type DatabaseAdapter, type Row, type TableInfo } from '@switchyard/core';

/** Rows read at a time. */
const PAGE = 500;

/**
 * Every row of a table with a primary key, in pages of {@link PAGE} in key order, each
 * page read when asked for (so a caller can hold a lock over one read and what it does with it).
 */
export async function* tablePages(adapter: DatabaseAdapter, table: TableInfo): AsyncGenerator<Row[], void> {
  const keys = table.primaryKey.map((k) => quote(k)).join(', ');
  const read = `SELECT * FROM ${quote(table.name)} ORDER BY ${keys} LIMIT ${PAGE}`;
  const marks = table.primaryKey.map(() => '?').join(', ');
  const readAfter = `SELECT * FROM ${quote(table.name)} WHERE (${keys}) > (${marks}) ORDER BY ${keys} LIMIT ${PAGE}`;
  let after: unknown[] | undefined;
  for (;;) {
    const rows = await (after ? adapter.query(readAfter, after) : adapter.query(read));
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    const last = rows.at(-1)!;
    after = table.primaryKey.map((k) => last[k]);
  }
}

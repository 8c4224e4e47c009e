import { quoteIdentifier, type DatabaseAdapter, type Row } from '@switchyard/core';

/**
 * Reads a table in key order, one bounded page at a time: `WHERE (k1, k2) > (?, ?)`
 * from the last key seen, never OFFSET, so each page costs the same however deep it is
 * and memory holds one page.
 */
export async function* keysetPages(db: DatabaseAdapter, table: string, keys: readonly string[], pageSize: number): AsyncGenerator<Row[]> {
  const keyList = keys.map(quoteIdentifier).join(', ');
  const order = keys.map((k) => `${quoteIdentifier(k)} ASC`).join(', ');
  const from = quoteIdentifier(table);
  let last: unknown[] | undefined;
  for (;;) {
    const where = last ? `WHERE (${keyList}) > (${keys.map(() => '?').join(', ')}) ` : '';
    const rows = await db.query(`SELECT * FROM ${from} ${where}ORDER BY ${order} LIMIT ${pageSize}`, last ?? []);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
    const tail = rows[rows.length - 1]!;
    last = keys.map((k) => tail[k]);
  }
}

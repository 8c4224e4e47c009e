import { jsonTextItems, markJsonTexts } from './json-text-reads';
import { quoteIdentifier } from './sql-identifier';
import type { DatabaseAdapter, Row, TableInfo } from './types';

/**
 * Reads a table in key order, one bounded page at a time: `WHERE (k1, k2) > (?, ?)`
 * from the last key seen, never OFFSET, so each page costs the same however deep it is
 * and memory holds one page. Each page is read when the caller asks for it, so a caller
 * can hold a lock over one read and what it does with the rows. Given the table's
 * definition (`exact`), a Postgres read keeps each bare JSON document as the text it holds
 * ({@link jsonTextItems}), where pg would hand back the value it parses to.
 *
 * @example
 * ```ts
 * for await (const rows of keysetPages(db, 'notes', ['id'], 500)) await sink(rows);
 * ```
 */
export async function* keysetPages(
  db: DatabaseAdapter,
  table: string,
  keys: readonly string[],
  pageSize: number,
  exact?: TableInfo,
): AsyncGenerator<Row[]> {
  const extra = exact && db.dialect === 'postgres' ? jsonTextItems(exact, '') : '';
  const keyList = keys.map(quoteIdentifier).join(', ');
  const order = keys.map((k) => `${quoteIdentifier(k)} ASC`).join(', ');
  const from = quoteIdentifier(table);
  let last: unknown[] | undefined;
  for (;;) {
    const where = last ? `WHERE (${keyList}) > (${keys.map(() => '?').join(', ')}) ` : '';
    const rows = await db.query(`SELECT *${extra} FROM ${from} ${where}ORDER BY ${order} LIMIT ${pageSize}`, last ?? []);
    if (rows.length === 0) return;
    yield extra ? markJsonTexts(rows, exact) : rows;
    if (rows.length < pageSize) return;
    const tail = rows[rows.length - 1]!;
    last = keys.map((k) => tail[k]);
  }
}

import { findInvalidText, type DatabaseAdapter, type Row } from '@switchyard/core';

/**
 * Rows with every text value that is not well-formed UTF-8 replaced by its stored bytes,
 * so it is compared by bytes rather than through U+FFFD (which would make `61 FF 62`
 * equal `61 FC 62`). Only SQLite and D1 can hold such text; Postgres rows pass through.
 */
export async function withExactText(adapter: DatabaseAdapter, table: string, keys: readonly string[], rows: Row[]): Promise<Row[]> {
  if (adapter.dialect === 'postgres') return rows;
  for (const cell of await findInvalidText(adapter, table, keys, rows)) cell.row[cell.column] = cell.bytes;
  return rows;
}

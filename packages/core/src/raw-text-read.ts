import { quoteIdentifier } from './sql-identifier';
import type { DatabaseAdapter, Row } from './types';

/** A text value stored as bytes that are not well-formed UTF-8, found by {@link findInvalidText}. */
export interface InvalidTextCell {
  /** The row as read (its text decoded with U+FFFD in place of the bad bytes). */
  row: Row;
  column: string;
  /** The bytes the engine stores. */
  bytes: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The text values of rows read from SQLite or D1 whose stored bytes are not UTF-8.
 * Drivers decode such text with U+FFFD in place of the bad bytes, so two different
 * values read the same: every string holding U+FFFD is read again by key as a BLOB,
 * and kept when its bytes do not decode. Postgres cannot store such text, so nothing
 * is read there. `table` is the quoted table reference.
 *
 * @example
 * ```ts
 * for (const cell of await findInvalidText(adapter, '"notes"', ['id'], rows)) cell.row[cell.column] = cell.bytes;
 * ```
 */
export async function findInvalidText(
  adapter: DatabaseAdapter,
  table: string,
  keys: readonly string[],
  rows: readonly Row[],
): Promise<InvalidTextCell[]> {
  if (adapter.dialect === 'postgres' || keys.length === 0) return [];
  const out: InvalidTextCell[] = [];
  for (const row of rows) {
    let columns: string[] | undefined;
    for (const column in row) {
      const value = row[column];
      if (typeof value === 'string' && value.includes('\uFFFD') && !keys.includes(column)) (columns ??= []).push(column);
    }
    if (!columns) continue;
    const select = columns.map((c) => `CAST(${quoteIdentifier(c)} AS BLOB) AS ${quoteIdentifier(c)}`).join(', ');
    const where = keys.map((k) => `${quoteIdentifier(k)} = ?`).join(' AND ');
    const raw = await adapter.first<Row>(`SELECT ${select} FROM ${table} WHERE ${where}`, keys.map((k) => row[k]));
    if (!raw) continue;
    for (const column of columns) {
      const value = raw[column];
      const bytes = Array.isArray(value) ? Uint8Array.from(value as number[]) : value instanceof Uint8Array ? value : undefined;
      if (bytes && !isUtf8(bytes)) out.push({ row, column, bytes });
    }
  }
  return out;
}

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
  const suspects: { row: Row; columns: string[] }[] = [];
  for (const row of rows) {
    let columns: string[] | undefined;
    for (const column in row) {
      const value = row[column];
      if (typeof value === 'string' && value.includes('\uFFFD') && !keys.includes(column)) (columns ??= []).push(column);
    }
    if (columns) suspects.push({ row, columns });
  }
  const out: InvalidTextCell[] = [];
  // One query per chunk of suspect rows, within the engine's parameter limit (D1: 100)
  // and D1's expression depth (100): `k IN (...)`, or few enough ORs for composite keys.
  const perQuery = Math.max(1, Math.min(keys.length === 1 ? 200 : 40, Math.floor(adapter.capabilities.maxBoundParameters / keys.length)));
  const id = (row: Row) => JSON.stringify(keys.map((k) => String(row[k])));
  for (let i = 0; i < suspects.length; i += perQuery) {
    const chunk = suspects.slice(i, i + perQuery);
    const columns = [...new Set(chunk.flatMap((s) => s.columns))];
    const select = [
      ...keys.map(quoteIdentifier),
      ...columns.map((c) => `CAST(${quoteIdentifier(c)} AS BLOB) AS ${quoteIdentifier(c)}`),
    ].join(', ');
    const one = '(' + keys.map((k) => `${quoteIdentifier(k)} = ?`).join(' AND ') + ')';
    const where =
      keys.length === 1 ? `${quoteIdentifier(keys[0]!)} IN (${chunk.map(() => '?').join(', ')})` : chunk.map(() => one).join(' OR ');
    const raw = await adapter.query<Row>(
      `SELECT ${select} FROM ${table} WHERE ${where}`,
      chunk.flatMap((s) => keys.map((k) => s.row[k])),
    );
    const byKey = new Map(raw.map((r) => [id(r), r]));
    for (const { row, columns: suspect } of chunk) {
      const stored = byKey.get(id(row));
      if (!stored) continue;
      for (const column of suspect) {
        const value = stored[column];
        const bytes = Array.isArray(value) ? Uint8Array.from(value as number[]) : value instanceof Uint8Array ? value : undefined;
        if (bytes && !isUtf8(bytes)) out.push({ row, column, bytes });
      }
    }
  }
  return out;
}

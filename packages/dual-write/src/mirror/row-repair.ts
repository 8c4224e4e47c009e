import { quoteIdentifier as quote, type DatabaseAdapter, type Statement } from '@switchyard/core';
import type { RowRef } from '../row-ref';

/**
 * The primary's current row for a key, with the `WHERE` text and values that name it.
 *
 * @example
 * ```ts
 * const { row } = await primaryRow(primary, { table: 'users', key: { id: 7 } });
 * ```
 */
export async function primaryRow(
  primary: DatabaseAdapter,
  ref: RowRef,
): Promise<{ where: string; keyValues: unknown[]; row: Record<string, unknown> | undefined }> {
  const columns = Object.keys(ref.key);
  const where = columns.map((c) => `${quote(c)} = ?`).join(' AND ');
  const keyValues = columns.map((c) => ref.key[c]);
  const row = await primary.first<Record<string, unknown>>(`SELECT * FROM ${quote(ref.table)} WHERE ${where}`, keyValues);
  return { where, keyValues, row };
}

/**
 * Statements that make the secondary's copy of `rows` equal to the primary's current
 * rows: each row is deleted on the secondary, then inserted again with the primary's
 * values when the primary still has it. Used when an operation arrives after a newer
 * one for the same row, so the row is taken from the source of truth instead of
 * replaying stale statements.
 *
 * @example
 * ```ts
 * const statements = await repairStatements(primary, [{ table: 'users', key: { id: 7 } }]);
 * await secondary.batch(statements);
 * ```
 */
export async function repairStatements(primary: DatabaseAdapter, rows: readonly RowRef[]): Promise<Statement[]> {
  const out: Statement[] = [];
  for (const ref of rows) {
    const { where, keyValues, row } = await primaryRow(primary, ref);
    out.push({ sql: `DELETE FROM ${quote(ref.table)} WHERE ${where}`, params: keyValues });
    if (row) {
      const names = Object.keys(row);
      out.push({
        sql: `INSERT INTO ${quote(ref.table)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
        params: names.map((n) => row[n]),
      });
    }
  }
  return out;
}

import type { DatabaseAdapter, Statement } from '@switchyard/core';
import type { RowRef } from './row-ref';

const quote = (name: string) => '"' + name.replaceAll('"', '""') + '"';

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
    const columns = Object.keys(ref.key);
    const where = columns.map((c) => `${quote(c)} = ?`).join(' AND ');
    const keyValues = columns.map((c) => ref.key[c]);
    const row = await primary.first(`SELECT * FROM ${quote(ref.table)} WHERE ${where}`, keyValues);
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

import { quoteIdentifier as quote, scanPlaceholders, type DatabaseAdapter, type Statement } from '@switchyard/core';
import { primaryRow } from '../mirror/row-repair';
import { rowRefsOf, rowKeyText, type KeyColumns, type RowRef } from '../mirror/row-ref';

/**
 * The rows a write touches, read from its statements' text with the primary's real
 * primary keys, or `undefined` unless every statement names each row it touches by its
 * full key (`INSERT ... VALUES`, `UPDATE`/`DELETE ... WHERE key = ?`). Statements are
 * tried in each side's form; only `?` placeholders can be read.
 */
export async function touchedRows(primary: DatabaseAdapter, variants: readonly (readonly Statement[])[]): Promise<RowRef[] | undefined> {
  const tables = await primary.introspect();
  const keys = Object.fromEntries(tables.map((t) => [t.name, t.primaryKey]));
  const known = new Set(tables.map((t) => t.name.toLowerCase()));
  for (const statements of variants) {
    const refs = refsOf(statements, keys, known);
    if (refs) return refs;
  }
  return undefined;
}

function refsOf(statements: readonly Statement[], keys: KeyColumns, known: Set<string>): RowRef[] | undefined {
  const rows = new Map<string, RowRef>();
  for (const statement of statements) {
    if (scanPlaceholders(statement.sql, { rewrite: false }).highestDollar > 0) return undefined;
    const refs = rowRefsOf(statement, keys);
    if (!refs) return undefined;
    for (const ref of refs) {
      // A table the primary does not have, or one without a primary key, cannot be re-read.
      if (!known.has(ref.table.toLowerCase()) || Object.keys(ref.key).length === 0) return undefined;
      rows.set(ref.table.toLowerCase() + '\u0000' + rowKeyText(ref), ref);
    }
  }
  return rows.size > 0 ? [...rows.values()] : undefined;
}

/**
 * Statements that make the secondary's rows equal to the primary's current ones: an
 * upsert on the primary key where the primary has the row, a delete where it has not.
 * Nothing is deleted to make room, so rows referencing these keep their parent.
 */
export async function takeFromPrimary(primary: DatabaseAdapter, rows: readonly RowRef[]): Promise<Statement[]> {
  const out: Statement[] = [];
  for (const ref of rows) {
    const keyColumns = Object.keys(ref.key);
    const { where, keyValues, row } = await primaryRow(primary, ref);
    if (!row) {
      out.push({ sql: `DELETE FROM ${quote(ref.table)} WHERE ${where}`, params: keyValues });
      continue;
    }
    const names = Object.keys(row);
    const isKey = new Set(keyColumns.map((c) => c.toLowerCase()));
    const others = names.filter((n) => !isKey.has(n.toLowerCase()));
    const action = others.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${others.map((n) => `${quote(n)} = excluded.${quote(n)}`).join(', ')}`;
    out.push({
      sql:
        `INSERT INTO ${quote(ref.table)} (${names.map(quote).join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
        `ON CONFLICT (${keyColumns.map(quote).join(', ')}) ${action}`,
      params: names.map((n) => row[n]),
    });
  }
  return out;
}

import { toStoredValue, type ExecResult, type SqliteNativeDatabase, type TableInfo } from '@switchyard/core';
import { addCaptured, type CapturedRows } from '../mirror/outbox-captured';
import type { RowRef } from '../row-ref';
import { keyValue } from './row-images';
import { asInsertId, insertIdColumn } from './insert-id';
import type { CapturePlan } from './write-capture';

/** Per table definition, whether a capture text's `RETURNING *` yields exactly its columns, in order. */
const checked = new WeakMap<TableInfo, Map<string, boolean>>();

/**
 * Whether a capture may read its rows as arrays: the app has no `RETURNING` of its own,
 * and the statement returns exactly the table's columns in their order (a generated
 * column, which the table's definition leaves out, makes it no). Asked of the driver
 * once per text and table definition; a schema change brings a new definition.
 */
export function returnsTableOrder(database: SqliteNativeDatabase, plan: CapturePlan): boolean {
  if (plan.aliases) return false;
  let byText = checked.get(plan.table);
  if (!byText) checked.set(plan.table, (byText = new Map()));
  let fits = byText.get(plan.statement.sql);
  if (fits === undefined) {
    const names = plan.table.columns.map((c) => c.name);
    try {
      const returned = database.prepare(plan.statement.sql).columns();
      fits = returned.length === names.length && returned.every((c, i) => c.name === names[i]);
    } catch {
      // The statement's own error is for the write to report.
      fits = false;
    }
    if (byText.size < 500) byText.set(plan.statement.sql, fits);
  }
  return fits;
}

/**
 * The rows a capture returned as arrays, in table order, added to an outbox entry as
 * `captureImages` would add them (whole rows, or the keys of deleted ones) without an
 * object per row; returns the app's result (`rowsAffected`, `lastInsertId` for an
 * INSERT into a single integer key, as `splitCaptured` gives).
 */
export function capturedArrays(plan: CapturePlan, rows: readonly unknown[][], refs: RowRef[], captured: CapturedRows[]): ExecResult {
  const { table, parsed } = plan;
  const columns = table.columns.map((c) => c.name);
  const keyAt = table.primaryKey.map((k) => columns.indexOf(k));
  const deleted = parsed.verb === 'delete';
  const values = rows.map((row) => (deleted ? keyAt : columns).map((_, i) => toStoredValue(row[deleted ? keyAt[i]! : i] ?? null)));
  for (const row of rows) {
    const key: RowRef['key'] = {};
    for (const [n, at] of keyAt.entries()) key[table.primaryKey[n]!] = keyValue(row[at]);
    refs.push({ table: table.name, key });
  }
  if (rows.length > 0) addCaptured(captured, { table: table.name, deleted, columns: deleted ? [...table.primaryKey] : columns, values });
  const app: ExecResult = { rowsAffected: rows.length, rows: [] };
  const idColumn = insertIdColumn(table, parsed.verb);
  const id = idColumn === undefined || rows.length === 0 ? undefined : asInsertId(rows.at(-1)![columns.indexOf(idColumn)]);
  if (id !== undefined) app.lastInsertId = id;
  return app;
}

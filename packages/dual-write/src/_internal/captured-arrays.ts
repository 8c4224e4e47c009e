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

/** A table's column names and where its key columns stand among them, worked out once per definition. */
const shapes = new WeakMap<TableInfo, { columns: string[]; keyAt: number[] }>();

function shapeOf(table: TableInfo): { columns: string[]; keyAt: number[] } {
  let shape = shapes.get(table);
  if (!shape) {
    const columns = table.columns.map((c) => c.name);
    shapes.set(table, (shape = { columns, keyAt: table.primaryKey.map((k) => columns.indexOf(k)) }));
  }
  return shape;
}

/**
 * The rows a capture returned as arrays, in table order, added to an outbox entry as
 * `captureImages` would add them (whole rows, or the keys of deleted ones) without an
 * object per row; returns the app's result (`rowsAffected`, `lastInsertId` for an
 * INSERT into a single integer key, as `splitCaptured` gives).
 */
export function capturedArrays(plan: CapturePlan, rows: readonly unknown[][], refs: RowRef[], captured: CapturedRows[]): ExecResult {
  const { table, parsed } = plan;
  const { columns, keyAt } = shapeOf(table);
  const deleted = parsed.verb === 'delete';
  const values = rows.map((row) =>
    deleted ? keyAt.map((at) => toStoredValue(row[at] ?? null)) : row.map((v) => toStoredValue(v ?? null)),
  );
  for (const row of rows) {
    const key: RowRef['key'] = {};
    for (let n = 0; n < keyAt.length; n++) key[table.primaryKey[n]!] = keyValue(row[keyAt[n]!]);
    refs.push({ table: table.name, key });
  }
  if (rows.length > 0) addCaptured(captured, { table: table.name, deleted, columns: deleted ? [...table.primaryKey] : columns, values });
  const app: ExecResult = { rowsAffected: rows.length, rows: [] };
  const idColumn = insertIdColumn(table, parsed.verb);
  const id = idColumn === undefined || rows.length === 0 ? undefined : asInsertId(rows.at(-1)![columns.indexOf(idColumn)]);
  if (id !== undefined) app.lastInsertId = id;
  return app;
}

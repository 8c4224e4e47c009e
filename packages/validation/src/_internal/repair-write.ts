import {
  ConstraintError,
  QueryError,
  quoteIdentifier,
  type ColumnInfo,
  type DatabaseAdapter,
  type Statement,
  type TableInfo,
} from '@switchyard/core';
import type { RowKey } from '../validation-types';
import type { KeyColumn } from './table-plan';
import { insertTarget, keysMatch, selectList, tableRef } from './sql-text';

/** Rows per statement: enough to amortize the round trip, within every engine's statement size. */
export const MAX_ROWS_PER_STATEMENT = 500;

/** One row a repair writes (or deletes), and the statements that do it for that row alone. */
export interface RepairRow {
  id: string;
  key: RowKey;
  /** True for an extra row the repair deletes. */
  deletes?: boolean;
  alone: () => Statement[];
}

/** Statements that must commit together (a delete and the insert that replaces its rows), and the rows they write. */
export interface RepairUnit {
  statements: Statement[];
  rows: RepairRow[];
}

/**
 * Runs a table's repair in atomic batches of about `perBatch` statements, never splitting a
 * unit. A batch the target refuses for a row's values (a CHECK, a NOT NULL, text its column's
 * type does not take) rolls back whole; its rows are then written one at a time, and each one
 * the target refuses is passed to `refused` with the target's words. One bad row neither stops
 * the repair of every row after it nor leaves the operator to search a batch for it, as the
 * copy names the row it cannot write. Any other error (a lost connection) ends the repair.
 */
export async function writeRepairUnits(
  target: DatabaseAdapter,
  units: readonly RepairUnit[],
  perBatch: number,
  refused: (row: RepairRow, reason: string) => void,
): Promise<void> {
  for (let i = 0; i < units.length;) {
    const batch: RepairUnit[] = [];
    let statements = 0;
    while (i < units.length && (batch.length === 0 || statements + units[i]!.statements.length <= perBatch)) {
      statements += units[i]!.statements.length;
      batch.push(units[i++]!);
    }
    try {
      await target.batch(batch.flatMap((u) => u.statements));
    } catch (error) {
      if (!isRowRefusal(error)) throw error;
      for (const row of batch.flatMap((u) => u.rows)) {
        try {
          await target.batch(row.alone());
        } catch (rowError) {
          if (!isRowRefusal(rowError)) throw rowError;
          refused(row, `the target refused it: ${(rowError as Error).message}`);
        }
      }
    }
  }
}

/** A constraint, or a value the column's type does not take (Postgres's SQLSTATE class 22, data exception). */
function isRowRefusal(error: unknown): boolean {
  if (error instanceof ConstraintError) return true;
  const code = error instanceof QueryError ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * Whether the target has a unique constraint on exactly the key columns, which ON CONFLICT
 * needs (a partial index is one only with its WHERE); without one, rows are replaced by
 * delete + insert.
 */
export function hasUniqueKey(table: TableInfo, keys: readonly string[]): boolean {
  const same = (cols: string[]) => cols.length === keys.length && keys.every((k) => cols.includes(k));
  return same(table.primaryKey) || table.indexes.some((i) => i.unique && !i.where && same(i.columns));
}

/** An INSERT of `rows`, as an upsert on the key when `upsert`. */
export function insertStatement(table: TableInfo, columns: ColumnInfo[], keys: string[], rows: unknown[][], upsert: boolean): Statement {
  const tuple = '(' + columns.map(() => '?').join(', ') + ')';
  let sql = `INSERT INTO ${insertTarget(table)} (${selectList(columns.map((c) => c.name))}) VALUES ${rows.map(() => tuple).join(', ')}`;
  if (upsert) {
    const updates = columns
      .filter((c) => !keys.includes(c.name))
      .map((c) => `${quoteIdentifier(c.name)} = excluded.${quoteIdentifier(c.name)}`);
    sql += ` ON CONFLICT (${selectList(keys)}) DO ${updates.length ? 'UPDATE SET ' + updates.join(', ') : 'NOTHING'}`;
  }
  return { sql, params: rows.flat() };
}

/** DELETEs of the rows with `keyRows`, within the target's parameter limit. */
export function deleteStatements(table: TableInfo, keys: readonly KeyColumn[], keyRows: RowKey[], maxParams: number): Statement[] {
  const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(maxParams / keys.length)));
  const out: Statement[] = [];
  for (let i = 0; i < keyRows.length; i += perStatement) {
    const chunk = keyRows.slice(i, i + perStatement);
    out.push({
      sql: `DELETE FROM ${tableRef(table)} WHERE ${keysMatch(keys, chunk.length)}`,
      params: chunk.flatMap((row) => keys.map((k) => row[k.name])),
    });
  }
  return out;
}

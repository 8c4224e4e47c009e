import type { ExecResult, TableInfo } from '@switchyard/core';

/**
 * The column a write's `lastInsertId` comes from: the table's single integer key, for an
 * INSERT; `undefined` for any other write or table.
 */
export function insertIdColumn(table: TableInfo, verb: 'insert' | 'update' | 'delete'): string | undefined {
  if (verb !== 'insert' || table.primaryKey.length !== 1) return undefined;
  const column = table.columns.find((c) => c.name === table.primaryKey[0]);
  return column?.logicalType === 'integer' ? column.name : undefined;
}

/** A key value as `lastInsertId`: a bigint as a number where that is exact; `undefined` for anything but a number or text. */
export function asInsertId(value: unknown): ExecResult['lastInsertId'] {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

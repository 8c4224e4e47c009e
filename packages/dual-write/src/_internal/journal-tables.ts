import { statementKind, type Statement } from '@switchyard/core';
import type { RowRef } from '../row-ref';
import { ddlTable, writeTable } from './column-types';

/** The table name that stands for every table: a schema change, or a statement whose table cannot be read. */
export const ANY_TABLE = '*';

/** The tables an entry writes (lower case), or every table for a schema change or an unreadable statement. */
export function tablesOf(entry: { rows?: RowRef[]; statements?: Statement[]; sql: string }): string[] {
  if (entry.rows) return [...new Set(entry.rows.map((r) => r.table.toLowerCase()))];
  return statementTables(entry.statements ?? [{ sql: entry.sql }]);
}

/**
 * The tables statements write (lower case): a data write's target, a table or index
 * definition's table; `*` for any other schema change or a statement whose table cannot
 * be read.
 */
export function statementTables(statements: readonly Statement[]): string[] {
  const tables = new Set<string>();
  for (const s of statements) {
    const kind = statementKind(s.sql);
    const table = kind === 'write' ? writeTable(s.sql) : kind === 'schema' ? ddlTable(s.sql) : undefined;
    tables.add(table ? table.toLowerCase() : ANY_TABLE);
  }
  return [...tables];
}

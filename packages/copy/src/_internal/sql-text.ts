import { onlyIfInherited, qualifiedTableName, quoteIdentifier, type DialectName, type TableInfo } from '@switchyard/core';

/**
 * A table as a read or a DELETE names it: core's `qualifiedTableName`, after `ONLY` where other
 * Postgres tables inherit it (INHERITS), whose rows would otherwise count as its own.
 */
export function readRef(table: Pick<TableInfo, 'name' | 'schema' | 'inheritedBy'>, dialect: DialectName): string {
  return (dialect === 'postgres' ? onlyIfInherited(table) : '') + qualifiedTableName(table, dialect);
}

/** A SQL string literal. */
export function quoteLiteral(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}

/** `(a, b)` or `a` for one column: row values only where the key is composite. */
export function keyTuple(columns: readonly string[]): string {
  const quoted = columns.map(quoteIdentifier);
  return quoted.length === 1 ? quoted[0]! : '(' + quoted.join(', ') + ')';
}

/** `(?, ?)` or `?`, matching {@link keyTuple}. */
export function placeholderTuple(count: number): string {
  return count === 1 ? '?' : '(' + new Array(count).fill('?').join(', ') + ')';
}

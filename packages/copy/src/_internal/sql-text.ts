import { onlyIfInherited, quoteIdentifier, type DialectName, type TableInfo } from '@switchyard/core';

/** The quoted, schema-qualified name of a table (the schema only where it is not the default). */
export function tableRef(table: Pick<TableInfo, 'name' | 'schema'>, dialect: DialectName): string {
  if (dialect === 'postgres' && table.schema && table.schema !== 'public') {
    return quoteIdentifier(table.schema) + '.' + quoteIdentifier(table.name);
  }
  return quoteIdentifier(table.name);
}

/**
 * A table as a read or a DELETE names it: {@link tableRef}, after `ONLY` where other
 * Postgres tables inherit it (INHERITS), whose rows would otherwise count as its own.
 */
export function readRef(table: Pick<TableInfo, 'name' | 'schema' | 'inheritedBy'>, dialect: DialectName): string {
  return (dialect === 'postgres' ? onlyIfInherited(table) : '') + tableRef(table, dialect);
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

import {
  exactJsonText,
  isArrayColumn,
  postgresArrayItemsFor,
  postgresTimestampText,
  toHex,
  type ColumnInfo,
  type DialectName,
} from '@switchyard/core';

/**
 * The converter for a Postgres array column (`text[]`, `integer[]`): the list core's
 * `postgresArrayItemsFor` gives (a JavaScript array, JSON array text as SQLite and D1 keep
 * arrays, a `json[]` item as its JSON text) becomes an array literal such as `{a,"x,y",NULL}`,
 * which both COPY and a bound parameter accept; text it gives (a `json[]` literal kept from the
 * read) goes as it is.
 */
export function arrayConverterFor(target: ColumnInfo, targetDialect: DialectName): ((value: unknown) => unknown) | undefined {
  if (targetDialect !== 'postgres' || !isArrayColumn(target)) return undefined;
  const items = postgresArrayItemsFor(target);
  return (value) => {
    const list = items(value);
    return Array.isArray(list) ? arrayLiteral(list) : list;
  };
}

function arrayLiteral(items: readonly unknown[]): string {
  return '{' + items.map(element).join(',') + '}';
}

function element(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return arrayLiteral(value);
  // String(-0) is '0'; a double column keeps the sign (as a bound parameter does, see core's encodeValue).
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return String(value);
  // bytea[] items (a Buffer is an object, which would go as its JSON) in bytea's hex form.
  if (value instanceof Uint8Array) return `"\\\\x${toHex(value)}"`;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // A Date as Postgres reads it back: microseconds (a PreciseDate's) and BC years kept.
  // A number kept as its text (a JsonNumber: a bigint[] item past 2^53) as that text.
  const text = value instanceof Date ? postgresTimestampText(value) : typeof value === 'object' ? exactJsonText(value) : String(value);
  return '"' + text.replace(/["\\]/g, '\\$&') + '"';
}

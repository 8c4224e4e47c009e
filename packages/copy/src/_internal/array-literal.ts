import {
  arrayLiteralOf,
  exactJsonText,
  isArrayColumn,
  isTimestampArray,
  jsonArrayItems,
  jsonArrayKind,
  listFromJsonText,
  postgresTimestampText,
  timestampArrayItems,
  toHex,
  type ColumnInfo,
  type DialectName,
} from '@switchyard/core';

/**
 * The converter for a Postgres array column (`text[]`, `integer[]`): a JavaScript array,
 * or JSON array text (how SQLite and D1 keep arrays), becomes an array literal such as
 * `{a,"x,y",NULL}`, which both COPY and a bound parameter accept. Into a `json[]` or
 * `jsonb[]` column an array read from one goes as the literal it was read from, and any
 * other list with each element as its JSON text (see core's `jsonArrayItems`); into a
 * `timestamp[]` one, six-digit years as dates (core's `timestampArrayItems`).
 */
export function arrayConverterFor(target: ColumnInfo, targetDialect: DialectName): ((value: unknown) => unknown) | undefined {
  if (targetDialect !== 'postgres' || !isArrayColumn(target)) return undefined;
  if (jsonArrayKind(target)) {
    return (value) => {
      const literal = arrayLiteralOf(value);
      if (literal !== undefined) return literal;
      const items = listFromJsonText(value);
      return Array.isArray(items) ? arrayLiteral(jsonArrayItems(items)) : value;
    };
  }
  // Six-digit years (a BC time in SQLite's JSON) as dates, which are written in Postgres's form.
  const items = isTimestampArray(target) ? timestampArrayItems : (list: unknown[]) => list;
  return (value) => {
    const list = listFromJsonText(value);
    return Array.isArray(list) ? arrayLiteral(items(list)) : value;
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

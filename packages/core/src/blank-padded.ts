import { storedTypeOf } from './logical-type';
import type { ColumnInfo, DialectName } from './types';

/**
 * True for a Postgres `character(n)` column (`bpchar`, through a domain too). Postgres pads
 * its values with spaces to n (`'ab'` reads back `'ab   '`) and disregards trailing spaces
 * when it compares two of them, so such a value equals another engine's text without its
 * trailing spaces: SQLite's `'ab'` copied there, or written by the app after a switch.
 *
 * @example
 * ```ts
 * isBlankPadded({ ...column, declaredType: 'character(5)' }, 'postgres') // true
 * isBlankPadded({ ...column, declaredType: 'CHAR(5)' }, 'sqlite')        // false: SQLite keeps the spaces
 * ```
 */
export function isBlankPadded(column: ColumnInfo, dialect: DialectName): boolean {
  return dialect === 'postgres' && /^(character|bpchar)(\s*\(\s*\d+\s*\))?$/i.test(storedTypeOf(column));
}

/**
 * Text without its trailing spaces (spaces only: a tab or a newline is a character Postgres
 * keeps and compares), for comparing a {@link isBlankPadded} column's value; anything else as it is.
 *
 * @example
 * ```ts
 * withoutPadding('ab   ') // 'ab'
 * withoutPadding('ab\t')  // 'ab\t'
 * ```
 */
export function withoutPadding(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 32) end--;
  return end === value.length ? value : value.slice(0, end);
}

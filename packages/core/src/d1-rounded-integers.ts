import { sqliteAffinity } from './sqlite-affinity';
import { UnholdableValue } from './unholdable-value';
import type { ColumnInfo, DialectName } from './types';

const TWO_63 = 2 ** 63;

/**
 * Whether a column read from D1 may hand back an integer D1 rounded. D1's API returns every
 * number as a JavaScript double, so an INTEGER beyond 2^53 (a Discord or Twitter snowflake id,
 * a nanosecond time) arrives as the nearest double, another number, with nothing to say so.
 * Only columns whose affinity keeps integers as integers can hold one: INTEGER, NUMERIC, or
 * none; TEXT affinity stores numbers as text and REAL affinity as doubles.
 *
 * @example
 * ```ts
 * mayHoldRoundedIntegers({ ...column, declaredType: 'INTEGER' }, 'd1') // true
 * mayHoldRoundedIntegers({ ...column, declaredType: 'REAL' }, 'd1')    // false
 * ```
 */
export function mayHoldRoundedIntegers(column: ColumnInfo, dialect: DialectName): boolean {
  if (dialect !== 'd1') return false;
  const affinity = sqliteAffinity(column.declaredType);
  return affinity !== 'TEXT' && affinity !== 'REAL';
}

/**
 * True for a number D1 may have rounded: an integer-valued double past 2^53 and within the
 * 64-bit range (a larger one is a REAL SQLite stored as such).
 */
export function isPossiblyRoundedInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER && Math.abs(value) <= TWO_63;
}

/**
 * A value read from such a D1 column held back when D1 may have rounded it: written
 * elsewhere it would be another number than the one D1 holds, without a word.
 *
 * @example
 * ```ts
 * holdRoundedInteger(9007199254740992) // an UnholdableValue
 * holdRoundedInteger(42)               // 42
 * ```
 */
export function holdRoundedInteger(value: unknown): unknown {
  if (!isPossiblyRoundedInteger(value)) return value;
  return new UnholdableValue(
    value,
    `D1 returned ${value}, an integer beyond 2^53: its API hands every number back as a double, so the value D1 holds may be ` +
      'another. Store such values as TEXT on D1 (the app reads and binds them as strings), or copy from a SQLite export of the database.',
  );
}

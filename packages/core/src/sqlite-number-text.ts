import { storedTypeOf } from './logical-type';
import { sqliteAffinity } from './sqlite-affinity';
import { UnholdableValue } from './unholdable-value';
import type { ColumnInfo, DialectName } from './types';

const INT64_MAX = 9223372036854775807n;

/**
 * True for a SQLite or D1 column whose affinity stores number-looking text as a number
 * (INTEGER, REAL or NUMERIC: `JSON` and `NUMERIC` declared columns included), which keeps
 * 15 significant digits of a number with more as a double, and an integer as itself only
 * within 64 bits.
 *
 * @example
 * ```ts
 * storesTextAsNumbers({ ...column, declaredType: 'NUMERIC' }, 'sqlite') // true
 * storesTextAsNumbers({ ...column, declaredType: 'TEXT' }, 'd1')        // false
 * ```
 */
export function storesTextAsNumbers(target: ColumnInfo, dialect: DialectName): boolean {
  if (dialect === 'postgres') return false;
  const affinity = sqliteAffinity(target.declaredType);
  return affinity !== 'TEXT' && affinity !== 'BLOB';
}

/**
 * Whether a Postgres `numeric` bound for `target` could be changed there: the source is a
 * Postgres numeric (its exact text, as pg reads it) and the target a SQLite or D1 column of
 * such an affinity (what `translateSchema` makes of `numeric`).
 */
export function roundsNumericText(source: ColumnInfo, sourceDialect: DialectName, target: ColumnInfo, targetDialect: DialectName): boolean {
  return sourceDialect === 'postgres' && /^(numeric|decimal)\b/i.test(storedTypeOf(source)) && storesTextAsNumbers(target, targetDialect);
}

/**
 * A Postgres numeric's text held back where SQLite's conversion would change it (an integer
 * past 64 bits, a fraction with more than 15 significant digits): SQLite would store a
 * double, rounded at the write without a word. Anything else passes as it is (`NaN` stays
 * text there).
 *
 * @example
 * ```ts
 * holdRoundedNumeric('1.50')                      // '1.50'
 * holdRoundedNumeric('12345678901234567890.123')  // an UnholdableValue
 * ```
 */
export function holdRoundedNumeric(value: unknown): unknown {
  if (typeof value !== 'string' || !roundedBySqlite(value)) return value;
  return new UnholdableValue(
    value,
    `the numeric ${value.slice(0, 40)} has more than 15 significant digits (or is an integer past 64 bits), ` +
      'which a SQLite or D1 column of NUMERIC affinity stores as a double, changing it. ' +
      "Declare the column TEXT on the target (translateSchema's columnTypes), then write or copy it again.",
  );
}

function roundedBySqlite(text: string): boolean {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return false; // NaN, Infinity: not a number to SQLite, kept as text
  if (m[3] === undefined) {
    const n = BigInt(`${m[1]}${m[2] || '0'}`);
    return n > INT64_MAX || n < -INT64_MAX - 1n;
  }
  return `${m[2]}${m[3]}`.replace(/^0+/, '').replace(/0+$/, '').length > 15;
}

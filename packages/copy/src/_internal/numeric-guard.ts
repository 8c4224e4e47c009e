import { storedTypeOf, type ColumnInfo, type DialectName } from '@switchyard/core';
import { roundedValueError, storesTextAsNumbers, type RefusedAt } from './json-number-guard';

const INT64_MAX = 9223372036854775807n;

/**
 * True for a SQLite or D1 column fed from a Postgres `numeric` whose affinity stores numbers
 * (`NUMERIC`, what `translateSchema` makes of `numeric`): SQLite keeps 15 significant digits of
 * such a value as a double, and an integer as itself only within 64 bits.
 */
export function roundsNumericText(source: ColumnInfo, sourceDialect: DialectName, target: ColumnInfo, dialect: DialectName): boolean {
  return sourceDialect === 'postgres' && /^(numeric|decimal)\b/i.test(storedTypeOf(source)) && storesTextAsNumbers(target, dialect);
}

/** Throws when `value`, a Postgres numeric's exact text, would be rounded by such a column. */
export function refuseRoundedNumeric(value: unknown, at: RefusedAt): void {
  if (typeof value === 'string' && roundedBySqlite(value))
    throw roundedValueError(at, `the numeric ${value.slice(0, 40)} has more than 15 significant digits`);
}

/** Whether SQLite's conversion of numeric text changes it: an integer past 64 bits, or a fraction with more than 15 significant digits. */
function roundedBySqlite(text: string): boolean {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) return false; // NaN, Infinity: not a number to SQLite, kept as text
  if (m[3] === undefined) {
    const n = BigInt(`${m[1]}${m[2] || '0'}`);
    return n > INT64_MAX || n < -INT64_MAX - 1n;
  }
  return `${m[2]}${m[3]}`.replace(/^0+/, '').replace(/0+$/, '').length > 15;
}

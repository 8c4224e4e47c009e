import {
  converterFor,
  encodeValue,
  exactJsonText,
  holdTimeWord,
  isArrayColumn,
  isPossiblyRoundedInteger,
  mayHoldRoundedIntegers,
  normalizeValue,
  storedTypeOf,
  timestampPrecisionOf,
  ParameterError,
  type ColumnInfo,
  type DatabaseAdapter,
  type DialectName,
} from '@switchyard/core';

/**
 * A source value in the form the target column accepts. The adapters already encode
 * booleans, dates and objects for their engine; what is left is what a value of one
 * engine means in another: epoch seconds or SQLite's `'YYYY-MM-DD HH:MM:SS'` bound to a
 * Postgres timestamp, 1/0 bound to a boolean, a parsed Postgres JSON value bound to a
 * JSON text column, D1's number arrays bound as bytes.
 */
export function toTargetValue(
  value: unknown,
  from: ColumnInfo,
  sourceDialect: DialectName,
  to: ColumnInfo,
  targetDialect: DialectName,
): unknown {
  if (value === null || value === undefined) return null;
  // An integer D1 may have rounded is held back by the converter (and the row reported).
  if (isPossiblyRoundedInteger(value) && mayHoldRoundedIntegers(from, sourceDialect))
    return converterFor(from, sourceDialect, to, targetDialect)!(value);
  // Arrays as a copy writes them: a Postgres one (parsed, or the literal of one pg does not
  // parse, an enum's) as JSON text on SQLite or D1, and as an array into a Postgres array column.
  if ((sourceDialect === 'postgres' && isArrayColumn(from)) || (targetDialect === 'postgres' && isArrayColumn(to))) {
    const convert = converterFor(from, sourceDialect, to, targetDialect);
    return convert ? convert(value) : value;
  }
  if (Array.isArray(value) && (to.logicalType === 'blob' || from.logicalType === 'blob')) return Uint8Array.from(value as number[]);
  if (sourceDialect === 'postgres' && from.logicalType === 'json') return exactJsonText(value);
  if (targetDialect !== 'postgres') {
    // From Postgres as the copy writes it: a numeric SQLite would keep as a rounded double held
    // back (and the row reported), a character(n) value without its padding, an infinite
    // timestamp as the word. Between SQLite and D1 a value is what it was.
    if (sourceDialect !== 'postgres') return value;
    const convert = converterFor(from, sourceDialect, to, targetDialect);
    return convert ? convert(value) : value;
  }
  switch (to.logicalType) {
    case 'boolean':
    case 'numeric': {
      // As the copy writes it: a non-boolean (2, 'yes') or a number past a numeric(p, s) scale
      // is held back, and the row reported, rather than made true or rounded by Postgres.
      const convert = converterFor(from, sourceDialect, to, targetDialect);
      return convert ? convert(value) : value;
    }
    case 'timestamp': {
      if (value instanceof Date) return value;
      // Into a date, as the copy writes it: datetime text with a time of day held back; into a
      // timestamp(p), a time with more fractional-second digits than it keeps.
      const asCopied = /^date$/i.test(storedTypeOf(to)) || timestampPrecisionOf(to) !== undefined;
      const toDate = asCopied ? converterFor(from, sourceDialect, to, targetDialect) : undefined;
      if (toDate) return toDate(value);
      // 'now' would be written as the time of the repair: held back, and the row reported.
      const held = typeof value === 'string' ? holdTimeWord(value) : undefined;
      if (held) return held;
      const iso = normalizeValue(value, 'timestamp', { timestampPrecision: 'us' });
      return typeof iso === 'string' && !iso.startsWith('\u0000') ? iso : value;
    }
    case 'json':
      // A blob as the copy writes it: the document its bytes spell (held back when they are not UTF-8).
      if (value instanceof Uint8Array) return converterFor(from, sourceDialect, to, targetDialect)!(value);
      return asJsonDocument(value);
    default:
      return value;
  }
}

/**
 * A SQLite or D1 value for a Postgres JSON column: text that is no JSON document at all
 * (SQLite does not check what its JSON columns hold) as the JSON string holding it, which is
 * what a copy writes for it; anything else as it is. Validation compares it so too.
 */
export function asJsonDocument(value: unknown): unknown {
  return typeof value === 'string' && !isJsonText(value) ? JSON.stringify(value) : value;
}

/** Whether `text` is a JSON document: `JSON.parse`'s grammar is JSON's, and it is native (rounding a number does not matter here). */
function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the target cannot bind `value` (a Date outside years 0001-9999 or NaN on SQLite and
 * D1, text with a NUL on Postgres, ...), in the adapter's own words, or `undefined` when it
 * can. Repair holds such a row back and reports it, as a copy refuses it, where the batch
 * holding it would fail and stop the repair of every row after it.
 */
export function unbindableReason(value: unknown, target: Pick<DatabaseAdapter, 'dialect' | 'capabilities'>): string | undefined {
  try {
    encodeValue(value, 1, target.dialect, target.capabilities);
    return undefined;
  } catch (error) {
    if (!(error instanceof ParameterError)) throw error;
    return error.message.replace(/^Parameter 1 is /, 'the value is ').replace(/^Parameter 1: /, '');
  }
}

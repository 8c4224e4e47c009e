import {
  converterFor,
  exactJsonText,
  holdTimeWord,
  isArrayColumn,
  isBlankPadded,
  isPossiblyRoundedInteger,
  mayHoldRoundedIntegers,
  normalizeValue,
  type ColumnInfo,
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
    // As the converter writes them: a numeric SQLite would keep as a rounded double held back
    // (and the row reported), a character(n) value without its padding.
    if (sourceDialect !== 'postgres' || (from.logicalType !== 'numeric' && !isBlankPadded(from, sourceDialect))) return value;
    const convert = converterFor(from, sourceDialect, to, targetDialect);
    return convert ? convert(value) : value;
  }
  switch (to.logicalType) {
    case 'boolean': {
      const b = normalizeValue(value, 'boolean');
      return typeof b === 'boolean' ? b : value;
    }
    case 'timestamp': {
      if (value instanceof Date) return value;
      // 'now' would be written as the time of the repair: held back, and the row reported.
      const held = typeof value === 'string' ? holdTimeWord(value) : undefined;
      if (held) return held;
      const iso = normalizeValue(value, 'timestamp', { timestampPrecision: 'us' });
      return typeof iso === 'string' && !iso.startsWith('\u0000') ? iso : value;
    }
    case 'json':
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

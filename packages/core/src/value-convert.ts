import { isBlankPadded, withoutPadding } from './blank-padded';
import { normalizeBoolean } from './_internal/type-normalizers';
import { holdOverScale, numericScaleOf } from './numeric-scale';
import { holdRoundedInteger, isPossiblyRoundedInteger, mayHoldRoundedIntegers } from './d1-rounded-integers';
import { bytesToText, toBytes } from './blob-convert';
import { PostgresArray } from './param-encode';
import { postgresArrayList, timestampArrayItems } from './pg-array-literal';
import { arrayLiteralOf, jsonArrayElementTexts, jsonArrayItems } from './pg-array-source';
import { exactJsonText } from './json-exact';
import { parseJsonExact } from './json-exact-parse';
import { isZonelessTimestamp, jsonArrayKind, storedTypeOf } from './logical-type';
import { holdOverPrecision, timestampPrecisionOf, toDate, toDateText, toInfinityText, toUtcWallTime } from './timestamp-convert';
import { holdRoundedNumeric, roundsNumericText } from './sqlite-number-text';
import { holdNonBoolean, UnholdableValue } from './unholdable-value';
import type { ColumnInfo, DialectName } from './types';

/**
 * Turns a value read from one engine into what a column of another expects.
 *
 * @example
 * ```ts
 * const convert: Converter = (v) => (v === 1 ? true : v);
 * ```
 */
export type Converter = (value: unknown) => unknown;

/**
 * The converter for one column, chosen once per table by the logical types on both
 * sides, so the per-value work is a single function call (or none). Core already
 * encodes booleans, dates and objects for SQLite and D1; what is left are the cases
 * where the engines store a value differently: SQLite's 1/0 into a Postgres boolean,
 * epoch numbers or SQLite datetime text into timestamptz, JSON text into json/jsonb,
 * parsed Postgres JSON back to text, and D1's blob arrays. Used by the backfill and by
 * dual write's row images, so a row reaches the other engine the same way on both paths.
 *
 * @example
 * ```ts
 * const convert = converterFor(sqliteColumn, 'sqlite', pgColumn, 'postgres'); // undefined: as is
 * const value = convert ? convert(raw) : raw;
 * ```
 */
export function converterFor(
  source: ColumnInfo,
  sourceDialect: DialectName,
  target: ColumnInfo,
  targetDialect: DialectName,
): Converter | undefined {
  const convert = valueConverter(source, sourceDialect, target, targetDialect);
  // An integer D1 may have rounded is held back, never written as the other number.
  if (!mayHoldRoundedIntegers(source, sourceDialect)) return convert;
  return convert ? (v) => (isPossiblyRoundedInteger(v) ? holdRoundedInteger(v) : convert(v)) : holdRoundedInteger;
}

function valueConverter(
  source: ColumnInfo,
  sourceDialect: DialectName,
  target: ColumnInfo,
  targetDialect: DialectName,
): Converter | undefined {
  const to = target.logicalType;
  if (targetDialect === 'postgres') {
    if (isArrayColumn(target)) {
      const items = postgresArrayItemsFor(target);
      return (value) => asPostgresArray(items(value));
    }
    if (sourceDialect === 'postgres' && source.logicalType === to) {
      // Postgres parses json into objects; a JSON string scalar must go back as JSON, not as bare text.
      return to === 'json' ? postgresDocumentText : undefined;
    }
    // Any SQLite or D1 column may hold a blob (one without a type often does).
    const blobAsText = source.logicalType === 'blob' || sourceDialect !== 'postgres' ? bytesToText : undefined;
    switch (to) {
      case 'boolean':
        return toBoolean;
      case 'timestamp': {
        const convert = /^date$/i.test(storedTypeOf(target)) ? toDateText : isZonelessTimestamp(target) ? toUtcWallTime : toDate;
        const precision = timestampPrecisionOf(target);
        return precision === undefined ? convert : holdOverPrecision(precision, convert);
      }
      case 'json':
        return sourceDialect === 'postgres' ? toJsonText : sqliteJsonText;
      case 'blob':
        return toBytes;
      case 'integer':
        return toInteger;
      case 'numeric': {
        const scale = numericScaleOf(target);
        return scale === undefined ? blobAsText : holdOverScale(scale, blobAsText);
      }
      default:
        return blobAsText;
    }
  }
  // SQLite and D1 targets: a string pg read from a JSON column is a string document, from an
  // array column the literal of an array pg does not parse (an enum's).
  if (to === 'json' && sourceDialect === 'postgres') return isArrayColumn(source) ? postgresArrayText : postgresDocumentText;
  // A numeric SQLite would keep as a rounded double is held back, never rounded unseen.
  if (roundsNumericText(source, sourceDialect, target, targetDialect)) return holdRoundedNumeric;
  // Between SQLite and D1 a BLOB column's text stays text: SQLite keeps each value's class
  // there, and text is not the blob of its bytes ('abc' = X'616263' is false).
  if (to === 'blob') return sourceDialect === 'postgres' ? toBytes : undefined;
  if (sourceDialect === 'postgres' && source.logicalType === 'timestamp')
    return /^date$/i.test(storedTypeOf(source)) ? toDateText : toInfinityText;
  // A character(n) value without its padding, as Postgres's own cast to text gives it: SQLite
  // compares trailing spaces, so WHERE code = 'ab' would no longer find 'ab   '.
  if (isBlankPadded(source, sourceDialect)) return withoutPadding;
  return undefined;
}

// Only what validation reads as a boolean becomes one: 2, -1 or 'yes' would be written as true
// while the source keeps them, a difference no repair could settle, so such a value is held back.
function toBoolean(value: unknown): unknown {
  if (value === null || typeof value === 'boolean') return value;
  const b = normalizeBoolean(value);
  return typeof b === 'boolean' ? b : holdNonBoolean(value);
}

/**
 * A list into a Postgres array column: bound as an ARRAY, since a plain array is bound as
 * JSON text, which an array column refuses.
 */
function asPostgresArray(list: unknown): unknown {
  return Array.isArray(list) && !(list instanceof PostgresArray) ? PostgresArray.from(list) : list;
}

/**
 * What a value bound for the Postgres array column `target` holds: the list of its items
 * (JSON array text, how SQLite holds a list, read first), or text to bind as it is. Into a
 * `json[]` or `jsonb[]` column an array read from one is the literal it was read from (see
 * `arrayLiteralOf`) and any other list has each item as its JSON text, so a string stays a
 * string document; into a `timestamp[]` one, six-digit years are dates (`timestampArrayItems`).
 * The converter binds the list as an ARRAY, the copy writes it as a literal.
 *
 * @example
 * ```ts
 * postgresArrayItemsFor({ declaredType: 'jsonb[]' })('["s"]'); // ['"s"']
 * ```
 */
export function postgresArrayItemsFor(target: Pick<ColumnInfo, 'declaredType' | 'baseType'>): (value: unknown) => unknown {
  if (jsonArrayKind(target)) return jsonArrayValue;
  return isTimestampArray(target) ? timestampArrayValue : listFromJsonText;
}

function jsonArrayValue(value: unknown): unknown {
  const literal = arrayLiteralOf(value);
  if (literal !== undefined) return literal;
  // JSON array text (SQLite's, D1's): each element as it is written there.
  const texts = typeof value === 'string' ? jsonArrayElementTexts(value) : undefined;
  if (texts) return texts;
  const list = listFromJsonText(value);
  return Array.isArray(list) ? jsonArrayItems(list) : list;
}

function timestampArrayValue(value: unknown): unknown {
  const list = listFromJsonText(value);
  return Array.isArray(list) ? timestampArrayItems(list) : list;
}

/**
 * Whether a column is a Postgres `timestamp[]` or `timestamptz[]` (a domain over one too).
 *
 * @example
 * ```ts
 * isTimestampArray({ declaredType: 'timestamp with time zone[]' }); // true
 * ```
 */
export function isTimestampArray(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): boolean {
  return /^timestamp/i.test(storedTypeOf(column)) && isArrayColumn(column);
}

/**
 * Whether a column is a Postgres array (`text[]`, `integer[]`, a domain over one), by its stored type.
 *
 * @example
 * ```ts
 * isArrayColumn({ name: 'tags', declaredType: 'text[]', ... }); // true
 * ```
 */
export function isArrayColumn(column: Pick<ColumnInfo, 'declaredType' | 'baseType'>): boolean {
  return storedTypeOf(column).endsWith('[]');
}

/**
 * A list bound for an array column as a list: JSON array text (how SQLite and D1 hold a
 * list) parsed, anything else (a list already, text that is not a JSON array) as it is.
 *
 * @example
 * ```ts
 * listFromJsonText('[1,null]'); // [1, null]
 * listFromJsonText('{1,2}');    // '{1,2}'
 * ```
 */
export function listFromJsonText(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trimStart().startsWith('[')) return value;
  try {
    // Items a double would round (a bigint[]'s 9007199254740993) keep their digits.
    return parseJsonExact(value);
  } catch {
    return value;
  }
}

/**
 * A document pg read from a Postgres json/jsonb column, for another: a string is a string
 * document (`"null"`, `"{\"a\":1}"`), which {@link toJsonText} would take for the JSON text
 * it holds and write as `null` or an object.
 */
function postgresDocumentText(value: unknown): unknown {
  return typeof value === 'string' ? JSON.stringify(value) : toJsonText(value);
}

/** An array pg read from a Postgres array column, as the JSON list SQLite and D1 hold (see `postgresArrayList`), as JSON text. */
function postgresArrayText(value: unknown): unknown {
  return toJsonText(postgresArrayList(value));
}

function toJsonText(value: unknown): unknown {
  if (value === null) return null;
  if (typeof value === 'string') {
    // JSON text stays as it is; anything else is stored as a JSON string rather than rejected.
    try {
      JSON.parse(value);
      return value;
    } catch {
      return JSON.stringify(value);
    }
  }
  // A document whose numbers a double would round is written from the text it was read from.
  return exactJsonText(value);
}

// A blob in a SQLite or D1 column bound for JSON (Drizzle's blob json mode stores its
// documents so) is the text its bytes spell, as the copy's COPY path reads it; its JSON
// serialization as an object of byte numbers would be another document.
function sqliteJsonText(value: unknown): unknown {
  if (!(value instanceof Uint8Array || value instanceof ArrayBuffer || Array.isArray(value))) return toJsonText(value);
  const text = bytesToText(toBytes(value));
  return text instanceof UnholdableValue ? text : toJsonText(text);
}

function toInteger(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

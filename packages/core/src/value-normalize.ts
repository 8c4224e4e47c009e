import {
  normalizeBlob,
  normalizeBoolean,
  normalizeDecimal,
  normalizeInteger,
  normalizeJson,
  normalizeReal,
  normalizeText,
  normalizeTimestamp,
} from './_internal/type-normalizers';
import type { LogicalType, Row } from './types';

export { isWellFormedText, stableStringify, toHex } from './canonical-text';
export { parseTimestampText, timeWordOf, TIME_WORDS } from './timestamp-text';

/** How values are brought to canonical form before comparison. */
export interface NormalizeOptions {
  /** Timestamp precision kept: `'s'`, `'ms'` (default) or `'us'`. */
  timestampPrecision?: 's' | 'ms' | 'us';
  /**
   * Relative tolerance for `real` columns. Default `0`: doubles are equal only when they are
   * the same double (`-0` equals `0`, NaN equals NaN, ±Infinity only itself).
   */
  realTolerance?: number;
}

/** A canonical value: comparable across engines with {@link canonicalEqual}. */
export type CanonicalValue = null | string | number | boolean | CanonicalJson;
type CanonicalJson = { json: string };

/**
 * Brings one value to the canonical form of its logical type (see the table in the
 * docs): integers and numerics to exact decimal strings, booleans to `true`/`false`,
 * timestamps to ISO-8601 UTC at the chosen precision, JSON to its text with keys
 * sorted, blobs to hex. Values that do not fit their type are kept as tagged text,
 * so they compare unequal to any real value of that type rather than being coerced.
 *
 * @example
 * ```ts
 * normalizeValue(1, 'boolean')                          // true
 * normalizeValue('2024-01-01 10:00:00', 'timestamp')    // '2024-01-01T10:00:00.000Z'
 * normalizeValue('{"b":1,"a":2}', 'json')               // { json: '{"a":2,"b":1}' }
 * ```
 */
export function normalizeValue(value: unknown, type: LogicalType, options: NormalizeOptions = {}): CanonicalValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return normalizeInteger(value);
    case 'boolean':
      return normalizeBoolean(value);
    case 'timestamp':
      return normalizeTimestamp(value, options.timestampPrecision ?? 'ms');
    case 'json':
      return normalizeJson(value);
    case 'blob':
      return normalizeBlob(value);
    case 'numeric':
      return normalizeDecimal(value);
    case 'real':
      return normalizeReal(value);
    case 'text':
      return normalizeText(value);
  }
}

/**
 * Normalizes every column of a row by its logical type. Columns missing from `types`
 * are compared as text.
 */
export function normalizeRow(
  row: Row,
  types: Readonly<Record<string, LogicalType>>,
  options: NormalizeOptions = {},
): Record<string, CanonicalValue> {
  const out: Record<string, CanonicalValue> = {};
  for (const key of Object.keys(row)) out[key] = normalizeValue(row[key], types[key] ?? 'text', options);
  return out;
}

/** Equality of canonical values; `real` values are equal within the relative tolerance. */
export function canonicalEqual(a: CanonicalValue, b: CanonicalValue, options: NormalizeOptions = {}): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    // An infinity equals only itself (a === b above): a tolerance scaled by it would match anything.
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    const tolerance = options.realTolerance ?? 0;
    return tolerance > 0 && Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
  }
  if (typeof a === 'object' && typeof b === 'object') return a.json === b.json;
  return false;
}

/** Compares two raw values of one logical type across engines. */
export function valuesEqual(a: unknown, b: unknown, type: LogicalType, options: NormalizeOptions = {}): boolean {
  return canonicalEqual(normalizeValue(a, type, options), normalizeValue(b, type, options), options);
}

/** A printable form of a canonical value, for reports. */
export function formatCanonical(value: CanonicalValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'object') return value.json;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

import { canonicalJsonText, canonicalNumberText, jsonSourceOf } from './json-exact';
import { epochMicros } from './precise-date';
import type { LogicalType, Row } from './types';

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

// Values that do not fit their type keep their text with a tag, so '1.0' stored in a
// TEXT column as D1 does never silently equals the boolean true it came from.
const mismatch = (value: unknown): string => `\u0000invalid:${typeof value}:${stringify(value)}`;

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (isBytes(value)) return toHex(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

function normalizeInteger(value: unknown): CanonicalValue {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return BigInt(value).toString();
    return Number.isFinite(value) ? String(value) : mismatch(value);
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') {
    const s = value.trim();
    if (/^[+-]?\d+$/.test(s)) return BigInt(s).toString();
    if (/^[+-]?\d+\.0*$/.test(s)) return BigInt(s.slice(0, s.indexOf('.'))).toString();
  }
  return mismatch(value);
}

function normalizeBoolean(value: unknown): CanonicalValue {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (value == 1) return true;
    if (value == 0) return false;
  }
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (s === '1' || s === 't' || s === 'true') return true;
    if (s === '0' || s === 'f' || s === 'false') return false;
  }
  return mismatch(value);
}

// Years of four or more digits, ISO's signed six-digit years, and Postgres' ' BC' suffix.
const SQL_DATETIME =
  /^([+-]\d{6}|\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?( BC)?$/i;

function normalizeTimestamp(value: unknown, precision: 's' | 'ms' | 'us'): CanonicalValue {
  let micros: bigint | undefined;
  if (value instanceof Date) {
    micros = epochMicros(value);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    // Epoch seconds or milliseconds: anything past year 5138 in seconds is taken as ms.
    const n = Number(value);
    if (Number.isFinite(n)) micros = Math.abs(n) < 1e11 ? BigInt(Math.round(n * 1e6)) : BigInt(Math.round(n * 1e3));
  } else if (typeof value === 'string') {
    micros = parseTimestampText(value.trim());
  }
  if (micros === undefined) return mismatch(value);
  const unit = precision === 's' ? 1_000_000n : precision === 'ms' ? 1000n : 1n;
  const truncated = micros - (((micros % unit) + unit) % unit);
  const ms = Number((truncated - (((truncated % 1000n) + 1000n) % 1000n)) / 1000n);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return mismatch(value);
  // toISOString writes years outside 0000-9999 as ISO's signed six digits, on both sides alike.
  const iso = date.toISOString();
  if (precision === 's') return iso.slice(0, -5) + 'Z';
  if (precision === 'ms') return iso;
  const us = String(((truncated % 1000n) + 1000n) % 1000n).padStart(3, '0');
  return iso.slice(0, -1) + us + 'Z';
}

/**
 * Microseconds since the epoch named by timestamp text (ISO-8601, SQLite's
 * `'YYYY-MM-DD HH:MM:SS'`, Postgres' output with its offset, BC and five-digit years, or
 * epoch seconds / milliseconds), or `undefined` when it names none.
 *
 * @example
 * ```ts
 * parseTimestampText('1970-01-01 00:00:01.000002+00') // 1000002n
 * ```
 */
export function parseTimestampText(s: string): bigint | undefined {
  if (/^[+-]?\d+(\.\d+)?$/.test(s) && !/^\d{4}-/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? BigInt(Math.round(n * 1e6)) : BigInt(Math.round(n * 1e3));
  }
  const m = SQL_DATETIME.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, hh = '00', mi = '00', ss = '00', frac = '', zone, bc] = m;
  let year = Number(y);
  if (bc) year = 1 - year; // 1 BC is year 0
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(hh) > 24 || Number(mi) > 59 || Number(ss) > 60) return undefined;
  const date = new Date(Date.UTC(2000, month - 1, day, Number(hh), Number(mi), Number(ss)));
  // Date.UTC maps years 0-99 to 1900-1999; set the year separately.
  date.setUTCFullYear(year, month - 1, day);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== day) return undefined;
  let offsetSeconds = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const parts = zone.slice(1).replace(/:/g, '');
    offsetSeconds = Number(parts.slice(0, 2)) * 3600 + Number(parts.slice(2, 4) || 0) * 60 + Number(parts.slice(4, 6) || 0);
    if (zone[0] === '-') offsetSeconds = -offsetSeconds;
  }
  const sub = BigInt((frac + '000000').slice(0, 6));
  return (BigInt(date.getTime()) - BigInt(offsetSeconds) * 1000n) * 1000n + sub;
}

// JSON is compared as canonical text read without rounding numbers: documents parsed
// elsewhere are compared through the source text they kept, when they kept it.
function normalizeJson(value: unknown): CanonicalValue {
  if (isBytes(value)) return mismatch(value);
  const text = typeof value === 'string' ? value : (jsonSourceOf(value) ?? stableStringify(value));
  const json = canonicalJsonText(text);
  return json === undefined ? mismatch(value) : { json };
}

/** JSON text with object keys sorted at every depth, so key order never decides equality. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return '[' + value.map(stableStringify).join(',') + ']';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + stableStringify(obj[k])).join(',') + '}';
}

function normalizeBlob(value: unknown): CanonicalValue {
  if (isBytes(value)) return toHex(value);
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) return toHex(Uint8Array.from(value));
  if (typeof value === 'string') return toHex(new TextEncoder().encode(value));
  return mismatch(value);
}

function isBytes(value: unknown): value is Uint8Array | ArrayBuffer {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  // Node's (and Workers' nodejs_compat) native encoder is far faster on large blobs.
  if (typeof Buffer !== 'undefined') return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('hex');
  let out = '';
  for (let i = 0; i < view.length; i++) out += HEX[view[i]!];
  return out;
}

function normalizeDecimal(value: unknown): CanonicalValue {
  let s: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    s = String(value);
    if (/e/i.test(s)) s = expandExponent(s);
  } else if (typeof value === 'bigint') {
    s = value.toString();
  } else if (typeof value === 'string') {
    s = value.trim();
    // Postgres numeric holds NaN and ±Infinity; they equal the same double, nothing finite.
    if (/^[+-]?(infinity|inf|nan)$/i.test(s)) return String(Number(s.replace(/^([+-]?)inf$/i, '$1Infinity')));
    if (/e/i.test(s) && /^[+-]?\d*\.?\d+e[+-]?\d+$/i.test(s)) s = expandExponent(s);
  } else {
    return mismatch(value);
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && !m[3])) return mismatch(value);
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return m[1] === '-' && body !== '0' ? '-' + body : body;
}

function expandExponent(s: string): string {
  const n = Number(s);
  if (!Number.isFinite(n)) return s;
  // toFixed covers |n| < 1e21 exactly enough for a double's digits; larger values are integers.
  return Math.abs(n) < 1e21 ? n.toFixed(20) : BigInt(n).toString();
}

function normalizeReal(value: unknown): CanonicalValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return mismatch(value);
}

/**
 * False when a string holds a lone surrogate, which no engine stores as UTF-8 text.
 *
 * @example
 * ```ts
 * isWellFormedText('a\uD800b') // false
 * ```
 */
export function isWellFormedText(value: string): boolean {
  return (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function normalizeText(value: unknown): CanonicalValue {
  if (typeof value === 'string') return isWellFormedText(value) ? value : mismatch(value);
  if (isBytes(value)) {
    // Text that is not well-formed UTF-8 is compared by its bytes, never through U+FFFD.
    try {
      return utf8.decode(value);
    } catch {
      return `\u0000bytes:${toHex(value)}`;
    }
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return stableStringify(value);
  return String(value);
}

import type { LogicalType, Row } from './types';

/** How values are brought to canonical form before comparison. */
export interface NormalizeOptions {
  /** Timestamp precision kept: `'s'`, `'ms'` (default) or `'us'`. */
  timestampPrecision?: 's' | 'ms' | 'us';
  /** Relative tolerance for `real` columns. Default `1e-12`. */
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
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    const tolerance = options.realTolerance ?? 1e-12;
    return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
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

const SQL_DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function normalizeTimestamp(value: unknown, precision: 's' | 'ms' | 'us'): CanonicalValue {
  let micros: bigint | undefined;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isNaN(ms)) micros = BigInt(ms) * 1000n;
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
  const ms = Number(truncated / 1000n);
  const iso = new Date(ms).toISOString();
  if (precision === 's') return iso.slice(0, 19) + 'Z';
  if (precision === 'ms') return iso;
  const us = String(((truncated % 1000n) + 1000n) % 1000n).padStart(3, '0');
  return iso.slice(0, 23) + us + 'Z';
}

function parseTimestampText(s: string): bigint | undefined {
  if (/^[+-]?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? BigInt(Math.round(n * 1e6)) : BigInt(Math.round(n * 1e3));
  }
  const m = SQL_DATETIME.exec(s);
  if (!m) return undefined;
  const [, date, time = '00:00:00', zone] = m;
  const [hms = '00:00', frac = ''] = time.split('.');
  const withSeconds = hms.length === 5 ? hms + ':00' : hms;
  let offset = 'Z';
  if (zone && zone.toUpperCase() !== 'Z') offset = zone.length === 3 ? zone + ':00' : zone.includes(':') ? zone : zone.slice(0, 3) + ':' + zone.slice(3);
  const ms = Date.parse(`${date}T${withSeconds}${offset}`);
  if (Number.isNaN(ms)) return undefined;
  const sub = BigInt((frac + '000000').slice(0, 6));
  return BigInt(ms) * 1000n + sub;
}

function normalizeJson(value: unknown): CanonicalValue {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return mismatch(value);
    }
  } else if (isBytes(value)) {
    return mismatch(value);
  }
  return { json: stableStringify(parsed) };
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
    if (!Number.isFinite(value)) return mismatch(value);
    s = String(value);
    if (/e/i.test(s)) s = expandExponent(s);
  } else if (typeof value === 'bigint') {
    s = value.toString();
  } else if (typeof value === 'string') {
    s = value.trim();
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

function normalizeText(value: unknown): CanonicalValue {
  if (typeof value === 'string') return value;
  if (isBytes(value)) return new TextDecoder().decode(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return stableStringify(value);
  return String(value);
}

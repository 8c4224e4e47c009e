import { canonicalJsonText, jsonSourceOf } from '../json-exact';
import { epochMicros, PreciseDate } from '../precise-date';
import { isWellFormedText, stableStringify, toHex } from '../canonical-text';
import { parseTimestampText } from '../timestamp-text';
import type { CanonicalValue } from '../value-normalize';

// One normalizer per logical type, chosen by normalizeValue (value-normalize.ts).

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

export function normalizeInteger(value: unknown): CanonicalValue {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    // A safe integer prints the same digits as its bigint (never in exponent form).
    if (Number.isSafeInteger(value)) return String(value);
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

export function normalizeBoolean(value: unknown): CanonicalValue {
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

const CANONICAL_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const INFINITY = /^\s*-?infinity\s*$/i;

export function normalizeTimestamp(value: unknown, precision: 's' | 'ms' | 'us'): CanonicalValue {
  // A valid Date (what drivers return) gives the same text as the general path below, without
  // its bigint arithmetic: every verified write compares its timestamps this way.
  if (value instanceof Date && precision !== 's') {
    const us = value instanceof PreciseDate ? value.microseconds : 0;
    if (!Number.isNaN(value.getTime()) && Number.isInteger(us) && us >= 0 && us < 1000) {
      const iso = Date.prototype.toISOString.call(value);
      return precision === 'ms' ? iso : iso.slice(0, -1) + String(us).padStart(3, '0') + 'Z';
    }
  }
  if (typeof value === 'string' && CANONICAL_MS.test(value)) {
    // Text already in toISOString's form (what the SQLite and D1 adapters store for a Date)
    // is its own canonical form when it names a real instant: no bigint arithmetic.
    const date = new Date(value);
    if (!Number.isNaN(date.getTime()) && date.toISOString() === value) {
      return precision === 'ms' ? value : precision === 'us' ? value.slice(0, -1) + '000Z' : value.slice(0, -5) + 'Z';
    }
  }
  // A Postgres infinity: a driver's ±Infinity, or the word as SQLite and D1 hold it.
  if (value === Infinity || value === -Infinity) return value > 0 ? 'infinity' : '-infinity';
  if (typeof value === 'string' && INFINITY.test(value)) return value.trim().toLowerCase();
  let micros: bigint | undefined;
  if (value instanceof Date) {
    micros = epochMicros(value);
  } else if (typeof value === 'number' || typeof value === 'bigint') {
    // Epoch seconds or milliseconds: anything past year 5138 in seconds is taken as ms.
    const n = Number(value);
    const scaled = Math.abs(n) < 1e11 ? n * 1e6 : n * 1e3;
    // A double past ±1.8e305 overflows when scaled: no instant, so it is a mismatch, not a RangeError.
    if (Number.isFinite(scaled)) micros = BigInt(Math.round(scaled));
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

// JSON is compared as canonical text read without rounding numbers: documents parsed
// elsewhere are compared through the source text they kept, when they kept it.
export function normalizeJson(value: unknown): CanonicalValue {
  // A blob is the document its UTF-8 text spells, if it spells one (Drizzle's blob json mode).
  if (isBytes(value)) return bytesDocument(value) ?? mismatch(value);
  const text = typeof value === 'string' ? value : (jsonSourceOf(value) ?? stableStringify(value));
  const json = canonicalJsonText(text);
  return json === undefined ? mismatch(value) : { json };
}

function bytesDocument(value: Uint8Array | ArrayBuffer): CanonicalValue | undefined {
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return undefined;
  }
  const json = canonicalJsonText(text);
  return json === undefined ? undefined : { json };
}

export function normalizeBlob(value: unknown): CanonicalValue {
  if (isBytes(value)) return toHex(value);
  if (Array.isArray(value) && value.every((b) => typeof b === 'number')) return toHex(Uint8Array.from(value));
  if (typeof value === 'string') return toHex(new TextEncoder().encode(value));
  return mismatch(value);
}

export function isBytes(value: unknown): value is Uint8Array | ArrayBuffer {
  return value instanceof Uint8Array || value instanceof ArrayBuffer;
}

export function normalizeDecimal(value: unknown): CanonicalValue {
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

export function normalizeReal(value: unknown): CanonicalValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return mismatch(value);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function normalizeText(value: unknown): CanonicalValue {
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

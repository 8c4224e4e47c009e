import { PreciseDate, jsonTextMayRound, JSON_SOURCE, type LogicalType } from '@switchyard/core';

/**
 * Cheap checks that prove two values equal without building canonical forms, for the
 * pairs that dominate cross-engine validation. They only ever answer "equal" when the
 * normalization would; anything else returns `false` and the caller normalizes.
 */
export function fastEqual(a: unknown, b: unknown, type: LogicalType): boolean {
  switch (type) {
    case 'timestamp':
      if (a instanceof Date && typeof b === 'string') return dateMatchesText(a, b);
      if (b instanceof Date && typeof a === 'string') return dateMatchesText(b, a);
      return false;
    case 'json':
      return jsonEqual(a, b);
    case 'boolean':
      return (
        (a === true && (b === 1 || b === 1n)) ||
        (a === false && (b === 0 || b === 0n)) ||
        (b === true && (a === 1 || a === 1n)) ||
        (b === false && (a === 0 || a === 0n))
      );
    case 'integer':
      return (typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number') && a == b;
    default:
      return false;
  }
}

// A Date equals text naming the same instant in UTC: SQLite's 'YYYY-MM-DD HH:MM:SS',
// ISO 'YYYY-MM-DDTHH:MM:SS.sssZ' or 'YYYY-MM-DDTHH:MM:SSZ'. The text is read by fixed
// positions, and only when every field is in range: out-of-range dates are left to the
// normalization, which rejects them.
function dateMatchesText(date: Date, text: string): boolean {
  // Microseconds below the millisecond are left to the normalization.
  if (date instanceof PreciseDate) return false;
  const n = text.length;
  if (n !== 19 && n !== 20 && n !== 24) return false;
  const sep = text.charCodeAt(10);
  if (n === 19 ? sep !== 32 : sep !== 84 || text.charCodeAt(n - 1) !== 90) return false;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  let ms = 0;
  if (n === 24) {
    if (text.charCodeAt(19) !== 46) return false;
    ms = digits(text, 20, 3);
  }
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59 || ms < 0) return false;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) === date.getTime();
}

// The decimal value of `count` digits at `at`, or -1 when one is not a digit.
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Structural equality of JSON documents, parsed from text where needed: the same answer
// as comparing key-sorted JSON text, without building it. Documents whose numbers a
// double may round are left to the normalization, which reads numbers as decimal text.
function jsonEqual(a: unknown, b: unknown): boolean {
  const x = typeof a === 'string' ? parse(a) : a;
  const y = typeof b === 'string' ? parse(b) : b;
  if (x !== null && typeof x === 'object' && JSON_SOURCE in x) return false;
  if (y !== null && typeof y === 'object' && JSON_SOURCE in y) return false;
  if (x === INVALID || y === INVALID) return false;
  return deepEqual(x, y);
}

const INVALID = Symbol('invalid');

function parse(text: string): unknown {
  if (jsonTextMayRound(text)) return INVALID;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function deepEqual(x: unknown, y: unknown): boolean {
  if (x === y) return typeof x !== 'number' || Number.isFinite(x);
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  if (Array.isArray(x)) {
    if (!Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(y) || Object.getPrototypeOf(x) !== Object.prototype || Object.getPrototypeOf(y) !== Object.prototype) return false;
  const xs = x as Record<string, unknown>;
  const ys = y as Record<string, unknown>;
  const keys = Object.keys(xs);
  if (keys.length !== Object.keys(ys).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(ys, key) || xs[key] === undefined || !deepEqual(xs[key], ys[key])) return false;
  }
  return true;
}

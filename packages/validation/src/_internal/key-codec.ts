import { normalizeValue, withoutPadding, type NormalizeOptions, type Row } from '@switchyard/core';
import type { RowKey } from '../validation-types';
import type { KeyColumn } from './table-plan';

/** One key column's value, in the form keys are ordered and matched by. */
export type KeyPart = number | bigint | string;

/** Thrown when a key value cannot be ordered the way the engines ordered it. */
export class KeyValueError extends Error {}

/**
 * Turns key values read from either engine into comparable parts: integers as numbers
 * (bigint beyond 2^53, so an int8 is never rounded), other keys as their canonical
 * text compared by code point, which is the byte order both engines sort UTF-8 in.
 */
export class KeyCodec {
  readonly #keys: readonly KeyColumn[];
  readonly #options: NormalizeOptions;

  constructor(keys: readonly KeyColumn[], options: NormalizeOptions) {
    this.#keys = keys;
    this.#options = options;
  }

  /** The key parts of a row. */
  parts(row: Row): KeyPart[] {
    const out = new Array<KeyPart>(this.#keys.length);
    for (let i = 0; i < this.#keys.length; i++) {
      const key = this.#keys[i]!;
      out[i] = this.#part(row[key.name], key);
    }
    return out;
  }

  /** The key columns' raw values of a row, for the report. */
  rawKey(row: Row): RowKey {
    const out: RowKey = {};
    for (const key of this.#keys) out[key.name] = row[key.name];
    return out;
  }

  #part(value: unknown, key: KeyColumn): KeyPart {
    if (value === null || value === undefined) {
      throw new KeyValueError(
        `Key column "${key.name}" holds NULL; choose keyColumns that are never NULL, or leave the table out (excludeTables). SQLite allows NULL in a primary key that is not INTEGER PRIMARY KEY, as in Drizzle's __drizzle_migrations.`,
      );
    }
    if (key.order === 'integer') {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      const canonical = normalizeValue(value, key.type, this.#options);
      if (typeof canonical === 'boolean') return canonical ? 1 : 0;
      if (typeof canonical === 'string' && /^-?\d+$/.test(canonical)) {
        const big = BigInt(canonical);
        return big <= MAX_SAFE && big >= MIN_SAFE ? Number(big) : big;
      }
      throw new KeyValueError(`Key column "${key.name}" holds ${JSON.stringify(String(value))}, which is not an integer.`);
    }
    const canonical = normalizeValue(value, key.type, this.#options);
    if (key.order === 'number') {
      const n = Number(canonical);
      if (Number.isNaN(n))
        throw new KeyValueError(`Key column "${key.name}" holds ${JSON.stringify(String(value))}, which is not a number.`);
      return n;
    }
    if (typeof canonical === 'object' && canonical !== null) return canonical.json;
    // Postgres pads a character(n) key with spaces and orders it without them.
    return key.blankPadded ? (withoutPadding(String(canonical)) as string) : String(canonical);
  }
}

/** The integers a JavaScript number holds exactly, as bigints. */
export const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
export const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** A string identifying a key, for maps. */
export function keyId(parts: readonly KeyPart[]): string {
  return parts.length === 1 ? String(parts[0]) : parts.map(String).join('\u0001');
}

/** Orders two keys: numbers numerically (number and bigint mix), text by code point. */
export function compareKeys(a: readonly KeyPart[], b: readonly KeyPart[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === 'string' && typeof y === 'string') {
      const c = compareCodePoints(x, y);
      if (c !== 0) return c;
    } else if (x < y) return -1;
    else if (x > y) return 1;
  }
  return 0;
}

/**
 * Code point order, which is UTF-8 byte order (SQLite BINARY, Postgres "C"). JavaScript
 * compares UTF-16 code units, which puts astral characters (surrogates, D800-DFFF)
 * before U+E000-U+FFFF; shift both ranges so they land where UTF-8 puts them.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

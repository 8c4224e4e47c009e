import type { DialectName } from './types';

/** A SQLite storage class as a value read through the SQLite and D1 adapters shows it. */
export type StorageClass = 'null' | 'number' | 'text' | 'blob' | 'other';

/**
 * The storage class of a value read from SQLite or D1. An integer and a real are both
 * `number` (JavaScript reads `1` and `1.0` as one number; a bigint is an integer beyond 2^53).
 *
 * @example
 * ```ts
 * storageClassOf('1'); // 'text'
 * storageClassOf(1);   // 'number'
 * ```
 */
export function storageClassOf(value: unknown): StorageClass {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'string') return 'text';
  if (value instanceof Uint8Array) return 'blob';
  return 'other';
}

/**
 * Whether values of two engines must also agree in storage class to be equal: both are
 * SQLite or D1, where a column may hold any class (one declared without a type holds each
 * value as it was bound), and text `'1'` and integer `1`, or text and a blob of its bytes,
 * are different values that the app reads, compares and sorts differently. Against
 * Postgres, whose columns have one type, values are compared by that type.
 *
 * @example
 * ```ts
 * comparesStorageClass('sqlite', 'd1');       // true
 * comparesStorageClass('sqlite', 'postgres'); // false
 * ```
 */
export function comparesStorageClass(a: DialectName, b: DialectName): boolean {
  return a !== 'postgres' && b !== 'postgres';
}

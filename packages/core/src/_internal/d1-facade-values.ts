import { ParameterError, SwitchyardError } from '../errors';
import { exactJsonText } from '../json-exact';
import type { Row } from '../types';

// What the facade needs of an error to speak like D1: D1 throws a plain Error whose
// message starts with a code (`D1_ERROR: `, `D1_TYPE_ERROR: `...) and keeps the
// engine's message as `cause`. The Switchyard error is kept as `cause` here instead, so
// an app that wants the typed error still has it.

/** An Error shaped like the ones a D1 binding throws. */
export function d1Error(code: string, message: string, cause?: unknown): Error {
  return new Error(`${code}: ${message}`, cause === undefined ? undefined : { cause });
}

/** Turns what an adapter threw into D1's error, keeping the engine's own words. */
export function asD1Error(error: unknown, adapterName: string): Error {
  if (error instanceof ParameterError && /placeholders.* parameters were bound/.test(error.message)) {
    return d1Error('D1_ERROR', 'Wrong number of parameter bindings for SQL query.', error);
  }
  const driver = error instanceof SwitchyardError && error.cause instanceof Error ? error.cause : undefined;
  // A D1 adapter's driver error already speaks D1.
  if (driver && /^D1_[A-Z_]+: /.test(driver.message)) return new Error(driver.message, { cause: error });
  const raw = driver?.message ?? (error instanceof Error ? error.message : String(error));
  const prefix = `${adapterName}: `;
  return d1Error('D1_ERROR', raw.startsWith(prefix) ? raw.slice(prefix.length) : raw, error);
}

/**
 * Checks bound values as D1 does (null, number, string, boolean, ArrayBuffer and its
 * views; anything else is a `D1_TYPE_ERROR`) and hands bytes over as `Uint8Array`.
 */
export function toAdapterParams(values: readonly unknown[]): unknown[] {
  return values.map((value) => {
    if (value === null || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    throw d1Error('D1_TYPE_ERROR', `Type '${typeof value}' not supported for value '${String(value)}'`);
  });
}

/**
 * Gives result values the shapes a D1 binding gives: blobs as arrays of numbers,
 * booleans as 1/0, dates as ISO text, bigints as numbers (rounded past 2^53, as D1
 * rounds them) and JSON values as their text. Rows from a D1 or SQLite adapter change
 * only in their blobs.
 */
export function toD1Rows(rows: readonly Row[] | undefined): Row[] {
  if (!rows) return [];
  for (const row of rows) {
    for (const key in row) row[key] = toD1Value(row[key]);
  }
  return rows as Row[];
}

/** One result value in the shape a D1 binding gives it (see {@link toD1Rows}). */
export function toD1Value(value: unknown): unknown {
  if (value !== null && typeof value === 'object') return objectToD1(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

function objectToD1(value: object): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (value instanceof Date) return value.toISOString();
  return exactJsonText(value);
}

import type { RawResult, RawRows, Row } from '@switchyard/core';
import type { D1ResultLike } from '../d1-database';

/**
 * Turns D1's result into the adapter's. D1 hands blobs back as arrays of numbers (the
 * REST API as JSON arrays too); no other SQLite value is an array, so every array is a blob.
 */
export function toRawResult(result: D1ResultLike): RawResult {
  const rows = (result.results ?? []) as Row[];
  for (const row of rows) toBytes(row);
  const changes = result.meta?.changes ?? 0;
  const raw: RawResult = { rows, rowsAffected: changes };
  // D1 reports the connection's last rowid after any statement; it only means something after a write.
  if (changes > 0 && typeof result.meta.last_row_id === 'number') raw.lastInsertId = result.meta.last_row_id;
  return raw;
}

/** Rows as arrays, their blobs made bytes as {@link toRawResult} makes them. */
export function toRawRows(raw: RawRows): RawRows {
  for (const row of raw.rows) toBytes(row);
  return raw;
}

/** Blobs (arrays of numbers, or ArrayBuffers) in a row or an array of values, as bytes. */
function toBytes(row: Record<string, unknown> | unknown[]): void {
  const values = row as Record<string, unknown>;
  for (const key in values) {
    const value = values[key];
    if (Array.isArray(value)) values[key] = Uint8Array.from(value as number[]);
    else if (value instanceof ArrayBuffer) values[key] = new Uint8Array(value);
  }
}

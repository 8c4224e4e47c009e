import type { RawResult, Row } from '@switchyard/core';
import type { D1ResultLike } from '../d1-database';

/**
 * Turns D1's result into the adapter's. D1 hands blobs back as arrays of numbers (the
 * REST API as JSON arrays too); no other SQLite value is an array, so every array is a blob.
 */
export function toRawResult(result: D1ResultLike): RawResult {
  const rows = (result.results ?? []) as Row[];
  for (const row of rows) {
    for (const key in row) {
      const value = row[key];
      if (Array.isArray(value)) row[key] = Uint8Array.from(value as number[]);
      else if (value instanceof ArrayBuffer) row[key] = new Uint8Array(value);
    }
  }
  const changes = result.meta?.changes ?? 0;
  const raw: RawResult = { rows, rowsAffected: changes };
  // D1 reports the connection's last rowid after any statement; it only means something after a write.
  if (changes > 0 && typeof result.meta.last_row_id === 'number') raw.lastInsertId = result.meta.last_row_id;
  return raw;
}

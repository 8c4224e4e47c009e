import type { Row } from '@switchyard/core';
import type { SqliteStatement } from '../sqlite-database';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Reads a statement's rows with `iterate()`, at most `chunkSize` at a time, as plain numbers.
 * A value beyond 2^53 may have been rounded: the read restarts with safeIntegers and
 * skips the rows already yielded (a read without side effects can run twice), so no
 * int64 is ever handed out rounded. `return()` on the generator closes the iterator.
 */
export async function* iterateRows<T>(
  statement: SqliteStatement,
  params: unknown[],
  chunkSize: number,
  wrap: (error: unknown) => Error,
): AsyncGenerator<T[]> {
  let yielded = 0;
  let exact = false;
  // The first row goes out alone and chunks double from there up to chunkSize: a
  // consumer sees the first row as soon as SQLite has it, and long reads still move
  // in full chunks.
  let size = 1;
  for (;;) {
    if (exact) statement.safeIntegers(true);
    const rows = statement.iterate(...params) as IterableIterator<Row>;
    let skip = yielded;
    let chunk: Row[] = [];
    let restart = false;
    try {
      for (const row of rows) {
        if (skip > 0) {
          skip--;
          continue;
        }
        if (exact) toSafeNumbers(row);
        else if (hasUnsafeNumber(row)) {
          restart = true;
          break;
        }
        chunk.push(row);
        if (chunk.length >= size) {
          yielded += chunk.length;
          const out = chunk;
          chunk = [];
          size = Math.min(size * 2, chunkSize);
          yield out as T[];
        }
      }
    } catch (error) {
      throw wrap(error);
    } finally {
      rows.return?.();
      if (exact) statement.safeIntegers(false);
    }
    if (restart) {
      // Rows gathered since the last chunk are read again, exactly.
      exact = true;
      continue;
    }
    if (chunk.length > 0) yield chunk as T[];
    return;
  }
}

/** True when a value read as a plain number may have been rounded (beyond 2^53). */
export function hasUnsafeNumber(row: Row): boolean {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'number' && (value > MAX_SAFE || value < -MAX_SAFE)) return true;
  }
  return false;
}

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Values read with safeIntegers that fit a double become numbers; the rest stay bigint. */
export function toSafeNumbers(row: Row): void {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'bigint' && value <= MAX_SAFE_BIG && value >= -MAX_SAFE_BIG) row[key] = Number(value);
  }
}

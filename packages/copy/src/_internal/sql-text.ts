import { quoteIdentifier } from '@switchyard/core';

/** `(a, b)` or `a` for one column: row values only where the key is composite. */
export function keyTuple(columns: readonly string[]): string {
  const quoted = columns.map(quoteIdentifier);
  return quoted.length === 1 ? quoted[0]! : '(' + quoted.join(', ') + ')';
}

/** `(?, ?)` or `?`, matching {@link keyTuple}. */
export function placeholderTuple(count: number): string {
  return count === 1 ? '?' : '(' + new Array(count).fill('?').join(', ') + ')';
}

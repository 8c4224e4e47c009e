import { ConstraintError, QueryError, UnholdableValue, UnsupportedError, type Converter } from '@switchyard/core';
import type { CopyText } from './sqlite-copy-text';

/** Where Postgres says a COPY stopped: `COPY items, line 3000, column qty: "n/a"`. */
const COPY_LINE = /^COPY [^,]+, line (\d+)(?:, column ([^:]+))?/;

/**
 * The error a COPY ends with when Postgres refused one of its rows (a value its column's
 * type does not take, a CHECK, a NOT NULL), named by the row's key and the column, or
 * `undefined` when the error is of another kind. Postgres only gives the row's line in
 * the stream; finding that row among a million is what the operator would have to do.
 *
 * @param rows - the batch as sent: rows, or a page of COPY text (keys shown as COPY text)
 * @param keyIndexes - the primary key's positions in a row
 */
export function refusedRowError(
  error: unknown,
  table: string,
  rows: unknown[][] | CopyText,
  columns: readonly string[],
  keyIndexes: readonly number[],
): QueryError | ConstraintError | undefined {
  const { where, code, message } = (error ?? {}) as { where?: unknown; code?: unknown; message?: unknown };
  const at = typeof where === 'string' ? COPY_LINE.exec(where) : null;
  if (!at) return undefined;
  const row = lineOf(rows, Number(at[1]) - 1);
  if (!row) return undefined;
  // A page of COPY text holds every value as text: shown as it is, not quoted.
  const key = keyText(row, keyIndexes, Array.isArray(rows) ? showKey : String);
  const column = at[2] ? `, column "${at[2]}"` : '';
  const constraint = typeof code === 'string' && code.startsWith('23');
  const nullKey = keyIndexes.some((i) => i >= 0 && (Array.isArray(rows) ? row[i] === null : row[i] === '\\N'));
  const text =
    `Table "${table}", key (${key})${column}: Postgres refused the row: ${String(message)}. ` +
    (nullKey
      ? // SQLite's long-standing quirk: only an INTEGER PRIMARY KEY (the rowid) or a declared NOT NULL keeps NULL out.
        'Its primary key holds NULL, which SQLite allows in a key that is not INTEGER PRIMARY KEY, so the row cannot be copied or matched by key. ' +
        `Give such rows keys at the source, or leave the table out (exclude: ['${table}']): Drizzle's __drizzle_migrations, declared id SERIAL PRIMARY KEY, is such a table.`
      : constraint
        ? "Fix the row at the source, or relax the target's constraint and add it back after the copy."
        : "Fix the value at the source, or give the column a type that holds it (translateSchema's columnTypes) before the copy.");
  const options = { dialect: 'postgres' as const, cause: error };
  return constraint ? new ConstraintError(text, options) : new QueryError(text, options);
}

function lineOf(rows: unknown[][] | CopyText, index: number): unknown[] | undefined {
  if (Array.isArray(rows)) return rows[index];
  let start = 0;
  for (let i = 0; i < index; i++) {
    start = rows.text.indexOf('\n', start) + 1;
    if (start === 0) return undefined;
  }
  const end = rows.text.indexOf('\n', start);
  return rows.text.slice(start, end < 0 ? undefined : end).split('\t');
}

/** One key value for a message: as JSON, a bigint (which JSON.stringify refuses) as its digits. */
const showKey = (value: unknown): string => (typeof value === 'bigint' ? value.toString() : JSON.stringify(value));

/** A row's key for a message: its values at `keyIndexes`, each shown by `show` (`?` where the key column is not sent). */
export function keyText(row: readonly unknown[], keyIndexes: readonly number[], show: (value: unknown) => string = showKey): string {
  return keyIndexes.map((i) => (i < 0 ? '?' : show(row[i]))).join(', ');
}

/**
 * `convert(value)`, where a value the converter holds back (one the target's column cannot
 * hold as the source holds it, such as the word 'now' for a timestamp) is refused naming
 * the row's key and the column: the converter sees one value, the operator needs the row.
 */
export function convertNamed(
  convert: Converter,
  value: unknown,
  table: string,
  keyIndexes: readonly number[],
  row: readonly unknown[],
  column: string,
): unknown {
  const out = convert(value);
  if (!(out instanceof UnholdableValue)) return out;
  throw new UnsupportedError(`Table "${table}", key (${keyText(row, keyIndexes)}), column "${column}": ${out.reason}`);
}

import {
  canonicalEqual,
  formatCanonical,
  jsonSourceOf,
  normalizeValue,
  stableStringify,
  storageClassOf,
  type CanonicalValue,
  type ExecResult,
  type LogicalType,
  type NormalizeOptions,
  type Row,
} from '@switchyard/core';
import { guessType, type ColumnTypeCache, type ColumnTypes } from './column-types';

/** Resolves the logical type of each column of a pair of row lists. */
async function typesFor(
  cache: ColumnTypeCache,
  table: string | undefined,
  a: readonly Row[],
  b: readonly Row[],
): Promise<(column: string) => LogicalType> {
  const known: ColumnTypes = (await cache.table(table)) ?? {};
  const columns = new Set<string>();
  for (const row of [...a, ...b]) for (const key of Object.keys(row)) columns.add(key);
  const out: Record<string, LogicalType> = {};
  for (const column of columns) {
    const key = column.toLowerCase();
    out[column] = known[key] ?? (await cache.column(key)) ?? guessType(firstValue(a, column), firstValue(b, column));
  }
  return (column) => out[column] ?? 'text';
}

/** {@link typesFor} without waiting, when the table's types are read already and name every column. */
function typesNow(
  cache: ColumnTypeCache,
  table: string | undefined,
  a: readonly Row[],
  b: readonly Row[],
): ((column: string) => LogicalType) | undefined {
  const known = table ? cache.peek(table) : undefined;
  if (!known) return undefined;
  for (const row of [...a, ...b]) for (const column of Object.keys(row)) if (!known[column.toLowerCase()]) return undefined;
  return (column) => known[column.toLowerCase()]!;
}

function firstValue(rows: readonly Row[], column: string): unknown {
  for (const row of rows) if (row[column] !== null && row[column] !== undefined) return row[column];
  return undefined;
}

/**
 * Compares the results of one write on both sides: rows affected, then `RETURNING`
 * rows in order, values normalized by logical type (and, with `storageClass`, between two
 * SQLite or D1 databases, of one storage class: see core's `comparesStorageClass`).
 * Returns what differed, or `undefined` when they agree.
 */
export async function compareWriteResults(
  cache: ColumnTypeCache,
  table: string | undefined,
  primary: ExecResult,
  secondary: ExecResult,
  options: NormalizeOptions = {},
  storageClass = false,
  exactJson: ReadonlySet<string> = NO_COLUMNS,
): Promise<string | undefined> {
  if (primary.rowsAffected !== secondary.rowsAffected) {
    return `rowsAffected ${primary.rowsAffected} != ${secondary.rowsAffected}`;
  }
  const a = primary.rows ?? [];
  const b = secondary.rows ?? [];
  if (a.length !== b.length) return `returned ${a.length} rows != ${b.length}`;
  if (a.length === 0) return undefined;
  const typeOf = typesNow(cache, table, a, b) ?? (await typesFor(cache, table, a, b));
  for (let i = 0; i < a.length; i++) {
    const left = a[i]!;
    const right = b[i]!;
    for (const column of columnsOf(left, right)) {
      const raw = left[column];
      // The same primitive normalizes to the same value: only values that differ as read
      // (or objects, such as a Date) are normalized.
      if (raw === right[column] && (typeof raw !== 'object' || raw === null)) continue;
      if (storageClass && storageClassOf(raw) !== storageClassOf(right[column]))
        return `row ${i} column ${column}: ${storageClassOf(raw)} != ${storageClassOf(right[column])} (another storage class)`;
      if (exactJson.has(column)) {
        // Both Postgres, one type: a document's text is its value (`1.50` is not `1.5`), where it was kept on both sides.
        const [s, t] = [jsonSourceOf(raw), jsonSourceOf(right[column])];
        if (s !== undefined && t !== undefined && s !== t) return `row ${i} column ${column}: ${s} != ${t} (JSON text)`;
      }
      const type = typeOf(column);
      const x = normalizeValue(raw, type, options);
      const y = normalizeValue(right[column], type, options);
      if (!canonicalEqual(x, y, options)) return `row ${i} column ${column}: ${show(x)} != ${show(y)}`;
    }
  }
  return undefined;
}

const NO_COLUMNS: ReadonlySet<string> = new Set();

/** Timestamps compared to the microsecond, what Postgres keeps. */
export const MICROSECONDS = { timestampPrecision: 'us' } as const;

/**
 * Compares two read results as multisets of normalized rows, since engines return
 * unordered results in different orders.
 */
export async function sameRows(
  cache: ColumnTypeCache,
  table: string | undefined,
  primary: readonly Row[],
  secondary: readonly Row[],
): Promise<boolean> {
  if (primary.length !== secondary.length) return false;
  if (primary.length === 0) return true;
  const typeOf = await typesFor(cache, table, primary, secondary);
  const keyOf = (row: Row) => {
    const normalized: Record<string, CanonicalValue> = {};
    // At the microsecond, as verifyWrites and validation compare: what Postgres keeps.
    for (const column of Object.keys(row)) normalized[column] = normalizeValue(row[column], typeOf(column), MICROSECONDS);
    return stableStringify(normalized);
  };
  const left = primary.map(keyOf).sort();
  const right = secondary.map(keyOf).sort();
  return left.every((key, i) => key === right[i]);
}

/** The columns of two rows: the left row's, then any only the right one has. */
function columnsOf(left: Row, right: Row): string[] {
  const columns = Object.keys(left);
  for (const column of Object.keys(right)) if (!Object.hasOwn(left, column)) columns.push(column);
  return columns;
}

function show(value: CanonicalValue): string {
  return formatCanonical(value).replace(/\u0000/g, '');
}

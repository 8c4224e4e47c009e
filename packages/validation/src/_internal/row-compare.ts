import {
  PreciseDate,
  bytesToText,
  canonicalEqual,
  formatCanonical,
  isPossiblyRoundedInteger,
  normalizeValue,
  postgresArrayList,
  storageClassOf,
  toBytes,
  type NormalizeOptions,
  type Row,
  withoutPadding,
} from '@switchyard/core';
import type { ColumnDifference } from '../validation-types';
import { fastEqual } from './fast-equal';
import { asJsonDocument } from './value-convert';
import type { ComparedColumn } from './table-plan';

/**
 * The columns whose values differ between a source row and a target row, or
 * `undefined` when they are equal. Identical raw values are equal under every
 * normalization, so they skip it: on same-engine data that is nearly every value.
 *
 * @example
 * ```ts
 * compareRow({ id: 1, on: true }, { id: 1, on: 1 }, [{ name: 'on', type: 'boolean' }], {}) // undefined
 * ```
 */
export function compareRow(
  source: Row,
  target: Row,
  columns: readonly ComparedColumn[],
  options: NormalizeOptions,
): ColumnDifference[] | undefined {
  let out: ColumnDifference[] | undefined;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    const a = source[column.name];
    const b = target[column.name];
    // D1 hands back an integer past 2^53 as the nearest double: the value it holds may be another.
    if (column.roundedIntegerSides && roundedOnD1(a, b, column.roundedIntegerSides)) {
      (out ??= []).push(roundedDifference(column.name, a, b));
      continue;
    }
    // (An array literal is not the JSON text that spells the same: `{}` against SQLite's `{}`.)
    if (a === b && !(column.arrayLiteralSide && typeof a === 'string')) continue;
    // The JSON null document, read as its text on Postgres, is SQL NULL on SQLite or D1 after a copy.
    if (column.plainTextSide && (column.plainTextSide === 'target' ? a === 'null' && b === null : b === 'null' && a === null)) continue;
    if (column.blankPadded && typeof a === 'string' && typeof b === 'string' && withoutPadding(a) === withoutPadding(b)) continue;
    // Postgres gave both texts as stored (see ComparedColumn.exactText): unequal texts differ.
    if (column.exactText && typeof a === 'string' && typeof b === 'string') {
      (out ??= []).push({ column: column.name, source: a, target: b, sourceNormalized: a, targetNormalized: b });
      continue;
    }
    if (column.storageClass && storageClassOf(a) !== storageClassOf(b)) {
      (out ??= []).push(classDifference(column.name, a, b, column, options));
      continue;
    }
    // Same milliseconds and no microseconds below them on either side (a PreciseDate carries them).
    if (a instanceof Date && b instanceof Date && a.getTime() === b.getTime() && !(a instanceof PreciseDate) && !(b instanceof PreciseDate))
      continue;
    // Text that parses as a document is its own comparable form: one parse of each side decides most rows.
    if (column.plainTextSide && !column.arrayLiteralSide && a !== null && b !== null && fastEqual(a, b, column.type)) continue;
    const x = comparable(a, column, 'source');
    const y = comparable(b, column, 'target');
    if (x !== null && y !== null && fastEqual(x, y, column.type)) continue;
    const na = normalizeValue(x, column.type, options);
    const nb = normalizeValue(y, column.type, options);
    if (canonicalEqual(na, nb, options)) continue;
    (out ??= []).push({
      column: column.name,
      source: a,
      target: b,
      sourceNormalized: formatCanonical(na),
      targetNormalized: formatCanonical(nb),
    });
  }
  return out;
}

/**
 * A value as the other engine's side holds it: between Postgres and SQLite or D1, SQLite text
 * that is no JSON document as the JSON string holding it (`ComparedColumn.plainTextSide`), and
 * an array literal pg did not parse as its array (`ComparedColumn.arrayLiteralSide`).
 */
function comparable(value: unknown, column: ComparedColumn, side: 'source' | 'target'): unknown {
  if (column.arrayLiteralSide === side) return postgresArrayList(value);
  if (column.blobTextSide === side) return asJsonDocument(blobText(value));
  if (column.plainTextSide === side) return asJsonDocument(value);
  return value;
}

function classDifference(name: string, a: unknown, b: unknown, column: ComparedColumn, options: NormalizeOptions): ColumnDifference {
  const shown = (value: unknown) => `${storageClassOf(value)} ${formatCanonical(normalizeValue(value, column.type, options))}`;
  return { column: name, source: a, target: b, sourceNormalized: shown(a), targetNormalized: shown(b) };
}

function roundedOnD1(a: unknown, b: unknown, sides: readonly ('source' | 'target')[]): boolean {
  return (sides.includes('source') && isPossiblyRoundedInteger(a)) || (sides.includes('target') && isPossiblyRoundedInteger(b));
}

function roundedDifference(name: string, a: unknown, b: unknown): ColumnDifference {
  const shown = (v: unknown) => (isPossiblyRoundedInteger(v) ? `${v} (as D1 returns it: an integer past 2^53, maybe rounded)` : String(v));
  return { column: name, source: a, target: b, sourceNormalized: shown(a), targetNormalized: shown(b) };
}

/** A blob (D1 gives its bytes as numbers) as the UTF-8 text it spells; itself when it is no such text. */
function blobText(value: unknown): unknown {
  if (!(Array.isArray(value) || value instanceof Uint8Array || value instanceof ArrayBuffer)) return value;
  const text = bytesToText(toBytes(value));
  return typeof text === 'string' ? text : value;
}

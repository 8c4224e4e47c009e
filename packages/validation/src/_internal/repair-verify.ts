import { type ColumnInfo, type DatabaseAdapter, type NormalizeOptions, type Row, type TableInfo } from '@switchyard/core';
import type { RepairMismatch, RowKey } from '../validation-types';
import { fetchByKeys } from './fetch-by-keys';
import type { KeyCodec } from './key-codec';
import { compareRow } from './row-compare';
import type { JsonReads } from './json-reads';
import { comparedColumn, comparisonType, enginePair, type KeyColumn } from './table-plan';

/** A source column and the target column of the same name. */
export interface ColumnPair {
  from: ColumnInfo;
  to: ColumnInfo;
}

/**
 * What a repair's check found: rows that still differ, and rows a live write changed or
 * deleted on the source between the repair's read and its write, which the target may now
 * hold in the older form (see `repairRounds`).
 */
export interface RepairCheck {
  stillDifferent: RepairMismatch[];
  /** Keys whose source row changed since the repair read it. */
  changed: RowKey[];
  /** Keys whose source row is gone since the repair read it, while the target holds one. */
  gone: RowKey[];
}

/**
 * Reads the repaired keys again on both sides and returns the rows that still differ,
 * each with the reason: a write that "succeeded" can still leave a value the target type
 * could not hold (an upper-case UUID in a uuid column, 2006 in a TEXT column that stored
 * '2006.0'), a generated column computes its own value, and a repair must say so rather
 * than report success.
 */
export async function verifyRepair(
  source: DatabaseAdapter,
  target: DatabaseAdapter,
  tables: { from: TableInfo; to: TableInfo },
  pairs: readonly ColumnPair[],
  keys: readonly KeyColumn[],
  codec: KeyCodec,
  sourceRows: ReadonlyMap<string, Row>,
  heldBack: ReadonlyMap<string, string[]>,
  options: NormalizeOptions,
  reads: { source: JsonReads; target: JsonReads; written?: JsonReads },
  deleted: readonly RowKey[] = [],
): Promise<RepairCheck> {
  const check: RepairCheck = { stillDifferent: [], changed: [], gone: [] };
  if (deleted.length > 0) {
    // An extra row the repair deleted that the source holds again (written since the repair read it).
    const names = keys.map((k) => k.name);
    const back = await fetchByKeys(source, tables.from, keys, names, deleted, codec, reads.source);
    for (const row of back.values()) check.changed.push(Object.fromEntries(names.map((n) => [n, row[n]])));
  }
  if (sourceRows.size === 0) return check;
  const keyRows = [...sourceRows.values()];
  const [fresh, written] = await Promise.all([
    fetchByKeys(
      source,
      tables.from,
      keys,
      pairs.map((p) => p.from.name),
      keyRows,
      codec,
      reads.source,
    ),
    fetchByKeys(
      target,
      tables.to,
      keys,
      pairs.map((p) => p.to.name),
      keyRows,
      codec,
      reads.target,
    ),
  ]);
  const pair = enginePair(source.dialect, target.dialect);
  const columns = pairs.map((p) =>
    comparedColumn(p.from.name, comparisonType(p.from.logicalType, p.to.logicalType) ?? 'text', p.from, p.to, pair),
  );
  const out = check.stillDifferent;
  const keyOf = (row: Row): RowKey => Object.fromEntries(keys.map((k) => [k.name, row[k.name]]));
  // The source as read before the write against the source now: a live write in between
  // (dual write runs while a repair does) may have reached the target before this write did.
  // By logical type alone: the two reads may take a JSON column's text and its parsed document.
  // Only the columns the write read: one the target generates itself is not read to be written.
  const firstRead = sourceRows.values().next().value;
  const sourceColumns = pairs
    .filter((p) => firstRead && p.from.name in firstRead)
    .map((p) => ({ name: p.from.name, type: p.from.logicalType }));
  // The write's read took a JSON null document as SQL NULL, the check's keeps it: one for both here.
  const nullDocuments = pairs.filter((p) => reads.written?.get(p.from.name) !== reads.source.get(p.from.name)).map((p) => p.from.name);
  const asRead = (row: Row): Row => {
    if (nullDocuments.length === 0) return row;
    const out = { ...row };
    for (const name of nullDocuments) if (typeof out[name] === 'string' && (out[name] as string).trim() === 'null') out[name] = null;
    return out;
  };
  for (const [id, before] of sourceRows) if (!fresh.has(id) && !heldBack.has(id) && written.has(id)) check.gone.push(keyOf(before));
  for (const [id, row] of fresh) {
    const key = keyOf(row);
    const before = sourceRows.get(id);
    if (before && compareRow(asRead(row), asRead(before), sourceColumns, options)) {
      check.changed.push(key);
      continue;
    }
    const held = heldBack.get(id);
    if (held) {
      out.push({ key, reasons: held });
      continue;
    }
    const after = written.get(id);
    if (!after) {
      out.push({ key, reasons: ['the row is not found in the target by its key after the write: the target stores the key differently'] });
      continue;
    }
    const differences = compareRow(row, after, columns, options);
    if (!differences) continue;
    out.push({
      key,
      reasons: differences.map((d) => {
        const pair = pairs.find((p) => p.from.name === d.column)!;
        if (pair.to.generated)
          return (
            `${d.column}: the target computes ${d.targetNormalized} for the source's ${d.sourceNormalized} (a generated column, ` +
            'which no write sets): make its expression on the target match the source'
          );
        return (
          `${d.column}: the target holds ${d.targetNormalized} for the source's ${d.sourceNormalized}; ` +
          `the target column (${pair.to.declaredType || pair.to.logicalType}) cannot hold the source value ` +
          `(${pair.from.declaredType || pair.from.logicalType}) as it is`
        );
      }),
    });
  }
  return check;
}

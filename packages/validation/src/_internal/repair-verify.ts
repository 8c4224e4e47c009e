import { type ColumnInfo, type DatabaseAdapter, type NormalizeOptions, type Row, type TableInfo } from '@switchyard/core';
import type { RepairMismatch } from '../validation-types';
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
  reads: { source: JsonReads; target: JsonReads },
): Promise<RepairMismatch[]> {
  if (sourceRows.size === 0) return [];
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
  const out: RepairMismatch[] = [];
  for (const [id, row] of fresh) {
    const key = Object.fromEntries(keys.map((k) => [k.name, row[k.name]]));
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
  return out;
}

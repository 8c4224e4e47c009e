import { withExactText } from './exact-text';
import { compareKeys, keyId, type KeyCodec } from './key-codec';
import { fetchByKeys } from './fetch-by-keys';
import { compareRow } from './row-compare';
import { jsonReads } from './json-reads';
import { selectList, tableRef } from './sql-text';
import type { TableRun } from './table-run';

/**
 * Compares `size` random source rows with the target rows of the same keys, and
 * checks that `size` random target keys exist in the source, so rows missing on
 * either side can be caught without reading the whole table. `random()` orders rows
 * randomly on SQLite, D1 and Postgres alike.
 */
export async function sampleCompare(run: TableRun, size: number): Promise<void> {
  if (size <= 0) return;
  const { plan, collector, codec } = run;
  const source = plan.source!;
  const target = plan.target!;
  const columns = plan.columns.map((c) => c.name);
  const keyNames = plan.sourceKeys.map((k) => k.name);
  const sourceJson = jsonReads(plan, 'source', run.source.dialect, run.target.dialect);
  const targetJson = jsonReads(plan, 'target', run.target.dialect, run.source.dialect);
  const [sampled, targetKeys] = await Promise.all([
    run.source
      .query(`SELECT ${selectList(columns, sourceJson)} FROM ${tableRef(source)} ORDER BY random() LIMIT ${size}`)
      .then((rows) => withExactText(run.source, tableRef(source), keyNames, rows)),
    run.target.query(`SELECT ${selectList(keyNames)} FROM ${tableRef(target)} ORDER BY random() LIMIT ${size}`),
  ]);
  const [inTarget, inSource] = await Promise.all([
    fetchByKeys(run.target, target, plan.targetKeys, columns, sampled, codec, targetJson),
    fetchByKeys(run.source, source, plan.sourceKeys, keyNames, targetKeys, codec),
  ]);
  for (const row of inKeyOrder(sampled, codec)) {
    const other = inTarget.get(keyId(codec.parts(row)));
    if (!other) {
      collector.missing(codec.rawKey(row));
      continue;
    }
    collector.rowsCompared++;
    const diff = compareRow(row, other, plan.columns, run.normalize);
    if (diff) collector.different(codec.rawKey(row), diff);
  }
  for (const row of inKeyOrder(targetKeys, codec)) {
    if (!inSource.has(keyId(codec.parts(row)))) collector.extra(codec.rawKey(row));
  }
  run.progress();
}

// Random rows, reported in key order, so a report reads the same way whatever was drawn.
function inKeyOrder<T extends Record<string, unknown>>(rows: T[], codec: KeyCodec): T[] {
  return rows
    .map((row) => ({ row, key: codec.parts(row) }))
    .sort((a, b) => compareKeys(a.key, b.key))
    .map((x) => x.row);
}

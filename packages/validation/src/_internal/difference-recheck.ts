import type { Row } from '@switchyard/core';
import type { RowDifference, RowKey } from '../validation-types';
import { fetchByKeys } from './fetch-by-keys';
import { jsonReads } from './json-reads';
import { keyId } from './key-codec';
import { compareRow } from './row-compare';
import type { TableRun } from './table-run';

/**
 * Reads the rows a pass found missing, extra or different again, on both sides, and keeps
 * only the differences still there. A table is read page by page while the app writes
 * through dual write: a row written between the read of its source page and of its target
 * page differs for that moment only, and a report of it would send the operator to repair
 * rows that are equal. A difference that persists is reported as found on the second read
 * (a different row may now be missing, or the other way round); only the rows the report
 * keeps (`maxDifferences`) are read again, so counts past them stay as the pass found them.
 * Returns how many differences the second read no longer found.
 */
export async function recheckDifferences(run: TableRun): Promise<number> {
  const { plan, collector, codec } = run;
  const kept: RowKey[] = [...collector.missingInTarget, ...collector.extraInTarget, ...collector.differentRows.map((d) => d.key)];
  if (kept.length === 0) return 0;
  const columns = plan.columns.map((c) => c.name);
  const keyRows: Row[] = kept.map((key) => ({ ...key }));
  const [source, target] = await Promise.all([
    fetchByKeys(
      run.source,
      plan.source!,
      plan.sourceKeys,
      columns,
      keyRows,
      codec,
      jsonReads(plan, 'source', run.source.dialect, run.target.dialect),
    ),
    fetchByKeys(
      run.target,
      plan.target!,
      plan.targetKeys,
      columns,
      keyRows,
      codec,
      jsonReads(plan, 'target', run.target.dialect, run.source.dialect),
    ),
  ]);
  const found = { missing: [] as RowKey[], extra: [] as RowKey[], different: [] as RowDifference[] };
  let settled = 0;
  for (const key of kept) {
    const id = keyId(codec.parts(key));
    const [s, t] = [source.get(id), target.get(id)];
    const columnsDiffering = s && t ? compareRow(s, t, plan.columns, run.normalize) : undefined;
    if (s && !t) found.missing.push(key);
    else if (t && !s) found.extra.push(key);
    else if (columnsDiffering) found.different.push({ key, columns: columnsDiffering });
    else settled++;
  }
  const before = {
    missing: collector.missingInTarget.length,
    extra: collector.extraInTarget.length,
    different: collector.differentRows.length,
  };
  collector.missingInTargetCount += found.missing.length - before.missing;
  collector.extraInTargetCount += found.extra.length - before.extra;
  collector.differentRowsCount += found.different.length - before.different;
  collector.missingInTarget.splice(0, Infinity, ...found.missing);
  collector.extraInTarget.splice(0, Infinity, ...found.extra);
  collector.differentRows.splice(0, Infinity, ...found.different);
  return settled;
}

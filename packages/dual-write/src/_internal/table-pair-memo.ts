import type { TableInfo } from '@switchyard/core';

/**
 * `compute` once per pair of table definitions, for what each settle of a row asks again:
 * a definition is replaced after a schema change, never changed, so what is worked out from
 * a pair holds as long as both do.
 */
export function perTablePair<T>(compute: (source: TableInfo, target: TableInfo) => T): (source: TableInfo, target: TableInfo) => T {
  const memo = new WeakMap<TableInfo, WeakMap<TableInfo, T>>();
  return (source, target) => {
    let byTarget = memo.get(source);
    if (!byTarget) memo.set(source, (byTarget = new WeakMap()));
    if (!byTarget.has(target)) byTarget.set(target, compute(source, target));
    return byTarget.get(target)!;
  };
}

import { quoteIdentifier, type DatabaseAdapter, type TableInfo } from '@switchyard/core';
import { checksumSelect } from './checksum-sql';
import { mergeCompare, type MergeRange } from './merge-compare';
import { tableRef } from './sql-text';
import type { TableRun } from './table-run';

// A differing range is split into this many parts (data-diff's bisection factor)...
const FACTOR = 32n;
// ...until it holds few enough rows to compare one by one.
const LEAF_ROWS = 2000;

interface RangeSum {
  n: number;
  h: string;
}

/**
 * True when the table can be checked by checksums: both sides of one engine family
 * and a single integer key to cut ranges on.
 */
export function canChecksum(run: TableRun): boolean {
  const keys = run.plan.sourceKeys;
  return keys.length === 1 && keys[0]!.type === 'integer';
}

/**
 * Compares checksums of key ranges on both sides, and reads rows only in ranges whose
 * checksums differ: identical tables cost one aggregate query per side, and scattered
 * differences are narrowed down by bisection before any row leaves the engine.
 */
export async function checksumCompare(run: TableRun, dialect: 'postgres' | 'sqlite'): Promise<void> {
  const key = quoteIdentifier(run.plan.sourceKeys[0]!.name);
  const columns = run.plan.columns.map((c) => quoteIdentifier(c.name));
  const side = (adapter: DatabaseAdapter, table: TableInfo) => ({
    async bounds() {
      const row = await adapter.first<{ lo: unknown; hi: unknown; n: unknown }>(
        `SELECT min(${key}) AS lo, max(${key}) AS hi, count(*) AS n FROM ${tableRef(table)}`,
      );
      return { lo: toBigInt(row?.lo), hi: toBigInt(row?.hi), n: Number(row?.n ?? 0) };
    },
    async sum(lo: bigint, hi: bigint): Promise<RangeSum> {
      const filter = rangeFilter(key, lo, hi);
      const row = await adapter.first<{ n: unknown; h: unknown }>(
        `SELECT ${checksumSelect(dialect, columns)} FROM ${tableRef(table)} WHERE ${filter.sql}`,
        filter.params,
      );
      return { n: Number(row?.n ?? 0), h: String(row?.h ?? '') };
    },
  });
  const source = side(run.source, run.plan.source!);
  const target = side(run.target, run.plan.target!);
  const [sb, tb] = await Promise.all([source.bounds(), target.bounds()]);
  run.sourceCount = sb.n;
  run.targetCount = tb.n;
  const los = [sb.lo, tb.lo].filter((x): x is bigint => x !== undefined);
  const his = [sb.hi, tb.hi].filter((x): x is bigint => x !== undefined);
  if (los.length === 0 || his.length === 0) return;
  const lo = los.reduce((a, b) => (a < b ? a : b));
  const hi = his.reduce((a, b) => (a > b ? a : b)) + 1n;

  const range = (from: bigint, to: bigint): MergeRange => {
    const filter = rangeFilter(key, from, to);
    return { source: filter, target: filter };
  };
  const check = async (from: bigint, to: bigint): Promise<void> => {
    const [s, t] = await Promise.all([source.sum(from, to), target.sum(from, to)]);
    if (s.n === t.n && s.h === t.h) {
      run.collector.rowsCompared += s.n;
      run.progress();
      return;
    }
    if (Math.max(s.n, t.n) <= LEAF_ROWS || to - from <= FACTOR) {
      await mergeCompare(run, range(from, to));
      return;
    }
    const step = (to - from + FACTOR - 1n) / FACTOR;
    for (let a = from; a < to; a += step) await check(a, a + step < to ? a + step : to);
  };
  await check(lo, hi);
}

const INT64_MAX = 2n ** 63n - 1n;

// `key >= lo AND key < hi`; past the largest int64 the upper bound could not be bound, and is not needed.
function rangeFilter(key: string, lo: bigint, hi: bigint): { sql: string; params: unknown[] } {
  if (hi > INT64_MAX) return { sql: `${key} >= ?`, params: [bind(lo)] };
  return { sql: `${key} >= ? AND ${key} < ?`, params: [bind(lo), bind(hi)] };
}

function toBigInt(value: unknown): bigint | undefined {
  if (value === null || value === undefined) return undefined;
  return BigInt(value as number | bigint | string);
}

function bind(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}
